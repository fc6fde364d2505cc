/**
 * Divisional charts (src/core/varga.ts) against expectations written by hand
 * from the rule text of docs/jyotish-rules.md ("Divisional charts"). Expected
 * signs are spelled as names and derived from the doc's "from X" rules here,
 * never by calling the implementation.
 */
import { describe, expect, it } from 'vitest';
import { PLANETS, type NatalChart, type Planet, type PlanetPosition } from '../../src/core/natal';
import {
  DIVISIONS,
  SHODASAVARGA,
  VARGA_METHODS,
  VARGA_NAMES,
  isVargaMethod,
  parseDivision,
  vargaChart,
  vargaPoint,
  type Division,
} from '../../src/core/varga';
import { placement } from '../../src/core/zodiac';
import { mulberry32 } from '../support/prng';

// ---------------------------------------------------------------------------
// Hand-written sign vocabulary (from the doc's Notation section).
const ORDER = [
  'Aries', 'Taurus', 'Gemini', 'Cancer', 'Leo', 'Virgo',
  'Libra', 'Scorpio', 'Sagittarius', 'Capricorn', 'Aquarius', 'Pisces',
] as const;
type SignName = (typeof ORDER)[number];
const AB: Record<string, SignName> = {
  Ar: 'Aries', Ta: 'Taurus', Ge: 'Gemini', Cn: 'Cancer', Le: 'Leo', Vi: 'Virgo',
  Li: 'Libra', Sc: 'Scorpio', Sg: 'Sagittarius', Cp: 'Capricorn', Aq: 'Aquarius', Pi: 'Pisces',
};
/** 'Ar Le Sg' → ['Aries', 'Leo', 'Sagittarius']. */
const names = (abbrevs: string): SignName[] => abbrevs.split(' ').map((a) => AB[a]);
const idx = (sign: SignName): number => ORDER.indexOf(sign);
/** The sign `steps` signs on from `sign` (1st from X is X itself, so steps = n − 1). */
const on = (sign: SignName, steps: number): SignName => ORDER[(((idx(sign) + steps) % 12) + 12) % 12];
/** "Odd sign" = Aries, Gemini, Leo, … */
const ODD = new Set<SignName>(['Aries', 'Gemini', 'Leo', 'Libra', 'Sagittarius', 'Aquarius']);
const MOVABLE = new Set<SignName>(['Aries', 'Cancer', 'Libra', 'Capricorn']);
const FIXED = new Set<SignName>(['Taurus', 'Leo', 'Scorpio', 'Aquarius']);
const FIRE = new Set<SignName>(['Aries', 'Leo', 'Sagittarius']);
const EARTH = new Set<SignName>(['Taurus', 'Virgo', 'Capricorn']);
const AIR = new Set<SignName>(['Gemini', 'Libra', 'Aquarius']);

type Expect = (sign: SignName, part: number) => SignName;
const from =
  (start: (sign: SignName) => SignName, step: (sign: SignName) => number = () => 1): Expect =>
  (sign, part) =>
    on(start(sign), part * step(sign));
const oddEven = (odd: SignName, even: SignName) => (s: SignName) => (ODD.has(s) ? odd : even);
const byModality = (movable: SignName, fixed: SignName, dual: SignName) => (s: SignName) =>
  MOVABLE.has(s) ? movable : FIXED.has(s) ? fixed : dual;
const byElement = (fire: SignName, earth: SignName, air: SignName, water: SignName) => (s: SignName) =>
  FIRE.has(s) ? fire : EARTH.has(s) ? earth : AIR.has(s) ? air : water;
const itself = (s: SignName) => s;

/** D2 parivritti even-reverse: odd → (2s + l), even → (2s + 1 − l); written out sign by sign. */
const HORA_PARIVRITTI: Record<SignName, string> = {
  Aries: 'Ar Ta', Taurus: 'Cn Ge', Gemini: 'Le Vi', Cancer: 'Sc Li', Leo: 'Sg Cp', Virgo: 'Pi Aq',
  Libra: 'Ar Ta', Scorpio: 'Cn Ge', Sagittarius: 'Le Vi', Capricorn: 'Sc Li', Aquarius: 'Sg Cp', Pisces: 'Pi Aq',
};
/** D11 rath (l − s) mod 12: the sign of part 0, written out sign by sign. */
const RUDRAMSA_START: Record<SignName, SignName> = {
  Aries: 'Aries', Taurus: 'Pisces', Gemini: 'Aquarius', Cancer: 'Capricorn', Leo: 'Sagittarius', Virgo: 'Scorpio',
  Libra: 'Libra', Scorpio: 'Virgo', Sagittarius: 'Leo', Capricorn: 'Cancer', Aquarius: 'Gemini', Pisces: 'Taurus',
};

