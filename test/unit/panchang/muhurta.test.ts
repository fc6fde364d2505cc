/**
 * Muhurtas, choghadiya and hora: the tables against the rules they encode,
 * and the periods against a published daily panchang.
 *
 * Published reference: News Continuous "આજનો દિવસ" for Mumbai, which prints
 * Rahu kaal to the minute from the (western) sunrise and sunset:
 *   https://www.newscontinuous.com/life-style/jyotish/todays-horoscope-30th-august-2023-horoscope/
 *     (Wed 30 Aug 2023: Rahu kaal 12.39–14.13, first day choghadiya Labh)
 *   https://www.newscontinuous.com/life-style/jyotish/todays-horoscope-13th-september-2023-horoscope/amp
 *     (Wed 13 Sep 2023: Rahu kaal 12.34–14.06, first day choghadiya Labh)
 * Tolerance maxSec = 60: the paper prints minutes.
 */
import { describe, expect, it } from 'vitest';
import {
  CHOGHADIYA_LORD,
  CHOGHADIYA_TABLE,
  DAY_EIGHTH_PERIODS,
  HORA_ORDER,
  VARAS,
  computePanchangDay,
  resolveLocalDay,
  type PanchangSettings,
} from '../../../src/core/panchang';
import { nodeEngine } from '../../support/node-engine';

const engine = nodeEngine();
const SECOND_DAYS = 1 / 86_400;
const MUMBAI = { latDeg: 18.975, lonDeg: 72.8258 };
const WESTERN: PanchangSettings = { ayanamsa: 'lahiri', profile: 'default', sunriseMode: 'western' };
const jdOfIst = (iso: string) => Date.parse(`${iso}:00+05:30`) / 86_400_000 + 2_440_587.5;

function day(date: string, settings = WESTERN) {
  const r = resolveLocalDay(date, { timezone: 'Asia/Kolkata' });
  return computePanchangDay(engine, { ...r, place: MUMBAI, settings });
}

describe('tables against their rules', () => {
  it('choghadiya: the day starts with the weekday lord and follows hora order; the night starts four weekdays on and steps back two', () => {
    for (let w = 0; w < 7; w++) {
      const first = HORA_ORDER.indexOf(VARAS[w].lord);
      const night = HORA_ORDER.indexOf(VARAS[(w + 4) % 7].lord);
      CHOGHADIYA_TABLE[w].day.forEach((name, i) => expect(CHOGHADIYA_LORD[name]).toBe(HORA_ORDER[(first + (i % 7)) % 7]));
      CHOGHADIYA_TABLE[w].night.forEach((name, i) => expect(CHOGHADIYA_LORD[name]).toBe(HORA_ORDER[(((night - 2 * (i % 7)) % 7) + 7) % 7]));
    }
  });

  it('Rahu kaal, Yamaganda, Gulika: each weekday uses a different eighth, never the same two for one day', () => {
    for (const table of Object.values(DAY_EIGHTH_PERIODS)) expect(new Set(table).size).toBe(7);
    for (let w = 0; w < 7; w++) {
      const parts = [DAY_EIGHTH_PERIODS.rahuKaal[w], DAY_EIGHTH_PERIODS.yamaganda[w], DAY_EIGHTH_PERIODS.gulikaKaal[w]];
      expect(new Set(parts).size).toBe(3);
    }
  });
});

