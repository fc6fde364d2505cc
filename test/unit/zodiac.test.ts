import { describe, expect, it } from 'vitest';
import { houseOf, type HouseFrame } from '../../src/core/natal';
import { NAKSHATRA_SPAN_DEG, PADA_SPAN_DEG, nakshatraIndex, normalizeDeg, padaOf, placement } from '../../src/core/zodiac';

describe('normalizeDeg', () => {
  it.each([
    [0, 0],
    [360, 0],
    [-0, 0],
    [-30, 330],
    [725, 5],
    [-1e-15, 0],
  ])('%d° → %d°', (input, expected) => {
    const out = normalizeDeg(input);
    expect(out).toBeCloseTo(expected, 12);
    expect(out).toBeGreaterThanOrEqual(0);
    expect(out).toBeLessThan(360);
    expect(Object.is(out, -0)).toBe(false);
  });
});

describe('placement', () => {
  it('names sign, degree, nakshatra, lord and pada', () => {
    // 231.5595°: Scorpio 21.5595°, Jyeshtha (226°40′–240°), pada 2 (230°–233°20′).
    expect(placement(231.5595)).toMatchObject({ sign: 'Scorpio', nakshatra: 'Jyeshtha', nakshatraLord: 'Mercury', pada: 2 });
    expect(placement(231.5595).degreeInSign).toBeCloseTo(21.5595, 10);
    expect(placement(0)).toMatchObject({ sign: 'Aries', degreeInSign: 0, nakshatra: 'Ashwini', nakshatraLord: 'Ketu', pada: 1 });
    expect(placement(359.9999)).toMatchObject({ sign: 'Pisces', nakshatra: 'Revati', nakshatraLord: 'Mercury', pada: 4 });
  });

  it('puts every exact nakshatra boundary in the nakshatra that starts there', () => {
    for (let n = 0; n < 27; n++) {
      const startDeg = n * NAKSHATRA_SPAN_DEG;
      expect(nakshatraIndex(startDeg)).toBe(n);
      expect(padaOf(startDeg)).toBe(1);
      if (n > 0) expect(nakshatraIndex(startDeg - 1e-9)).toBe(n - 1);
    }
  });

  it('counts padas 1-4 inside each nakshatra, never 0', () => {
    for (let q = 0; q < 108; q++) {
      expect(padaOf(q * PADA_SPAN_DEG + PADA_SPAN_DEG / 2)).toBe((q % 4) + 1);
      expect(padaOf(q * PADA_SPAN_DEG)).toBe((q % 4) + 1);
    }
  });

  it('cycles the nine Vimshottari lords three times', () => {
    expect(placement(13.5).nakshatraLord).toBe('Venus'); // Bharani
    expect(placement(120 + 1).nakshatraLord).toBe('Ketu'); // Magha
    expect(placement(240 + 1).nakshatraLord).toBe('Ketu'); // Mula
  });
});

describe('houseOf', () => {
  const placidusLike: HouseFrame = {
    ascendantDeg: 292.4,
    cuspsDeg: [292.4, 327.5, 1.3, 31.1, 57.6, 83.6, 112.4, 147.5, 181.3, 211.1, 237.6, 263.6],
  };

  it('finds the cusp interval, across 0° Aries too', () => {
    expect(houseOf(292.4, placidusLike, 'placidus')).toBe(1);
    expect(houseOf(0.5, placidusLike, 'placidus')).toBe(2);
    expect(houseOf(1.3, placidusLike, 'placidus')).toBe(3);
    expect(houseOf(231.56, placidusLike, 'placidus')).toBe(10);
    expect(houseOf(292.39, placidusLike, 'placidus')).toBe(12);
  });

  it('counts whole signs from the ascendant sign', () => {
    const frame: HouseFrame = { ascendantDeg: 292.4, cuspsDeg: Array.from({ length: 12 }, (_, i) => (270 + 30 * i) % 360) };
    expect(houseOf(270, frame, 'whole_sign')).toBe(1);
    expect(houseOf(231.56, frame, 'whole_sign')).toBe(11);
    expect(houseOf(269.99, frame, 'whole_sign')).toBe(12);
  });
});