/** Every equal-part (division, method) with the doc's rule restated as "from X". */
const EQUAL_RULES: Record<string, Expect> = {
  'D1/parashara': (s) => s,
  'D2/parashara': from(oddEven('Leo', 'Cancer'), (s) => (ODD.has(s) ? -1 : 1)), // odd Le,Cn; even Cn,Le
  'D2/parivritti': (s, l) => names(HORA_PARIVRITTI[s])[l],
  'D3/parashara': from(itself, () => 4), // 1st, 5th, 9th
  // cyclic (3s + l): Aries' parts are Ar Ta Ge, Taurus' Cn Le Vi, …: fire from Ar, earth Cn, air Li, water Cp
  'D3/parivritti': from(byElement('Aries', 'Cancer', 'Libra', 'Capricorn')),
  'D4/parashara': from(itself, () => 3), // 1st, 4th, 7th, 10th
  'D5/parashara': (s, l) => names(ODD.has(s) ? 'Ar Aq Sg Ge Li' : 'Ta Vi Pi Cp Sc')[l],
  'D6/parashara': from(oddEven('Aries', 'Libra')),
  'D7/parashara': from((s) => (ODD.has(s) ? s : on(s, 6))), // even: from the 7th
  'D8/parashara': from(byModality('Aries', 'Sagittarius', 'Leo')),
  'D9/parashara': from(byElement('Aries', 'Capricorn', 'Libra', 'Cancer')),
  'D10/parashara': from((s) => (ODD.has(s) ? s : on(s, 8))), // even: from the 9th
  'D11/rath': from((s) => RUDRAMSA_START[s]),
  // cyclic: the 11 parts of each sign continue round the zodiac from Aries' first part
  'D11/parivritti': (s, l) => on('Aries', 11 * idx(s) + l),
  'D12/parashara': from(itself),
  'D16/parashara': from(byModality('Aries', 'Leo', 'Sagittarius')),
  'D20/parashara': from(byModality('Aries', 'Sagittarius', 'Leo')),
  'D24/parashara': from(oddEven('Leo', 'Cancer')),
  'D24/parivritti': from(() => 'Aries'), // 24 parts = two full rounds, every sign starts at Aries
  'D27/parashara': from(byElement('Aries', 'Cancer', 'Libra', 'Capricorn')),
  'D30/parivritti': from(oddEven('Aries', 'Libra')), // 30 one-degree parts: odd signs from Ar, even from Li
  'D40/parashara': from(oddEven('Aries', 'Libra')),
  'D45/parashara': from(byModality('Aries', 'Leo', 'Sagittarius')),
  'D60/parashara': from(itself),
};
const EQUAL_CASES = Object.keys(EQUAL_RULES).map((key) => {
  const [d, method] = key.split('/');
  return { key, n: Number(d.slice(1)) as Division, method };
});

/** Distance on a circle of circumference 30. */
const circ30 = (a: number, b: number): number => {
  const d = Math.abs(a - b) % 30;
  return Math.min(d, 30 - d);
};

// ---------------------------------------------------------------------------

describe('catalogue', () => {
  it('lists the twenty divisions with their names', () => {
    expect([...DIVISIONS]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 24, 27, 30, 40, 45, 60]);
    expect(DIVISIONS.map((d) => VARGA_NAMES[d])).toEqual([
      'Rasi', 'Hora', 'Drekkana', 'Chaturthamsa', 'Panchamsa', 'Shashthamsa', 'Saptamsa', 'Ashtamsa', 'Navamsa',
      'Dasamsa', 'Rudramsa', 'Dwadasamsa', 'Shodasamsa', 'Vimsamsa', 'Chaturvimsamsa', 'Bhamsa', 'Trimsamsa',
      'Khavedamsa', 'Akshavedamsa', 'Shashtiamsa',
    ]);
    expect([...SHODASAVARGA]).toEqual([1, 2, 3, 4, 7, 9, 10, 12, 16, 20, 24, 27, 30, 40, 45, 60]);
  });

  it('defaults to parashara everywhere except D11 (rath) and offers the listed variants', () => {
    for (const d of DIVISIONS) expect(VARGA_METHODS[d][0], `D${d}`).toBe(d === 11 ? 'rath' : 'parashara');
    expect(VARGA_METHODS[2]).toEqual(['parashara', 'parivritti']);
    expect(VARGA_METHODS[3]).toEqual(['parashara', 'parivritti']);
    expect(VARGA_METHODS[11]).toEqual(['rath', 'parivritti']);
    expect(VARGA_METHODS[24]).toEqual(['parashara', 'parivritti']);
    expect(VARGA_METHODS[30]).toEqual(['parashara', 'parashara_proportional', 'parivritti']);
    for (const d of [1, 4, 5, 6, 7, 8, 9, 10, 12, 16, 20, 27, 40, 45, 60] as Division[]) {
      expect(VARGA_METHODS[d], `D${d}`).toEqual(['parashara']);
    }
  });

  it('tests every (division, method) pair: all equal ones here, D30 parashara and parashara_proportional separately', () => {
    const offered = DIVISIONS.flatMap((d) => VARGA_METHODS[d].map((m) => `D${d}/${m}`)).sort();
    expect(offered).toEqual([...Object.keys(EQUAL_RULES), 'D30/parashara', 'D30/parashara_proportional'].sort());
  });

  it('isVargaMethod accepts exactly the offered methods', () => {
    expect(isVargaMethod(9, 'parashara')).toBe(true);
    expect(isVargaMethod(11, 'rath')).toBe(true);
    expect(isVargaMethod(11, 'parashara')).toBe(false);
    expect(isVargaMethod(2, 'parivritti')).toBe(true);
    expect(isVargaMethod(9, 'parivritti')).toBe(false);
    expect(isVargaMethod(30, 'Parashara')).toBe(false);
    expect(isVargaMethod(30, '')).toBe(false);
    expect(isVargaMethod(13 as Division, 'parashara')).toBe(false);
  });

  it('vargaPoint throws RangeError on a method the division lacks, or a bad longitude', () => {
    expect(() => vargaPoint(10, 9, 'parivritti')).toThrow(RangeError);
    expect(() => vargaPoint(10, 11, 'parashara')).toThrow(RangeError);
    expect(() => vargaPoint(10, 13 as Division)).toThrow(RangeError);
    expect(() => vargaPoint(Number.NaN, 9)).toThrow(RangeError);
    expect(() => vargaPoint(Number.POSITIVE_INFINITY, 9)).toThrow(RangeError);
    expect(vargaPoint(10, 11, 'rath').sign).toBe('Cancer');
  });
});

