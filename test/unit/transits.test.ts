/**
 * Transits and sign-change search. The root finder (adaptive march + bisection)
 * is checked against an independent brute-force scan of the same ephemeris:
 * a fixed coarse step of a quarter of the root finder's step to find the first
 * sign change, then that bracket at 1-minute and finally 1-second resolution.
 */
import { describe, expect, it } from 'vitest';
import { computeNatal, computePositions, PLANETS, type NatalChart, type Planet } from '../../src/core/natal';
import { DEFAULT_SETTINGS, SIDEREAL_MODE, planetFlags, type ChartSettings } from '../../src/core/settings';
import {
  EPHEMERIS_END_JD_UT,
  SEARCH_HORIZON_DAYS,
  SEARCH_STEP_DAYS,
  computeTransits,
  jdUtToIso,
  nextSignChange,
  type SignChange,
} from '../../src/core/transits';
import { SIGNS, placement, type Sign } from '../../src/core/zodiac';
import { BODY, type BodyPosition, type SwissEphemeris } from '../../src/engine/swisseph';
import { nodeEngine } from '../support/node-engine';
import { mulberry32 } from '../support/prng';

const engine = nodeEngine();
const SECOND_DAYS = 1 / 86_400;
const MINUTE_DAYS = 60 * SECOND_DAYS;
/** Rounding slack for Julian-day arithmetic near 2.4e6 (double spacing ~4e-10 d ≈ 40 µs). */
const EPS_DAYS = 1e-9;

/** Unix epoch ms → Julian day UT. */
const jdOf = (iso: string): number => Date.parse(iso) / 86_400_000 + 2_440_587.5;

// ---------------------------------------------------------------------------
// Brute force, written independently of src/core/transits.ts.

const BODY_OF: Record<Exclude<Planet, 'Rahu' | 'Ketu'>, number> = {
  Sun: BODY.SUN, Moon: BODY.MOON, Mars: BODY.MARS, Mercury: BODY.MERCURY, Jupiter: BODY.JUPITER,
  Venus: BODY.VENUS, Saturn: BODY.SATURN, Uranus: BODY.URANUS, Neptune: BODY.NEPTUNE, Pluto: BODY.PLUTO,
};

function longitudeFn(planet: Planet, settings: ChartSettings): (jdUt: number) => number {
  const flags = planetFlags(settings.profile);
  const sid = SIDEREAL_MODE[settings.ayanamsa];
  const node = settings.node === 'true' ? BODY.TRUE_NODE : BODY.MEAN_NODE;
  const body = planet === 'Rahu' || planet === 'Ketu' ? node : BODY_OF[planet];
  const shift = planet === 'Ketu' ? 180 : 0;
  return (jdUt) => (((engine.calcUt(jdUt, body, flags, sid).lonDeg + shift) % 360) + 360) % 360;
}

function signFn(planet: Planet, settings: ChartSettings): (jdUt: number) => number {
  const lon = longitudeFn(planet, settings);
  return (jdUt) => Math.floor(lon(jdUt) / 30);
}

interface BruteChange {
  /** First sample of the 1-second grid that lies in the new sign. */
  jdUt: number;
  fromSign: Sign;
  toSign: Sign;
}

/** Fixed-step scan: `coarseDays` to find the first change, then 1 minute, then 1 second. */
function bruteFirstChange(planet: Planet, start: number, settings: ChartSettings, coarseDays: number): BruteChange | null {
  const sign = signFn(planet, settings);
  const limit = Math.min(start + SEARCH_HORIZON_DAYS, EPHEMERIS_END_JD_UT);
  const s0 = sign(start);
  const firstOff = (from: number, step: number, until: number): number | null => {
    for (let k = 1; from + (k - 1) * step < until; k++) {
      const t = Math.min(from + k * step, until);
      if (sign(t) !== s0) return from + (k - 1) * step;
    }
    return null;
  };
  const coarse = firstOff(start, coarseDays, limit);
  if (coarse === null) return null;
  const minute = firstOff(coarse, MINUTE_DAYS, Math.min(limit, coarse + coarseDays + MINUTE_DAYS))!;
  const second = firstOff(minute, SECOND_DAYS, minute + MINUTE_DAYS + SECOND_DAYS)!;
  const jdUt = second + SECOND_DAYS;
  return { jdUt, fromSign: SIGNS[s0], toSign: SIGNS[sign(jdUt)] };
}

