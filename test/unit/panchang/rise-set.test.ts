/**
 * Sunrise and sunset against Debian's native `swetest` 2.10.03 (an independent
 * build of the same Swiss Ephemeris release), run here at test time with the
 * command line printed in each case. `swetest -rise` prints UT to 0.1 s.
 *   western: `swetest -p0 -bD.M.Y -utH:M:S -rise -geopos<lon>,<lat>,0 -n1`
 *            (upper limb, refraction at 1013.25 hPa / 15 °C: the library default)
 *   hindu:   the same plus `-disccenter -norefrac`
 * Both searches start at the place's local midnight, as the panchang's do.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { computePanchangDay, localMidnightJd, nextRise, nextSet, resolveLocalDay, type SunriseMode } from '../../../src/core/panchang';
import { nodeEngine } from '../../support/node-engine';

const engine = nodeEngine();
const maxSec = 1;
const EPHE_DIR = '/usr/share/libswe/ephe';

const PLACES = [
  { name: 'Chennai', latDeg: 13.0878, lonDeg: 80.2785, timezone: 'Asia/Kolkata' },
  { name: 'Delhi', latDeg: 28.6139, lonDeg: 77.209, timezone: 'Asia/Kolkata' },
  { name: 'London', latDeg: 51.5074, lonDeg: -0.1278, timezone: 'Europe/London' },
  { name: 'New York', latDeg: 40.7128, lonDeg: -74.006, timezone: 'America/New_York' },
  { name: 'Sydney', latDeg: -33.8688, lonDeg: 151.2093, timezone: 'Australia/Sydney' },
  { name: 'Reykjavik', latDeg: 64.1466, lonDeg: -21.9426, timezone: 'Atlantic/Reykjavik' },
  { name: 'Tromso', latDeg: 69.6492, lonDeg: 18.9553, timezone: 'Europe/Oslo' },
] as const;
const DATES = ['2025-03-20', '2025-06-21', '2025-09-23', '2025-12-21', '1950-02-10', '2100-08-01'];

const jdToParts = (jd: number) => {
  const d = new Date(Math.round((jd - 2_440_587.5) * 86_400_000));
  return { date: `${d.getUTCDate()}.${d.getUTCMonth() + 1}.${d.getUTCFullYear()}`, time: d.toISOString().slice(11, 19) };
};
const partsToJd = (dmy: string, hms: string) => {
  const [d, m, y] = dmy.split('.').map(Number);
  const [h, mi, s] = hms.split(':').map(Number);
  return Date.UTC(y, m - 1, d, h, mi) / 86_400_000 + s / 86_400 + 2_440_587.5;
};

/** Runs swetest from `startJd` and returns its rise and set (null where it prints "-"), with the command line. */
function swetest(startJd: number, lonDeg: number, latDeg: number, mode: SunriseMode) {
  const { date, time } = jdToParts(startJd);
  const args = [`-edir${EPHE_DIR}`, '-p0', `-b${date}`, `-ut${time}`, '-rise', `-geopos${lonDeg},${latDeg},0`, '-n1', ...(mode === 'hindu' ? ['-disccenter', '-norefrac'] : [])];
  const out = execFileSync('swetest', args, { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.startsWith('rise'));
  if (!line) throw new Error(`no rise line from: swetest ${args.join(' ')}\n${out}`);
  const m = /^rise\s+(?:(\d+\.\d+\.\d+)\s+(\d+:\d+:[\d.]+)|-\s+-)\s+set\s+(?:(\d+\.\d+\.\d+)\s+(\d+:\d+:[\d.]+)|-\s+-)/.exec(line);
  if (!m) throw new Error(`unparsed swetest line: ${line}`);
  return {
    command: `swetest ${args.join(' ')}`,
    rise: m[1] ? partsToJd(m[1], m[2]) : null,
    set: m[3] ? partsToJd(m[3], m[4]) : null,
  };
}

describe('sunrise and sunset against native swetest', () => {
  for (const mode of ['hindu', 'western'] as const) {
    for (const place of PLACES) {
      it(`${mode}: ${place.name} on ${DATES.length} dates within ${maxSec} s`, () => {
        let compared = 0;
        for (const date of DATES) {
          const { date: local, clock } = resolveLocalDay(date, { timezone: place.timezone });
          const startJd = localMidnightJd(local, clock);
          const ref = swetest(startJd, place.lonDeg, place.latDeg, mode);
          const rise = nextRise(engine, 'Sun', startJd, place, mode);
          const set = nextSet(engine, 'Sun', startJd, place, mode);
          const where = `${date} ${place.name}: ${ref.command}`;
          expect(rise === null, where).toBe(ref.rise === null);
          expect(set === null, where).toBe(ref.set === null);
          // swetest prints 0.1 s: compare to that resolution plus the tolerance.
          if (rise !== null && ref.rise !== null) expect(Math.abs(rise - ref.rise) * 86_400, where).toBeLessThanOrEqual(maxSec);
          if (set !== null && ref.set !== null) expect(Math.abs(set - ref.set) * 86_400, where).toBeLessThanOrEqual(maxSec);
          if (rise !== null) compared++;
        }
        expect(compared).toBeGreaterThan(0);
      });
    }
  }

  it('hindu sunrise is later than western sunrise and sunset earlier (Chennai, 2025-03-20: by 3–4 minutes)', () => {
    const { date, clock } = resolveLocalDay('2025-03-20', { timezone: 'Asia/Kolkata' });
    const place = { latDeg: 13.0878, lonDeg: 80.2785 };
    const settings = { ayanamsa: 'lahiri', profile: 'default' } as const;
    const hindu = computePanchangDay(engine, { date, clock, place, settings: { ...settings, sunriseMode: 'hindu' } }, { compact: true });
    const western = computePanchangDay(engine, { date, clock, place, settings: { ...settings, sunriseMode: 'western' } }, { compact: true });
    const riseDiffMin = ((hindu.sunriseJdUt ?? 0) - (western.sunriseJdUt ?? 0)) * 1440;
    const setDiffMin = ((western.sunsetJdUt ?? 0) - (hindu.sunsetJdUt ?? 0)) * 1440;
    expect(riseDiffMin).toBeGreaterThan(3);
    expect(riseDiffMin).toBeLessThan(4);
    expect(setDiffMin).toBeGreaterThan(3);
    expect(setDiffMin).toBeLessThan(4);
  });
});

describe('polar day and polar night (Tromsø, 69.65° N)', () => {
  const place = { latDeg: 69.6492, lonDeg: 18.9553 };
  const settings = { ayanamsa: 'lahiri', profile: 'default', sunriseMode: 'hindu' } as const;
  for (const [date, kind] of [['2025-06-21', 'polar_day'], ['2025-12-21', 'polar_night']] as const) {
    it(`${date}: no sunrise or sunset (swetest agrees), a ${kind} note, limbs still given`, () => {
      const { date: local, clock } = resolveLocalDay(date, { timezone: 'Europe/Oslo' });
      const ref = swetest(localMidnightJd(local, clock), place.lonDeg, place.latDeg, 'hindu');
      expect(ref.rise, ref.command).toBeNull();
      expect(ref.set, ref.command).toBeNull();
      const day = computePanchangDay(engine, { date: local, clock, place, settings });
      expect(day.sunriseJdUt).toBeNull();
      expect(day.sunsetJdUt).toBeNull();
      expect(day.nextSunriseJdUt).toBeNull();
      expect(day.polar?.kind).toBe(kind);
      expect(day.muhurtas).toBeNull();
      // Limbs at 06:00 local: 04:00 UT in CEST (June), 05:00 UT in CET (December).
      expect(day.referenceJdUt).toBeCloseTo(localMidnightJd(local, clock) + 0.25, 9);
      expect(day.limbs.tithi.number).toBeGreaterThanOrEqual(1);
    });
  }
});