describe('parseDivision', () => {
  it.each([
    [9, 9], ['9', 9], ['D9', 9], ['d9', 9], [1, 1], ['D1', 1], ['60', 60], ['D60', 60], ['d45', 45], [30, 30],
  ] as const)('%j → %j', (input, expected) => {
    expect(parseDivision(input)).toBe(expected);
  });

  it.each([
    13, 0, -9, 9.5, Number.NaN, Number.POSITIVE_INFINITY, 61,
    '13', 'D13', 'D0', '0', '', 'D', 'd', '9.0', '09', 'D09', ' 9', '9 ', 'DD9', 'D-9', '-9', 'x9', 'navamsa', 'D 9', '9D',
  ])('%j → null', (input) => {
    expect(parseDivision(input)).toBeNull();
  });
});

describe('hand-written part tables', () => {
  // Per sign: the varga sign of each part, in order, straight from the doc's wording.
  const TABLES: [string, Division, string, SignName, string][] = [
    ['D2 odd', 2, 'parashara', 'Aries', 'Le Cn'],
    ['D2 even', 2, 'parashara', 'Taurus', 'Cn Le'],
    ['D2 odd dual', 2, 'parashara', 'Gemini', 'Le Cn'],
    ['D2 even movable', 2, 'parashara', 'Cancer', 'Cn Le'],
    ['D2 parivritti', 2, 'parivritti', 'Aries', 'Ar Ta'],
    ['D2 parivritti', 2, 'parivritti', 'Taurus', 'Cn Ge'],
    ['D2 parivritti', 2, 'parivritti', 'Cancer', 'Sc Li'],
    ['D2 parivritti', 2, 'parivritti', 'Virgo', 'Pi Aq'],
    ['D3', 3, 'parashara', 'Aries', 'Ar Le Sg'],
    ['D3', 3, 'parashara', 'Taurus', 'Ta Vi Cp'],
    ['D3', 3, 'parashara', 'Gemini', 'Ge Li Aq'],
    ['D3', 3, 'parashara', 'Virgo', 'Vi Cp Ta'],
    ['D3 parivritti', 3, 'parivritti', 'Aries', 'Ar Ta Ge'],
    ['D3 parivritti', 3, 'parivritti', 'Taurus', 'Cn Le Vi'],
    ['D3 parivritti', 3, 'parivritti', 'Gemini', 'Li Sc Sg'],
    ['D3 parivritti', 3, 'parivritti', 'Cancer', 'Cp Aq Pi'],
    ['D3 parivritti', 3, 'parivritti', 'Pisces', 'Cp Aq Pi'],
    ['D4', 4, 'parashara', 'Aries', 'Ar Cn Li Cp'],
    ['D4', 4, 'parashara', 'Taurus', 'Ta Le Sc Aq'],
    ['D4', 4, 'parashara', 'Virgo', 'Vi Sg Pi Ge'],
    ['D5 odd', 5, 'parashara', 'Aries', 'Ar Aq Sg Ge Li'],
    ['D5 odd', 5, 'parashara', 'Sagittarius', 'Ar Aq Sg Ge Li'],
    ['D5 even', 5, 'parashara', 'Taurus', 'Ta Vi Pi Cp Sc'],
    ['D5 even', 5, 'parashara', 'Pisces', 'Ta Vi Pi Cp Sc'],
    ['D6 odd', 6, 'parashara', 'Gemini', 'Ar Ta Ge Cn Le Vi'],
    ['D6 even', 6, 'parashara', 'Cancer', 'Li Sc Sg Cp Aq Pi'],
    ['D7 odd', 7, 'parashara', 'Leo', 'Le Vi Li Sc Sg Cp Aq'],
    ['D7 even', 7, 'parashara', 'Taurus', 'Sc Sg Cp Aq Pi Ar Ta'],
    ['D7 even', 7, 'parashara', 'Virgo', 'Pi Ar Ta Ge Cn Le Vi'],
    ['D8 movable', 8, 'parashara', 'Cancer', 'Ar Ta Ge Cn Le Vi Li Sc'],
    ['D8 fixed', 8, 'parashara', 'Taurus', 'Sg Cp Aq Pi Ar Ta Ge Cn'],
    ['D8 dual', 8, 'parashara', 'Gemini', 'Le Vi Li Sc Sg Cp Aq Pi'],
    ['D9 fire', 9, 'parashara', 'Leo', 'Ar Ta Ge Cn Le Vi Li Sc Sg'],
    ['D9 earth', 9, 'parashara', 'Taurus', 'Cp Aq Pi Ar Ta Ge Cn Le Vi'],
    ['D9 air', 9, 'parashara', 'Gemini', 'Li Sc Sg Cp Aq Pi Ar Ta Ge'],
    ['D9 water', 9, 'parashara', 'Cancer', 'Cn Le Vi Li Sc Sg Cp Aq Pi'],
    ['D10 odd', 10, 'parashara', 'Gemini', 'Ge Cn Le Vi Li Sc Sg Cp Aq Pi'],
    ['D10 even', 10, 'parashara', 'Taurus', 'Cp Aq Pi Ar Ta Ge Cn Le Vi Li'],
    ['D10 even', 10, 'parashara', 'Cancer', 'Pi Ar Ta Ge Cn Le Vi Li Sc Sg'],
    ['D11 rath', 11, 'rath', 'Aries', 'Ar Ta Ge Cn Le Vi Li Sc Sg Cp Aq'],
    ['D11 rath', 11, 'rath', 'Taurus', 'Pi Ar Ta Ge Cn Le Vi Li Sc Sg Cp'],
    ['D11 rath', 11, 'rath', 'Leo', 'Sg Cp Aq Pi Ar Ta Ge Cn Le Vi Li'],
    ['D11 parivritti', 11, 'parivritti', 'Taurus', 'Pi Ar Ta Ge Cn Le Vi Li Sc Sg Cp'],
    ['D12', 12, 'parashara', 'Scorpio', 'Sc Sg Cp Aq Pi Ar Ta Ge Cn Le Vi Li'],
    ['D24 odd', 24, 'parashara', 'Aries', 'Le Vi Li Sc Sg Cp Aq Pi Ar Ta Ge Cn Le Vi Li Sc Sg Cp Aq Pi Ar Ta Ge Cn'],
    ['D24 even', 24, 'parashara', 'Taurus', 'Cn Le Vi Li Sc Sg Cp Aq Pi Ar Ta Ge Cn Le Vi Li Sc Sg Cp Aq Pi Ar Ta Ge'],
    ['D24 parivritti', 24, 'parivritti', 'Virgo', 'Ar Ta Ge Cn Le Vi Li Sc Sg Cp Aq Pi Ar Ta Ge Cn Le Vi Li Sc Sg Cp Aq Pi'],
  ];

  it.each(TABLES)('%s %s of %s (%s)', (_label, n, method, sign, expected) => {
    const parts = names(expected);
    expect(parts).toHaveLength(n);
    const width = 30 / n;
    for (let l = 0; l < n; l++) {
      for (const offset of [0, width / 2, width - 1e-7]) {
        const lon = idx(sign) * 30 + l * width + offset;
        expect(vargaPoint(lon, n, method).sign, `${sign} part ${l} +${offset}`).toBe(parts[l]);
      }
    }
  });

  it.each([
    // [longitude, division, method, expected] — large divisions, last parts, wrap-around
    [30 + 15 * (30 / 16) + 0.1, 16, 'parashara', 'Scorpio'], // Taurus (fixed) from Leo, 16th part: Leo + 15
    [60 + 29.9, 20, 'parashara', 'Pisces'], // Gemini (dual) from Leo, 20th part: Leo + 19
    [30 + 29.9, 24, 'parashara', 'Gemini'], // Taurus (even) from Cancer, 24th part
    [90 + 29.9, 27, 'parashara', 'Pisces'], // Cancer (water) from Capricorn, 27th part
    [120 + 0.1, 27, 'parashara', 'Aries'], // Leo (fire) from Aries
    [30 + 29.9, 40, 'parashara', 'Capricorn'], // Taurus (even) from Libra, 40th part
    [150 + 29.9, 45, 'parashara', 'Leo'], // Virgo (dual) from Sagittarius, 45th part
    [210 + 0.1, 45, 'parashara', 'Leo'], // Scorpio (fixed) from Leo
    [60 + 29.9, 60, 'parashara', 'Taurus'], // Gemini, 60th part = 12th from Gemini
    [0.5, 60, 'parashara', 'Taurus'], // Aries, 2nd half-degree
    [29.75, 60, 'parashara', 'Pisces'], // Aries, 60th part
    [300 + 12.25, 60, 'parashara', 'Aquarius'], // Aquarius, part 24 → Aq + 24 = Aq
    [30 + 0.5, 30, 'parivritti', 'Libra'], // Taurus, 1st degree part from Libra
    [30 + 1.5, 30, 'parivritti', 'Scorpio'],
    [29.5, 30, 'parivritti', 'Virgo'], // Aries, 30th degree: Aries + 29
  ] as const)('%d° D%d %s → %s', (lon, n, method, expected) => {
    expect(vargaPoint(lon, n, method).sign).toBe(expected);
  });
});