function expectMatchesBrute(
  found: SignChange | null,
  brute: BruteChange | null,
  planet: Planet,
  settings: ChartSettings,
): void {
  if (brute === null) {
    expect(found).toBeNull();
    return;
  }
  expect(found).not.toBeNull();
  const f = found!;
  // True crossing c ∈ (brute − 1 s, brute]; the root finder reports an instant in [c, c + 0.1 s].
  expect(f.jdUt).toBeGreaterThan(brute.jdUt - SECOND_DAYS - EPS_DAYS);
  expect(f.jdUt).toBeLessThanOrEqual(brute.jdUt + 0.1 * SECOND_DAYS + EPS_DAYS);
  expect(Math.abs(f.jdUt - brute.jdUt)).toBeLessThanOrEqual(SECOND_DAYS + EPS_DAYS);
  expect({ fromSign: f.fromSign, toSign: f.toSign }).toEqual({ fromSign: brute.fromSign, toSign: brute.toSign });
  expect(f.utc).toBe(jdUtToIso(f.jdUt));
  // The contract: jdUt lies in the new sign, at most 0.1 s after the crossing.
  const sign = signFn(planet, settings);
  expect(SIGNS[sign(f.jdUt)]).toBe(f.toSign);
  expect(SIGNS[sign(f.jdUt - 0.11 * SECOND_DAYS)]).toBe(f.fromSign);
}

const JD_1900 = jdOf('1900-01-01T00:00:00Z');
const JD_2100 = jdOf('2100-01-01T00:00:00Z');
const SETTINGS_VARIANTS: ChartSettings[] = [
  DEFAULT_SETTINGS,
  { ...DEFAULT_SETTINGS, node: 'true' },
  { ...DEFAULT_SETTINGS, ayanamsa: 'true_chitra', profile: 'jhora' },
  { ...DEFAULT_SETTINGS, ayanamsa: 'krishnamurti', node: 'true', profile: 'jhora' },
  { ...DEFAULT_SETTINGS, ayanamsa: 'fagan_bradley' },
  { ...DEFAULT_SETTINGS, ayanamsa: 'raman', node: 'true' },
];
const random = mulberry32(20_240_413);
const STARTS = Array.from({ length: 12 }, (_, i) => ({
  jdUt: JD_1900 + random() * (JD_2100 - JD_1900),
  settings: SETTINGS_VARIANTS[i % SETTINGS_VARIANTS.length],
}));
const INNER: Planet[] = ['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu'];
const OUTER: Planet[] = ['Uranus', 'Neptune', 'Pluto'];

const label = (s: ChartSettings): string => `${s.ayanamsa}/${s.node}/${s.profile}`;

describe('nextSignChange against a brute-force scan', () => {
  const cases = STARTS.flatMap(({ jdUt, settings }) =>
    INNER.map((planet) => ({ planet, jdUt, settings, name: `${planet} from ${jdUtToIso(jdUt)} (${label(settings)})` })),
  );
  // The outer planets for a few starts only: a brute-force scan spans up to ~30 years.
  const outer = STARTS.slice(0, 3).flatMap(({ jdUt, settings }) =>
    OUTER.map((planet) => ({ planet, jdUt, settings, name: `${planet} from ${jdUtToIso(jdUt)} (${label(settings)})` })),
  );

  it.each([...cases, ...outer])('$name', ({ planet, jdUt, settings }) => {
    const coarseDays = SEARCH_STEP_DAYS[planet] / 4;
    const brute = bruteFirstChange(planet, jdUt, settings, coarseDays);
    // Every body here changes sign well within the 40-year horizon from 1900–2100.
    expect(brute).not.toBeNull();
    expectMatchesBrute(nextSignChange(engine, planet, jdUt, settings), brute, planet, settings);
  });

  it('follows the Moon through 30 consecutive sign changes (the 1-second scan around each)', () => {
    const settings = DEFAULT_SETTINGS;
    const sign = signFn('Moon', settings);
    let t = jdOf('1987-06-01T00:00:00Z');
    for (let i = 0; i < 30; i++) {
      const found = nextSignChange(engine, 'Moon', t, settings)!;
      expect(found).not.toBeNull();
      // Scan ±1 minute around the answer at 1 s: exactly one change, within 1 s of the answer.
      const from = found.jdUt - MINUTE_DAYS;
      let changes = 0;
      let changeAt = NaN;
      for (let k = 1; k <= 120; k++) {
        if (sign(from + k * SECOND_DAYS) !== sign(from + (k - 1) * SECOND_DAYS)) {
          changes++;
          changeAt = from + k * SECOND_DAYS;
        }
      }
      expect(changes).toBe(1);
      expect(Math.abs(changeAt - found.jdUt)).toBeLessThanOrEqual(SECOND_DAYS + EPS_DAYS);
      // The Moon never stations: every change is one sign forward, after at most ~2.7 days.
      expect(SIGNS.indexOf(found.toSign)).toBe((SIGNS.indexOf(found.fromSign) + 1) % 12);
      expect(found.jdUt - t).toBeLessThan(2.8);
      t = found.jdUt;
    }
  });
});