describe('a day’s periods', () => {
  it('hora: 24 contiguous horas from sunrise to the next sunrise, the 25th would belong to the next weekday lord', () => {
    const d = day('2023-10-22');
    const m = d.muhurtas!;
    expect(m.hora).toHaveLength(24);
    expect(m.hora[0].startJdUt).toBe(d.sunriseJdUt);
    expect(m.hora[11].endJdUt).toBeCloseTo(d.sunsetJdUt!, 9);
    expect(m.hora[23].endJdUt).toBeCloseTo(d.nextSunriseJdUt!, 9);
    for (let i = 1; i < 24; i++) expect(m.hora[i].startJdUt).toBeCloseTo(m.hora[i - 1].endJdUt, 9);
    expect(m.hora[0].lord).toBe('Sun');
    expect(HORA_ORDER[(HORA_ORDER.indexOf(m.hora[23].lord) + 1) % 7]).toBe('Moon');
  });

  it('choghadiya: 8 by day, 8 by night, covering sunrise → sunset → next sunrise', () => {
    const d = day('2023-10-22');
    const c = d.muhurtas!.choghadiya;
    expect(c.day.map((x) => x.name)).toEqual(CHOGHADIYA_TABLE[0].day);
    expect(c.day[0].startJdUt).toBe(d.sunriseJdUt);
    expect(c.day[7].endJdUt).toBeCloseTo(d.sunsetJdUt!, 9);
    expect(c.night[0].startJdUt).toBe(d.sunsetJdUt);
    expect(c.night[7].endJdUt).toBeCloseTo(d.nextSunriseJdUt!, 9);
  });

  it('abhijit is centred on local apparent noon, Brahma muhurta ends one night-muhurta before sunrise, Tuesday has a night dur muhurta', () => {
    const d = day('2023-10-22');
    const m = d.muhurtas!;
    expect((m.abhijit.startJdUt + m.abhijit.endJdUt) / 2).toBeCloseTo((d.sunriseJdUt! + d.sunsetJdUt!) / 2, 9);
    expect(m.brahmaMuhurta.endJdUt).toBeLessThan(d.sunriseJdUt!);
    expect(m.pradoshKaal.startJdUt).toBe(d.sunsetJdUt);
    const tuesday = day('2023-10-24');
    expect(tuesday.weekday).toBe(2);
    expect(tuesday.muhurtas!.durMuhurtas).toHaveLength(2);
    expect(tuesday.muhurtas!.durMuhurtas[1].startJdUt).toBeGreaterThan(tuesday.sunsetJdUt!);
  });

  const maxSec = 60;
  for (const ref of [
    { date: '2023-08-30', start: '2023-08-30T12:39', end: '2023-08-30T14:13' },
    { date: '2023-09-13', start: '2023-09-13T12:34', end: '2023-09-13T14:06' },
  ]) {
    it(`${ref.date} (Wednesday, Mumbai): Rahu kaal ${ref.start.slice(11)}–${ref.end.slice(11)} as News Continuous prints it (±${maxSec} s), first choghadiya Labh`, () => {
      const d = day(ref.date);
      expect(d.weekday).toBe(3);
      const rahu = d.muhurtas!.rahuKaal;
      expect(Math.abs(rahu.startJdUt - jdOfIst(ref.start)) / SECOND_DAYS).toBeLessThanOrEqual(maxSec);
      expect(Math.abs(rahu.endJdUt - jdOfIst(ref.end)) / SECOND_DAYS).toBeLessThanOrEqual(maxSec);
      expect(d.muhurtas!.choghadiya.day[0].name).toBe('Labh');
    });
  }

  it('gand mool: 2024-03-05 (Mula until 15:59 IST) lists Mula with its start and end', () => {
    const d = day('2024-03-05');
    expect(d.gandMool.map((g) => g.nakshatra)).toContain('Mula');
    const mula = d.gandMool.find((g) => g.nakshatra === 'Mula')!;
    expect(mula.endJdUt).toBe(d.limbs.nakshatra.endJdUt);
    expect(mula.startJdUt).toBeLessThan(d.sunriseJdUt!);
    // Mula lasts roughly a day (13°20′ at 11.8–15.4°/day).
    expect(mula.endJdUt - mula.startJdUt).toBeGreaterThan(0.85);
    expect(mula.endJdUt - mula.startJdUt).toBeLessThan(1.15);
    expect(day('2023-10-22').gandMool).toEqual([]);
  });
});