describe('named examples', () => {
  it('Navamsa', () => {
    expect(vargaPoint(0, 9).sign).toBe('Aries');
    expect(vargaPoint(3 + 20 / 60, 9).sign).toBe('Taurus');
    expect(vargaPoint(3 + 20 / 60 - 1e-9, 9).sign).toBe('Aries');
    expect(vargaPoint(30, 9).sign).toBe('Capricorn');
    expect(vargaPoint(60, 9).sign).toBe('Libra');
    expect(vargaPoint(90, 9).sign).toBe('Cancer');
    expect(vargaPoint(360 - 1e-9, 9).sign).toBe('Pisces');
    // 5° Aries: part 1 (3°20′–6°40′) → Taurus, (5 · 9) mod 30 = 15°.
    expect(vargaPoint(5, 9)).toMatchObject({ sign: 'Taurus', signIndex: 1 });
    expect(vargaPoint(5, 9).degreeInSign).toBeCloseTo(15, 12);
    expect(vargaPoint(5, 9).longitudeDeg).toBeCloseTo(45, 12);
  });

  it('Hora (parashara) on both sides of 15°', () => {
    expect(vargaPoint(14.999, 2).sign).toBe('Leo');
    expect(vargaPoint(15, 2).sign).toBe('Cancer');
    expect(vargaPoint(30 + 14.999, 2).sign).toBe('Cancer');
    expect(vargaPoint(30 + 15, 2).sign).toBe('Leo');
    expect(vargaPoint(15, 2).degreeInSign).toBeLessThan(1e-9);
    expect(vargaPoint(14.999, 2).degreeInSign).toBeCloseTo(29.998, 9);
  });

  it('Hora parivritti follows even-reverse', () => {
    expect(vargaPoint(14.999, 2, 'parivritti').sign).toBe('Aries');
    expect(vargaPoint(15, 2, 'parivritti').sign).toBe('Taurus');
    expect(vargaPoint(30 + 14.999, 2, 'parivritti').sign).toBe('Cancer');
    expect(vargaPoint(30 + 15, 2, 'parivritti').sign).toBe('Gemini');
  });

  it('D11 rath and parivritti: (l − s) and cyclic (11s + l) name the same sign (11s ≡ −s mod 12)', () => {
    // Taurus 0°: rath (0 − 1) mod 12 = Pisces; cyclic 11·1 + 0 = 11 = Pisces.
    expect(vargaPoint(30, 11, 'rath').sign).toBe('Pisces');
    expect(vargaPoint(30, 11, 'parivritti').sign).toBe('Pisces');
    // Virgo 29°: l = 10; rath (10 − 5) = Virgo; cyclic (55 + 10) mod 12 = 5 = Virgo.
    expect(vargaPoint(179, 11, 'rath').sign).toBe('Virgo');
    expect(vargaPoint(179, 11, 'parivritti').sign).toBe('Virgo');
    const rand = mulberry32(0x11d11);
    for (let i = 0; i < 500; i++) {
      const lon = rand() * 360;
      const a = vargaPoint(lon, 11, 'rath');
      const b = vargaPoint(lon, 11, 'parivritti');
      expect(b).toEqual(a);
    }
  });

  it('D60 is (s + l) with half-degree parts', () => {
    expect(vargaPoint(0.49, 60).sign).toBe('Aries');
    expect(vargaPoint(0.5, 60).sign).toBe('Taurus');
    expect(vargaPoint(30 + 5.5, 60).sign).toBe('Aries'); // Taurus, l = 11: 12th from Taurus
    expect(vargaPoint(30 + 5.49, 60).sign).toBe('Pisces'); // Taurus, l = 10
    expect(vargaPoint(0.25, 60).degreeInSign).toBeCloseTo(15, 10);
  });
});