describe('nextSignChange: known cases', () => {
  it('Sun enters sidereal Aries (Lahiri) on 2024-04-13 in the afternoon UTC — the Pisces → Aries wrap', () => {
    const found = nextSignChange(engine, 'Sun', jdOf('2024-03-20T00:00:00Z'), DEFAULT_SETTINGS)!;
    expect(found).toMatchObject({ fromSign: 'Pisces', toSign: 'Aries' });
    expect(found.utc).toMatch(/^2024-04-13T\d{2}:\d{2}:\d{2}Z$/);
    expect(found.utc >= '2024-04-13T15:00:00Z' && found.utc <= '2024-04-13T16:30:00Z').toBe(true);
    const lon = longitudeFn('Sun', DEFAULT_SETTINGS);
    const after = lon(found.jdUt + SECOND_DAYS);
    const before = lon(found.jdUt - SECOND_DAYS);
    expect(after).toBeGreaterThanOrEqual(0);
    expect(after).toBeLessThan(1);
    expect(before).toBeGreaterThanOrEqual(330);
    expect(before).toBeLessThan(360);
    // One second of solar motion is ~0.04″: both neighbours hug the boundary.
    expect(360 - before).toBeLessThan(2 / 3600);
    expect(after).toBeLessThan(2 / 3600);
  });

  it('Mercury re-enters the previous sign when retrograde (found by the brute-force scan)', () => {
    const settings = DEFAULT_SETTINGS;
    let t = jdOf('2024-01-01T00:00:00Z');
    let reverse: { start: number; brute: BruteChange } | null = null;
    for (let i = 0; i < 30 && reverse === null; i++) {
      const brute = bruteFirstChange('Mercury', t, settings, SEARCH_STEP_DAYS.Mercury / 4)!;
      if (SIGNS.indexOf(brute.toSign) === (SIGNS.indexOf(brute.fromSign) + 11) % 12) reverse = { start: t, brute };
      t = brute.jdUt;
    }
    expect(reverse).not.toBeNull();
    const found = nextSignChange(engine, 'Mercury', reverse!.start, settings);
    expectMatchesBrute(found, reverse!.brute, 'Mercury', settings);
    // April 2024: Mercury, retrograde in sidereal Aries, falls back into Pisces.
    expect(found).toMatchObject({ fromSign: 'Aries', toSign: 'Pisces' });
    expect(found!.utc.slice(0, 7)).toBe('2024-04');
    const positions = computePositions(engine, found!.jdUt, settings);
    expect(positions.Mercury.speedDegPerDay).toBeLessThan(0);
  });

  it('Rahu moves backwards (Aries → Pisces, Oct 2023) and Ketu changes at the same instant', () => {
    const start = jdOf('2023-06-01T00:00:00Z');
    const rahu = nextSignChange(engine, 'Rahu', start, DEFAULT_SETTINGS)!;
    const ketu = nextSignChange(engine, 'Ketu', start, DEFAULT_SETTINGS)!;
    expect(rahu).toMatchObject({ fromSign: 'Aries', toSign: 'Pisces' });
    expect(rahu.utc.slice(0, 10)).toBe('2023-10-30');
    expect(ketu).toMatchObject({ fromSign: 'Libra', toSign: 'Virgo' });
    expect(ketu.utc).toBe(rahu.utc);
    expect(Math.abs(ketu.jdUt - rahu.jdUt)).toBeLessThan(0.1 * SECOND_DAYS);
    expectMatchesBrute(rahu, bruteFirstChange('Rahu', start, DEFAULT_SETTINGS, SEARCH_STEP_DAYS.Rahu / 4), 'Rahu', DEFAULT_SETTINGS);
    expectMatchesBrute(ketu, bruteFirstChange('Ketu', start, DEFAULT_SETTINGS, SEARCH_STEP_DAYS.Ketu / 4), 'Ketu', DEFAULT_SETTINGS);
  });

  it('the true node also steps backwards, to the previous sign, at the same instant for Rahu and Ketu', () => {
    const settings: ChartSettings = { ...DEFAULT_SETTINGS, node: 'true' };
    const start = jdOf('2010-01-01T00:00:00Z');
    const rahu = nextSignChange(engine, 'Rahu', start, settings)!;
    const ketu = nextSignChange(engine, 'Ketu', start, settings)!;
    expect(SIGNS.indexOf(rahu.toSign)).toBe((SIGNS.indexOf(rahu.fromSign) + 11) % 12);
    expect(SIGNS.indexOf(ketu.fromSign)).toBe((SIGNS.indexOf(rahu.fromSign) + 6) % 12);
    expect(SIGNS.indexOf(ketu.toSign)).toBe((SIGNS.indexOf(rahu.toSign) + 6) % 12);
    expect(Math.abs(ketu.jdUt - rahu.jdUt)).toBeLessThan(0.1 * SECOND_DAYS);
  });

  it('returns null past the ephemeris end, and for a NaN start', () => {
    expect(nextSignChange(engine, 'Moon', EPHEMERIS_END_JD_UT, DEFAULT_SETTINGS)).toBeNull();
    expect(nextSignChange(engine, 'Moon', EPHEMERIS_END_JD_UT + 100, DEFAULT_SETTINGS)).toBeNull();
    expect(nextSignChange(engine, 'Moon', Number.NaN, DEFAULT_SETTINGS)).toBeNull();
    // The Moon still changes sign two days before the end.
    expect(nextSignChange(engine, 'Moon', EPHEMERIS_END_JD_UT - 3, DEFAULT_SETTINGS)).not.toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Synthetic bodies: a fake engine with an analytic longitude, so that the
// exact answer is known and cases the sky rarely offers can be forced.

interface FakeEngine {
  engine: SwissEphemeris;
  calls: number[];
}

function fakeEngine(lonDeg: (t: number) => number, speed: (t: number) => number): FakeEngine {
  const calls: number[] = [];
  const fake = {
    calcUt(jdUt: number): BodyPosition {
      calls.push(jdUt);
      return {
        lonDeg: ((lonDeg(jdUt) % 360) + 360) % 360,
        latDeg: 0,
        distAu: 1,
        lonSpeedDegPerDay: speed(jdUt),
        latSpeedDegPerDay: 0,
        distSpeedAuPerDay: 0,
        returnFlags: 0,
        ephemeris: 'swiss',
      };
    },
  };
  return { engine: fake as unknown as SwissEphemeris, calls };
}

describe('nextSignChange on synthetic motion', () => {
  it('catches a station that grazes the next sign for ~29 minutes between two march steps', () => {
    // Mars-like: rises to 30° + 1e-6° (0.0036″ into Taurus) at ts and turns back.
    const ts = 2_451_545.25;
    const k = 0.01; // °/day²
    const peak = 1e-6;
    const { engine: fake } = fakeEngine(
      (t) => 30 + peak - k * (t - ts) ** 2,
      (t) => -2 * k * (t - ts),
    );
    const start = ts - 10.5;
    // A plain march at Mars's step from `start` sees Aries at every sample.
    for (let n = 0; n <= 20; n++) {
      const lon = 30 + peak - k * (start + n * SEARCH_STEP_DAYS.Mars - ts) ** 2;
      expect(lon).toBeLessThan(30);
    }
    const found = nextSignChange(fake, 'Mars', start, DEFAULT_SETTINGS)!;
    const entry = ts - Math.sqrt(peak / k);
    expect(found).toMatchObject({ fromSign: 'Aries', toSign: 'Taurus' });
    expect(found.jdUt).toBeGreaterThanOrEqual(entry - EPS_DAYS);
    expect(found.jdUt - entry).toBeLessThanOrEqual(0.1 * SECOND_DAYS + EPS_DAYS);
  });

  it('finds the first of many short true-node loops that dips across 0° Aries → Pisces', () => {
    // Retrograde drift with a 0.1-day wiggle: the speed changes sign twenty times a day.
    const t0 = 2_451_545;
    const period = 0.1;
    const amp = 0.004;
    const lon = (t: number): number => 0.03 - 0.01 * (t - t0) + amp * Math.sin((2 * Math.PI * (t - t0)) / period);
    const speed = (t: number): number => -0.01 + ((amp * 2 * Math.PI) / period) * Math.cos((2 * Math.PI * (t - t0)) / period);
    const { engine: fake } = fakeEngine(lon, speed);
    const settings: ChartSettings = { ...DEFAULT_SETTINGS, node: 'true' };
    // First crossing below 0°: scanned at 1 s on the analytic function, then at 0.01 s.
    let t = t0;
    while (lon(t) >= 0) t += SECOND_DAYS;
    t -= SECOND_DAYS;
    while (lon(t) >= 0) t += 0.01 * SECOND_DAYS;
    // The drift alone would cross at t0 + 3 d; the dip comes first (min at t0 + 2.675 d).
    expect(t - t0).toBeGreaterThan(2.6);
    expect(t - t0).toBeLessThan(2.7);
    const found = nextSignChange(fake, 'Rahu', t0, settings)!;
    expect(found).toMatchObject({ fromSign: 'Aries', toSign: 'Pisces' });
    expect(Math.abs(found.jdUt - t)).toBeLessThanOrEqual(0.11 * SECOND_DAYS);
    // It is a dip: the body is back in Aries within the hour after it.
    expect(lon(t + 0.04)).toBeGreaterThan(0);
    const ketu = nextSignChange(fake, 'Ketu', t0, settings)!;
    expect(ketu).toMatchObject({ fromSign: 'Libra', toSign: 'Virgo' });
    expect(Math.abs(ketu.jdUt - found.jdUt)).toBeLessThanOrEqual(0.11 * SECOND_DAYS);
  });

  it('returns null for a body that never leaves its sign, with few samples and none past the horizon', () => {
    const start = 2_451_545;
    const { engine: fake, calls } = fakeEngine(() => 15, () => 0);
    expect(nextSignChange(fake, 'Jupiter', start, DEFAULT_SETTINGS)).toBeNull();
    expect(Math.max(...calls)).toBeLessThanOrEqual(start + SEARCH_HORIZON_DAYS);
    expect(Math.max(...calls)).toBeGreaterThan(start + SEARCH_HORIZON_DAYS - 1);
    // 15° from either edge at ≤ 0.3°/day: jumps of 50 days, ~300 samples for 40 years.
    expect(calls.length).toBeLessThan(400);

    const nearEnd = fakeEngine(() => 15, () => 0);
    expect(nextSignChange(nearEnd.engine, 'Pluto', EPHEMERIS_END_JD_UT - 100, DEFAULT_SETTINGS)).toBeNull();
    expect(Math.max(...nearEnd.calls)).toBe(EPHEMERIS_END_JD_UT);
  });
});

describe('jdUtToIso', () => {
  it.each([
    [2_451_545, '2000-01-01T12:00:00Z'],
    [2_440_587.5, '1970-01-01T00:00:00Z'],
    [2_451_545 + 0.4 * SECOND_DAYS, '2000-01-01T12:00:00Z'],
    [2_451_545 + 0.6 * SECOND_DAYS, '2000-01-01T12:00:01Z'],
    [2_451_545 + 59.6 * SECOND_DAYS, '2000-01-01T12:01:00Z'],
    [2_440_587.5 - 1.4 * SECOND_DAYS, '1969-12-31T23:59:59Z'],
    [jdOf('2025-03-29T20:58:12Z'), '2025-03-29T20:58:12Z'],
  ])('%d → %s', (jd, iso) => {
    expect(jdUtToIso(jd)).toBe(iso);
  });

  it('round-trips whole seconds across 1900–2100', () => {
    const rnd = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      const ms = Math.round((Date.UTC(1900, 0, 1) + rnd() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1))) / 1000) * 1000;
      const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
      expect(jdUtToIso(jdOf(iso))).toBe(iso);
    }
  });
});

describe('computeTransits', () => {
  // Natal: 1990-05-15 06:00 UTC, New Delhi; Lahiri, mean node, whole-sign.
  const natal = computeNatal(engine, {
    jdUt: jdOf('1990-05-15T06:00:00Z'),
    latDeg: 28.6139,
    lonDeg: 77.209,
    settings: DEFAULT_SETTINGS,
  });
  // Transit instant 2024-04-20 00:00 UTC.
  const transitJd = jdOf('2024-04-20T00:00:00Z');

  it('natal reference: ascendant in Cancer, Moon in Capricorn', () => {
    expect(natal.ascendant.sign).toBe('Cancer');
    expect(natal.planets.Moon.sign).toBe('Capricorn');
  });

  it('counts whole-sign houses from the natal ascendant (Cancer) and Moon (Capricorn)', () => {
    const transits = computeTransits(engine, { jdUt: transitJd, natal, settings: DEFAULT_SETTINGS });
    // Sidereal (Lahiri) sky of 2024-04-20, as in the almanacs; houses counted by hand.
    const expected: Record<Planet, [Sign, number, number]> = {
      Sun: ['Aries', 10, 4],
      Moon: ['Leo', 2, 8],
      Mars: ['Aquarius', 8, 2],
      Mercury: ['Pisces', 9, 3],
      Jupiter: ['Aries', 10, 4],
      Venus: ['Pisces', 9, 3],
      Saturn: ['Aquarius', 8, 2],
      Rahu: ['Pisces', 9, 3],
      Ketu: ['Virgo', 3, 9],
      Uranus: ['Aries', 10, 4],
      Neptune: ['Pisces', 9, 3],
      Pluto: ['Capricorn', 7, 1],
    };
    for (const planet of PLANETS) {
      const t = transits[planet];
      expect([t.sign, t.houseFromAscendant, t.houseFromMoon], planet).toEqual(expected[planet]);
    }
    expect(transits.Mercury.retrograde).toBe(true);
    expect(transits.Sun.retrograde).toBe(false);
  });

  it('wraps the house count across Pisces → Aries', () => {
    const wrapped: NatalChart = {
      ...natal,
      ascendant: { longitudeDeg: 359.99, ...placement(359.99) },
      planets: { ...natal.planets, Moon: { ...natal.planets.Moon, longitudeDeg: 0, ...placement(0) } },
    };
    const transits = computeTransits(engine, { jdUt: transitJd, natal: wrapped, settings: DEFAULT_SETTINGS });
    expect([transits.Sun.houseFromAscendant, transits.Sun.houseFromMoon]).toEqual([2, 1]); // Aries
    expect([transits.Venus.houseFromAscendant, transits.Venus.houseFromMoon]).toEqual([1, 12]); // Pisces
    expect([transits.Pluto.houseFromAscendant, transits.Pluto.houseFromMoon]).toEqual([11, 10]); // Capricorn
  });

  it('reports the positions of computePositions and the next sign changes of nextSignChange', () => {
    const settings: ChartSettings = { ...DEFAULT_SETTINGS, node: 'true', ayanamsa: 'krishnamurti' };
    const transits = computeTransits(engine, { jdUt: transitJd, natal, settings });
    const raw = computePositions(engine, transitJd, settings);
    for (const planet of PLANETS) {
      const t = transits[planet];
      expect(t.longitudeDeg, planet).toBe(raw[planet].lonDeg);
      expect(t.latitudeDeg, planet).toBe(raw[planet].latDeg);
      expect(t.speedDegPerDay, planet).toBe(raw[planet].speedDegPerDay);
      expect(t.retrograde, planet).toBe(raw[planet].speedDegPerDay < 0);
      expect(t, planet).toMatchObject(placement(raw[planet].lonDeg));
      // Ketu's change is derived from Rahu's; it must equal a search of its own.
      expect(t.nextSignChange, planet).toEqual(nextSignChange(engine, planet, transitJd, settings));
      expect(t.nextSignChange!.fromSign, planet).toBe(t.sign);
    }
    expect(transits.Rahu.nextSignChange!.toSign).toBe('Aquarius');
    expect(transits.Ketu.nextSignChange!.toSign).toBe('Leo');
  });

  // Cost is measured by `npm run bench` (vargas-node section), never asserted here.
  it('finds a next sign change for all twelve planets at random instants and settings', () => {
    const rnd = mulberry32(99);
    for (let i = 0; i < 20; i++) {
      const jdUt = JD_1900 + rnd() * (JD_2100 - JD_1900);
      const settings = SETTINGS_VARIANTS[i % SETTINGS_VARIANTS.length];
      const transits = computeTransits(engine, { jdUt, natal, settings });
      for (const planet of PLANETS) {
        const change = transits[planet].nextSignChange;
        expect(change, planet).not.toBeNull();
        expect(change!.jdUt, planet).toBeGreaterThan(jdUt);
        expect(change!.fromSign, planet).toBe(transits[planet].sign);
      }
    }
  });
});
