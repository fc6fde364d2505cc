/**
 * Varga degrees of a real chart against the values Jagannatha Hora shows for it.
 *
 * Source: the standard chart of docs/jyotish-rules.md ("Divisional charts"):
 * 1996-12-07 10:34 IST (05:04 UT), Chennai 13.0878 N 80.2785 E, Lahiri, true
 * positions without nutation (our `profile: "jhora"`). Jagannatha Hora shows
 * the D30 ascendant at 13.37° and the Sun at 16.96° (two decimals), i.e. the
 * degree (x·30) mod 30 of every varga, D30 included; the proportional degree
 * inside D30's unequal part (our `parashara_proportional`) gives 14.67° and
 * 9.39° for the same points.
 */
import { describe, expect, it } from 'vitest';
import { computeNatal } from '../../src/core/natal';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { vargaChart } from '../../src/core/varga';
import { nodeEngine } from '../support/node-engine';

// 1996-12-07 05:04:00 UT as a Julian day (swetest -b7.12.1996 -ut5:04 prints 2450424.711111111).
const JD_UT = 2450424.711111111;
/** JHora prints degrees to 0.01°: half of that is the rounding we must stay within. */
const maxDisplayDeg = 0.005;

describe('D30 degrees of the standard chart, as Jagannatha Hora shows them', () => {
  const natal = computeNatal(nodeEngine(), {
    jdUt: JD_UT,
    latDeg: 13.0878,
    lonDeg: 80.2785,
    settings: { ...DEFAULT_SETTINGS, profile: 'jhora' },
  });

  it('default (parashara): degree = (x·30) mod 30 — ascendant 13.37°, Sun 16.96°', () => {
    const d30 = vargaChart(natal, 30);
    expect(d30.method).toBe('parashara');
    expect(Math.abs(d30.ascendant.degreeInSign - 13.37)).toBeLessThanOrEqual(maxDisplayDeg);
    expect(Math.abs(d30.planets.Sun.degreeInSign - 16.96)).toBeLessThanOrEqual(maxDisplayDeg);
  });

  it('parashara_proportional keeps the same signs with the degree scaled inside the part — 14.67° and 9.39°', () => {
    const scaled = vargaChart(natal, 30, 'parashara_proportional');
    const plain = vargaChart(natal, 30);
    expect(scaled.method).toBe('parashara_proportional');
    expect(scaled.ascendant.sign).toBe(plain.ascendant.sign);
    for (const name of Object.keys(plain.planets) as (keyof typeof plain.planets)[]) {
      expect(scaled.planets[name].sign, name).toBe(plain.planets[name].sign);
    }
    // The figures the issue quotes for our old default (rounded to 0.01°).
    expect(Math.abs(scaled.ascendant.degreeInSign - 14.67)).toBeLessThanOrEqual(maxDisplayDeg);
    expect(Math.abs(scaled.planets.Sun.degreeInSign - 9.39)).toBeLessThanOrEqual(maxDisplayDeg);
  });
});