describe('boundaries of every equal division and method', () => {
  it.each(EQUAL_CASES)('$key: every boundary in all 12 signs, on it and 1e-9° before', ({ key, n, method }) => {
    const rule = EQUAL_RULES[key];
    let checked = 0;
    for (let s = 0; s < 12; s++) {
      for (let k = 0; k < n; k++) {
        const lon = s * 30 + (k * 30) / n;
        const on = vargaPoint(lon, n, method);
        expect(on.sign, `${key} ${ORDER[s]} boundary ${k}`).toBe(rule(ORDER[s], k));
        expect(on.degreeInSign).toBeGreaterThanOrEqual(0);
        expect(on.degreeInSign, `${key} ${ORDER[s]} boundary ${k} degree`).toBeLessThan(1e-9);

        // 1e-9° before: the previous part, or the previous sign's last part when k = 0.
        const before = vargaPoint(lon - 1e-9, n, method);
        const [prevSign, prevPart] = k > 0 ? [ORDER[s], k - 1] : [ORDER[(s + 11) % 12], n - 1];
        expect(before.sign, `${key} ${ORDER[s]} before boundary ${k}`).toBe(rule(prevSign, prevPart));
        expect(Math.abs(before.degreeInSign - (30 - n * 1e-9)), `${key} ${ORDER[s]} before ${k} degree`).toBeLessThan(1e-9);
        checked += 2;
      }
    }
    expect(checked).toBe(24 * n);
  });

  it('a boundary computed as k · 30 / N in sign-relative degrees is in part k (no one-ULP slip)', () => {
    // Values like 10/3·k where x · N / 30 rounds to just below an integer in naive code.
    for (const { key, n, method } of EQUAL_CASES) {
      for (let k = 1; k < n; k++) {
        const x = (k * 30) / n;
        expect(vargaPoint(x, n, method).sign, `${key} k=${k}`).toBe(EQUAL_RULES[key]('Aries', k));
      }
    }
  });

  it('sign boundaries follow λ itself: 30° − tiny stays in the last part of the earlier sign', () => {
    const justBelow = 30 - 3.552713678800501e-15; // the largest double below 30
    expect(vargaPoint(justBelow, 1).sign).toBe('Aries');
    expect(vargaPoint(justBelow, 9).sign).toBe('Sagittarius');
    expect(vargaPoint(justBelow, 60).sign).toBe('Pisces');
    expect(vargaPoint(justBelow, 60).degreeInSign).toBeLessThan(30);
    expect(vargaPoint(justBelow, 60).longitudeDeg).toBeLessThan(360);
    expect(vargaPoint(360 - 1e-13, 60)).toMatchObject({ sign: 'Aquarius', nakshatra: 'Purva Bhadrapada' });
  });
});

describe('Trimsamsa (parashara, unequal)', () => {
  // [x in sign, sign expected in odd signs, in even signs]; a boundary belongs to the earlier part.
  const ODD_POINTS: [number, SignName][] = [
    [0, 'Aries'], [2.5, 'Aries'], [5 - 1e-9, 'Aries'], [5, 'Aries'], [5 + 1e-9, 'Aquarius'],
    [10 - 1e-9, 'Aquarius'], [10, 'Aquarius'], [10 + 1e-9, 'Sagittarius'],
    [18 - 1e-9, 'Sagittarius'], [18, 'Sagittarius'], [18 + 1e-9, 'Gemini'],
    [25 - 1e-9, 'Gemini'], [25, 'Gemini'], [25 + 1e-9, 'Libra'], [30 - 1e-9, 'Libra'],
  ];
  const EVEN_POINTS: [number, SignName][] = [
    [0, 'Taurus'], [5 - 1e-9, 'Taurus'], [5, 'Taurus'], [5 + 1e-9, 'Virgo'],
    [12 - 1e-9, 'Virgo'], [12, 'Virgo'], [12 + 1e-9, 'Pisces'],
    [20 - 1e-9, 'Pisces'], [20, 'Pisces'], [20 + 1e-9, 'Capricorn'],
    [25 - 1e-9, 'Capricorn'], [25, 'Capricorn'], [25 + 1e-9, 'Scorpio'], [30 - 1e-9, 'Scorpio'],
  ];

  it.each(ORDER.map((sign) => [sign]))('%s: every boundary, both sides', (sign) => {
    const points = ODD.has(sign) ? ODD_POINTS : EVEN_POINTS;
    for (const [x, expected] of points) {
      const p = vargaPoint(idx(sign) * 30 + x, 30);
      expect(p.sign, `${sign} ${x}°`).toBe(expected);
      expect(p.degreeInSign).toBeGreaterThanOrEqual(0);
      expect(p.degreeInSign).toBeLessThan(30);
    }
    // 1e-9° before the sign starts is the previous sign's last part.
    const prevLast = ODD.has(sign) ? 'Scorpio' : 'Libra';
    expect(vargaPoint(idx(sign) * 30 - 1e-9, 30).sign).toBe(prevLast);
  });

  it('parashara (default) gives the degree (x·30) mod 30 inside the same part signs', () => {
    // Expected degree: (x · 30) mod 30 of the sign-relative degree x (doc: "for every varga, D30 included").
    const cases: [number, SignName, number][] = [
      [12, 'Sagittarius', 0], // odd 12°: (12 · 30) mod 30
      [12.25, 'Sagittarius', 7.5],
      [2.5, 'Aries', 15],
      [7.4, 'Aquarius', 12],
      [21.5, 'Gemini', 15],
      [27.9, 'Libra', 27],
      [30 + 8.5, 'Virgo', 15], // even
      [30 + 16.1, 'Pisces', 3],
      [30 + 27.5, 'Scorpio', 15],
    ];
    for (const [lon, sign, deg] of cases) {
      const p = vargaPoint(lon, 30);
      expect(p.sign, `${lon}°`).toBe(sign);
      expect(p.degreeInSign, `${lon}°`).toBeCloseTo(deg, 9);
      expect(p.longitudeDeg).toBeCloseTo(idx(sign) * 30 + deg, 9);
    }
    // A boundary belongs to the earlier part (Aries) and its degree is (5 · 30) mod 30 = 0.
    expect(vargaPoint(5, 30)).toMatchObject({ sign: 'Aries', degreeInSign: 0 });
    expect(vargaPoint(5 + 1e-9, 30).sign).toBe('Aquarius');
  });

  it('parashara_proportional scales the position inside its part to 0–30°', () => {
    const cases: [number, SignName, number][] = [
      [12, 'Sagittarius', 7.5], // odd: (12 − 10) / 8 · 30
      [2.5, 'Aries', 15],
      [7.5, 'Aquarius', 15],
      [14, 'Sagittarius', 15],
      [21.5, 'Gemini', 15],
      [27.5, 'Libra', 15],
      [30 + 2.5, 'Taurus', 15], // even
      [30 + 8.5, 'Virgo', 15], // (8.5 − 5) / 7 · 30
      [30 + 16, 'Pisces', 15],
      [30 + 22.5, 'Capricorn', 15],
      [30 + 27.5, 'Scorpio', 15],
      [30 + 6, 'Virgo', 30 / 7],
      [120 + 1, 'Aries', 6], // Leo (odd) 1°
    ];
    for (const [lon, sign, deg] of cases) {
      const p = vargaPoint(lon, 30, 'parashara_proportional');
      expect(p.sign, `${lon}°`).toBe(sign);
      expect(p.degreeInSign, `${lon}°`).toBeCloseTo(deg, 10);
      expect(p.longitudeDeg).toBeCloseTo(idx(sign) * 30 + deg, 10);
    }
    // Start of a part is 0°, its (owned) end is just below 30°.
    expect(vargaPoint(0, 30, 'parashara_proportional').degreeInSign).toBe(0);
    expect(vargaPoint(5 + 1e-9, 30, 'parashara_proportional').degreeInSign).toBeLessThan(1e-6);
    expect(vargaPoint(5, 30, 'parashara_proportional').degreeInSign).toBeGreaterThan(29.999999);
    expect(vargaPoint(5, 30, 'parashara_proportional').degreeInSign).toBeLessThan(30);
    expect(vargaPoint(5, 30, 'parashara_proportional').longitudeDeg).toBeLessThan(30);
  });

  it('is the default; parivritti is 1° parts instead', () => {
    expect(vargaPoint(5.5, 30).sign).toBe('Aquarius');
    expect(vargaPoint(5.5, 30, 'parashara').sign).toBe('Aquarius');
    expect(vargaPoint(5.5, 30, 'parivritti').sign).toBe('Virgo'); // Aries + 5
    expect(vargaPoint(5.5, 30, 'parivritti').degreeInSign).toBeCloseTo(15, 9);
  });
});

describe('properties at random longitudes (mulberry32, seed 0x7a2a)', () => {
  const SAMPLES = 2500;
  const rand = mulberry32(0x7a2a);
  const lons = Array.from({ length: SAMPLES }, () => rand() * 360);

  it('equal divisions: degree = (x·N) mod 30, longitude = sign·30 + degree, sign per the rule, nakshatra of the varga longitude', () => {
    // Mismatches are collected (one expect per sample × case would take seconds).
    const failures: string[] = [];
    let checked = 0;
    for (const lon of lons) {
      const s = Math.floor(lon / 30);
      const x = lon - 30 * s;
      for (const { key, n, method } of EQUAL_CASES) {
        const p = vargaPoint(lon, n, method);
        const z = placement(p.longitudeDeg);
        const expectedSign = EQUAL_RULES[key](ORDER[s], Math.floor(x / (30 / n)));
        if (circ30(p.degreeInSign, (x * n) % 30) >= 1e-9) failures.push(`${key} ${lon}: degree ${p.degreeInSign}`);
        if (!(p.degreeInSign >= 0 && p.degreeInSign < 30)) failures.push(`${key} ${lon}: degree out of range`);
        if (p.signIndex !== idx(p.sign)) failures.push(`${key} ${lon}: signIndex ${p.signIndex} vs ${p.sign}`);
        if (Math.abs(p.longitudeDeg - (p.signIndex * 30 + p.degreeInSign)) >= 1e-9) failures.push(`${key} ${lon}: longitude`);
        if (p.sign !== expectedSign) failures.push(`${key} ${lon}: ${p.sign} ≠ ${expectedSign}`);
        if (p.nakshatra !== z.nakshatra || p.pada !== z.pada) failures.push(`${key} ${lon}: nakshatra/pada`);
        checked++;
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(checked).toBe(SAMPLES * EQUAL_CASES.length);
  });

  it('D1 equals the natal sign and degree', () => {
    for (const lon of lons) {
      const p = vargaPoint(lon, 1);
      const z = placement(lon);
      expect(p.sign).toBe(z.sign);
      expect(p.degreeInSign).toBe(z.degreeInSign);
      expect(p.longitudeDeg).toBe(lon);
      expect(p.nakshatra).toBe(z.nakshatra);
      expect(p.pada).toBe(z.pada);
    }
    // Out-of-range input is normalised first.
    expect(vargaPoint(-30, 1)).toMatchObject({ sign: 'Pisces', degreeInSign: 0, longitudeDeg: 330 });
    expect(vargaPoint(725, 9).sign).toBe(vargaPoint(5, 9).sign);
  });

  it('D30 parashara: the doc\'s unequal parts, degree (x·30) mod 30; parashara_proportional: scaled within the part', () => {
    const odd: [number, number, SignName][] = [[0, 5, 'Aries'], [5, 10, 'Aquarius'], [10, 18, 'Sagittarius'], [18, 25, 'Gemini'], [25, 30, 'Libra']];
    const even: [number, number, SignName][] = [[0, 5, 'Taurus'], [5, 12, 'Virgo'], [12, 20, 'Pisces'], [20, 25, 'Capricorn'], [25, 30, 'Scorpio']];
    for (const lon of lons) {
      const s = Math.floor(lon / 30);
      const x = lon - 30 * s;
      const parts = ODD.has(ORDER[s]) ? odd : even;
      const [start, end, sign] = parts.find(([a, b]) => x > a && x <= b) ?? parts[0];
      const p = vargaPoint(lon, 30);
      expect(p.sign, `${lon}`).toBe(sign);
      expect(circ30(p.degreeInSign, (x * 30) % 30), `${lon}`).toBeLessThan(1e-9);
      expect(Math.abs(p.longitudeDeg - (idx(sign) * 30 + p.degreeInSign))).toBeLessThan(1e-9);
      const q = vargaPoint(lon, 30, 'parashara_proportional');
      expect(q.sign, `${lon}`).toBe(sign);
      expect(q.degreeInSign).toBeCloseTo(((x - start) / (end - start)) * 30, 9);
      expect(Math.abs(q.longitudeDeg - (idx(sign) * 30 + q.degreeInSign))).toBeLessThan(1e-9);
    }
  });
});

describe('vargaChart', () => {
  const position = (lon: number, retrograde: boolean): PlanetPosition => ({
    longitudeDeg: lon,
    latitudeDeg: 0,
    speedDegPerDay: retrograde ? -0.1 : 0.1,
    retrograde,
    house: 1, // natal house: must not leak into the varga chart
    ...placement(lon),
  });
  // [natal longitude, retrograde, D9 sign, D9 house from a Libra navamsa ascendant]
  const PLACED: Record<Planet, [number, boolean, SignName, number]> = {
    Sun: [0, false, 'Aries', 7],
    Moon: [3 + 20 / 60, false, 'Taurus', 8],
    Mars: [30, false, 'Capricorn', 4],
    Mercury: [90, true, 'Cancer', 10],
    Jupiter: [60, false, 'Libra', 1],
    Venus: [125, false, 'Taurus', 8], // Leo 5°: part 1, fire from Aries
    Saturn: [359.9, true, 'Pisces', 6], // Pisces 29.9°: part 8, water from Cancer
    Rahu: [200, true, 'Aries', 7], // Libra 20°: part 6, air from Libra
    Ketu: [20, true, 'Libra', 1], // Aries 20°: part 6
    Uranus: [250, false, 'Cancer', 10], // Sagittarius 10°: part 3
    Neptune: [280, false, 'Aries', 7], // Capricorn 10°: part 3 from Capricorn
    Pluto: [215.5, false, 'Leo', 11], // Scorpio 5.5°: part 1 from Cancer
  };
  const planets = {} as Record<Planet, PlanetPosition>;
  for (const name of PLANETS) planets[name] = position(PLACED[name][0], PLACED[name][1]);
  const natal: Pick<NatalChart, 'ascendant' | 'planets'> = {
    ascendant: { longitudeDeg: 60, ...placement(60) }, // 0° Gemini → D9 Libra
    planets,
  };

  it('D9: houses from the navamsa ascendant, retrograde copied, all 12 planets', () => {
    const chart = vargaChart(natal, 9);
    expect(chart).toMatchObject({ division: 9, name: 'Navamsa', method: 'parashara' });
    expect(chart.ascendant).toMatchObject({ sign: 'Libra', degreeInSign: 0, longitudeDeg: 180, nakshatra: 'Chitra', pada: 3 });
    expect(Object.keys(chart.planets)).toEqual([...PLANETS]);
    for (const name of PLANETS) {
      const [, retro, sign, house] = PLACED[name];
      expect(chart.planets[name].sign, name).toBe(sign);
      expect(chart.planets[name].house, name).toBe(house);
      expect(chart.planets[name].retrograde, name).toBe(retro);
      const lon = chart.planets[name].longitudeDeg;
      expect(lon).toBeCloseTo(idx(sign) * 30 + chart.planets[name].degreeInSign, 9);
      expect(chart.planets[name].nakshatra).toBe(placement(lon).nakshatra);
      expect(chart.planets[name].pada).toBe(placement(lon).pada);
    }
    // Saturn: Pisces 29.9° → (29.9 · 9) mod 30 = 29.1° Pisces.
    expect(chart.planets.Saturn.degreeInSign).toBeCloseTo(29.1, 9);
  });

  it('D1: the natal signs, houses from the natal ascendant sign', () => {
    const chart = vargaChart(natal, 1);
    expect(chart.ascendant.sign).toBe('Gemini');
    expect(chart.planets.Sun).toMatchObject({ sign: 'Aries', house: 11, degreeInSign: 0, retrograde: false });
    expect(chart.planets.Saturn).toMatchObject({ sign: 'Pisces', house: 10, retrograde: true });
    expect(chart.planets.Jupiter.house).toBe(1);
    expect(chart.planets.Rahu.house).toBe(5);
    for (const name of PLANETS) expect(chart.planets[name].degreeInSign).toBe(planets[name].degreeInSign);
  });

  it('echoes the method used and rejects unknown ones', () => {
    expect(vargaChart(natal, 11).method).toBe('rath');
    expect(vargaChart(natal, 11).name).toBe('Rudramsa');
    expect(vargaChart(natal, 30, 'parivritti').method).toBe('parivritti');
    expect(vargaChart(natal, 2, 'parivritti').planets.Sun.sign).toBe('Aries');
    expect(vargaChart(natal, 2).planets.Sun.sign).toBe('Leo');
    expect(() => vargaChart(natal, 9, 'rath')).toThrow(RangeError);
  });

  it('D30 chart uses the unequal parts and counts houses from the trimsamsa ascendant', () => {
    const chart = vargaChart(natal, 30);
    expect(chart.ascendant.sign).toBe('Aries'); // Gemini 0° (odd)
    expect(chart.planets.Moon).toMatchObject({ sign: 'Aries', house: 1 }); // Aries 3°20′
    expect(chart.planets.Mars).toMatchObject({ sign: 'Taurus', house: 2 }); // Taurus 0° (even)
    expect(chart.planets.Ketu).toMatchObject({ sign: 'Gemini', house: 3 }); // Aries 20°
    expect(chart.planets.Saturn).toMatchObject({ sign: 'Scorpio', house: 8, retrograde: true }); // Pisces 29.9°
  });
});
