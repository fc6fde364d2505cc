/**
 * Divisional charts (vargas): each sign is cut into N parts and every part is
 * mapped to a sign by the rules in docs/jyotish-rules.md ("Divisional charts").
 * Pure calculation; no Hono/Workers imports.
 *
 * Notation (as in the doc): λ sidereal longitude normalised to [0, 360),
 * s = floor(λ / 30) (Aries = 0), x = λ − 30·s, and for an N-part varga the part
 * l = floor(x / (30 / N)); the degree inside the varga sign is (x · N) mod 30.
 * "Odd sign" means Aries, Gemini, … (s even).
 */
import { PLANETS, type NatalChart, type Planet } from './natal';
import {
  NAKSHATRAS,
  SIGNS,
  SIGN_SPAN_DEG,
  nakshatraIndex,
  normalizeDeg,
  padaOf,
  type Nakshatra,
  type Sign,
} from './zodiac';

export const DIVISIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 24, 27, 30, 40, 45, 60] as const;
export type Division = (typeof DIVISIONS)[number];

/** Parashara's sixteen vargas. */
export const SHODASAVARGA: readonly Division[] = Object.freeze([1, 2, 3, 4, 7, 9, 10, 12, 16, 20, 24, 27, 30, 40, 45, 60] as Division[]);

export const VARGA_NAMES: Record<Division, string> = Object.freeze({
  1: 'Rasi',
  2: 'Hora',
  3: 'Drekkana',
  4: 'Chaturthamsa',
  5: 'Panchamsa',
  6: 'Shashthamsa',
  7: 'Saptamsa',
  8: 'Ashtamsa',
  9: 'Navamsa',
  10: 'Dasamsa',
  11: 'Rudramsa',
  12: 'Dwadasamsa',
  16: 'Shodasamsa',
  20: 'Vimsamsa',
  24: 'Chaturvimsamsa',
  27: 'Bhamsa',
  30: 'Trimsamsa',
  40: 'Khavedamsa',
  45: 'Akshavedamsa',
  60: 'Shashtiamsa',
});

/**
 * Methods each division offers; the first is the default.
 * - `parashara`: the doc's table rule (D30 with its unequal parts; its degree is
 *   (x·30) mod 30 like every other varga, as Jagannatha Hora shows it).
 * - `parashara_proportional` (D30 only): the same unequal parts, with the degree
 *   scaled inside the part instead, (x − start) / (end − start) · 30.
 * - `rath`: D11's table rule (l − s) mod 12, which is Sanjay Rath's.
 * - `parivritti`: D2 "even-reverse" (odd → (2s + l), even → (2s + 1 − l), mod 12);
 *   D3, D11, D24, D30: cyclic equal parts, (N·s + l) mod 12 (D30: 1° parts).
 */
export const VARGA_METHODS: Record<Division, readonly [string, ...string[]]> = Object.freeze({
  1: ['parashara'],
  2: ['parashara', 'parivritti'],
  3: ['parashara', 'parivritti'],
  4: ['parashara'],
  5: ['parashara'],
  6: ['parashara'],
  7: ['parashara'],
  8: ['parashara'],
  9: ['parashara'],
  10: ['parashara'],
  11: ['rath', 'parivritti'],
  12: ['parashara'],
  16: ['parashara'],
  20: ['parashara'],
  24: ['parashara', 'parivritti'],
  27: ['parashara'],
  30: ['parashara', 'parashara_proportional', 'parivritti'],
  40: ['parashara'],
  45: ['parashara'],
  60: ['parashara'],
} as Record<Division, readonly [string, ...string[]]>);

/** 9, "9", "D9", "d9" → 9; anything else (unknown division, "09", " 9", "9.0", "D") → null. */
export function parseDivision(text: string | number): Division | null {
  let n: number;
  if (typeof text === 'number') {
    n = text;
  } else if (typeof text === 'string') {
    const m = /^[dD]?([1-9][0-9]*)$/.exec(text);
    if (!m) return null;
    n = Number(m[1]);
  } else {
    return null;
  }
  return isDivision(n) ? n : null;
}

function isDivision(n: unknown): n is Division {
  return typeof n === 'number' && (DIVISIONS as readonly number[]).includes(n);
}

export function isVargaMethod(division: Division, method: string): boolean {
  const methods = isDivision(division) ? VARGA_METHODS[division] : undefined;
  return methods !== undefined && methods.includes(method);
}

export interface VargaPoint {
  sign: Sign;
  signIndex: number;
  /** Degrees inside the varga sign, [0, 30). */
  degreeInSign: number;
  /** Varga longitude: signIndex · 30 + degreeInSign, [0, 360). */
  longitudeDeg: number;
  /** Nakshatra and pada of the varga longitude. */
  nakshatra: Nakshatra;
  pada: number;
}

/**
 * A position closer than this below a part boundary counts as on the boundary.
 * It absorbs the rounding of λ = 30·s + boundary (≲ 6e-14°) and of x·N/30, so a
 * boundary value written as `30 * s + k * 30 / N` lands in part k for every sign.
 * 1e-10° is 3.6e-7″, far below any ephemeris precision. It never moves a point
 * across a sign boundary of λ itself (the sign comes from floor(λ / 30), as in D1).
 */
const BOUNDARY_EPS_DEG = 1e-10;

/** Largest double below a positive finite v. */
function nextDown(v: number): number {
  const f = new Float64Array([v]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] -= 1n;
  return f[0];
}

const BELOW_30 = nextDown(SIGN_SPAN_DEG);

/**
 * Equal part l ∈ [0, N−1]: the number of boundaries k·30/N (k ≥ 1, the doubles
 * `k * 30 / N`) that x has reached, with BOUNDARY_EPS_DEG tolerance. A boundary
 * belongs to the part that starts there. The floor estimate is corrected against
 * the boundary doubles themselves, so a one-ULP error in x·N/30 cannot shift it.
 */
function equalPart(x: number, n: number): number {
  const xe = x + BOUNDARY_EPS_DEG;
  let l = Math.floor((xe * n) / SIGN_SPAN_DEG);
  if (l < 0) l = 0;
  if (l > n - 1) l = n - 1;
  while (l < n - 1 && xe >= ((l + 1) * SIGN_SPAN_DEG) / n) l += 1;
  while (l > 0 && xe < (l * SIGN_SPAN_DEG) / n) l -= 1;
  return l;
}

const mod12 = (k: number): number => ((k % 12) + 12) % 12;
const isOddSign = (s: number): boolean => s % 2 === 0;
/** 0 movable, 1 fixed, 2 dual. */
const modality = (s: number): number => s % 3;
/** 0 fire, 1 earth, 2 air, 3 water. */
const element = (s: number): number => s % 4;

const AR = 0, TA = 1, GE = 2, CN = 3, LE = 4, VI = 5, LI = 6, SC = 7, SG = 8, CP = 9, AQ = 10, PI = 11;

/** Sign of equal part l of sign s, per division and method. */
type EqualRule = (s: number, l: number) => number;

const PANCHAMSA_ODD = [AR, AQ, SG, GE, LI];
const PANCHAMSA_EVEN = [TA, VI, PI, CP, SC];

const PARASHARA_RULES: Record<Exclude<Division, 30>, EqualRule> = {
  1: (s) => s,
  2: (s, l) => (isOddSign(s) ? (l === 0 ? LE : CN) : l === 0 ? CN : LE),
  3: (s, l) => s + 4 * l,
  4: (s, l) => s + 3 * l,
  5: (s, l) => (isOddSign(s) ? PANCHAMSA_ODD : PANCHAMSA_EVEN)[l],
  6: (s, l) => (isOddSign(s) ? AR : LI) + l,
  7: (s, l) => (isOddSign(s) ? s : s + 6) + l,
  8: (s, l) => [AR, SG, LE][modality(s)] + l,
  9: (s, l) => 9 * s + l, // fire from Ar, earth from Cp, air from Li, water from Cn
  10: (s, l) => (isOddSign(s) ? s : s + 8) + l,
  11: (s, l) => l - s, // Sanjay Rath's; exposed as method `rath`
  12: (s, l) => s + l,
  16: (s, l) => [AR, LE, SG][modality(s)] + l,
  20: (s, l) => [AR, SG, LE][modality(s)] + l,
  24: (s, l) => (isOddSign(s) ? LE : CN) + l,
  27: (s, l) => [AR, CN, LI, CP][element(s)] + l,
  40: (s, l) => (isOddSign(s) ? AR : LI) + l,
  45: (s, l) => [AR, LE, SG][modality(s)] + l,
  60: (s, l) => s + l,
};

/** Cyclic parivritti: the N parts continue round the zodiac from Aries' first part. */
const cyclic =
  (n: number): EqualRule =>
  (s, l) =>
    n * s + l;

const PARIVRITTI_RULES: Partial<Record<Division, EqualRule>> = {
  2: (s, l) => (isOddSign(s) ? 2 * s + l : 2 * s + 1 - l),
  3: cyclic(3),
  11: cyclic(11),
  24: cyclic(24),
  30: cyclic(30),
};

/**
 * Parashara's unequal trimsamsa: [end of part in degrees, sign]. A boundary
 * belongs to the EARLIER part (doc), so exactly 5°00′00″ of an odd sign is Aries.
 */
const TRIMSAMSA_ODD: readonly (readonly [number, number])[] = [[5, AR], [10, AQ], [18, SG], [25, GE], [30, LI]];
const TRIMSAMSA_EVEN: readonly (readonly [number, number])[] = [[5, TA], [12, VI], [20, PI], [25, CP], [30, SC]];

/**
 * Unequal D30: the sign of the part holding x, and the degree inside it. By
 * default the degree is (x·30) mod 30, as for every equal varga: that is what
 * Jagannatha Hora shows (standard chart 1996-12-07 10:34 IST Chennai: D30
 * ascendant 13.37°, Sun 16.96°). `proportional` scales the position inside the
 * part linearly to 0–30° instead, degree = (x − start) / (end − start) · 30 (odd
 * sign 12° lies in the 10–18 part: (12 − 10) / 8 · 30 = 7.5° Sagittarius);
 * because the part owns its upper boundary, a point exactly on it would be 30°
 * and is reported as the largest double below 30 in the same sign.
 */
function trimsamsaParashara(s: number, x: number, proportional: boolean): { sign: number; deg: number } {
  const parts = isOddSign(s) ? TRIMSAMSA_ODD : TRIMSAMSA_EVEN;
  let start = 0;
  for (const [end, sign] of parts) {
    if (x <= end + BOUNDARY_EPS_DEG || end === SIGN_SPAN_DEG) {
      if (proportional) return { sign, deg: clampDeg(((x - start) / (end - start)) * SIGN_SPAN_DEG) };
      return { sign, deg: x * 30 - equalPart(x, 30) * SIGN_SPAN_DEG };
    }
    start = end;
  }
  /* c8 ignore next */
  throw new Error('unreachable: trimsamsa parts cover the sign');
}

function clampDeg(deg: number): number {
  if (!(deg > 0)) return 0;
  return deg > BELOW_30 ? BELOW_30 : deg;
}

function resolveMethod(division: Division, method: string | undefined): string {
  if (!isDivision(division)) throw new RangeError(`unknown division D${String(division)}`);
  const methods = VARGA_METHODS[division];
  if (method === undefined) return methods[0];
  if (!methods.includes(method)) {
    throw new RangeError(`D${division} has no method "${method}" (available: ${methods.join(', ')})`);
  }
  return method;
}

function point(signIdx: number, deg: number): VargaPoint {
  let degreeInSign = clampDeg(deg);
  let longitudeDeg = signIdx * SIGN_SPAN_DEG + degreeInSign;
  // Keep longitude inside the varga sign when the sum rounds up to the next sign.
  const signEnd = (signIdx + 1) * SIGN_SPAN_DEG;
  if (longitudeDeg >= signEnd) {
    longitudeDeg = nextDown(signEnd);
    degreeInSign = longitudeDeg - signIdx * SIGN_SPAN_DEG;
  }
  return {
    sign: SIGNS[signIdx],
    signIndex: signIdx,
    degreeInSign,
    longitudeDeg,
    nakshatra: NAKSHATRAS[nakshatraIndex(longitudeDeg)],
    pada: padaOf(longitudeDeg),
  };
}

function computePoint(lonDeg: number, division: Division, method: string): VargaPoint {
  if (!Number.isFinite(lonDeg)) throw new RangeError(`longitude must be finite, got ${lonDeg}`);
  const lon = normalizeDeg(lonDeg);
  const s = Math.min(11, Math.floor(lon / SIGN_SPAN_DEG));
  const x = lon - s * SIGN_SPAN_DEG;
  if (division === 30 && method !== 'parivritti') {
    const t = trimsamsaParashara(s, x, method === 'parashara_proportional');
    return point(t.sign, t.deg);
  }
  const rule = method === 'parivritti' ? PARIVRITTI_RULES[division] : PARASHARA_RULES[division as Exclude<Division, 30>];
  /* c8 ignore next */
  if (!rule) throw new RangeError(`D${division} has no method "${method}"`);
  const l = equalPart(x, division);
  return point(mod12(rule(s, l)), x * division - l * SIGN_SPAN_DEG);
}

/**
 * Varga position of a sidereal longitude. `method` defaults to the division's
 * first method; a method the division lacks throws RangeError (validate first
 * with isVargaMethod).
 */
export function vargaPoint(lonDeg: number, division: Division, method?: string): VargaPoint {
  return computePoint(lonDeg, division, resolveMethod(division, method));
}

export interface VargaChartPoint {
  sign: Sign;
  degreeInSign: number;
  longitudeDeg: number;
  nakshatra: Nakshatra;
  pada: number;
}

export interface VargaChartPlanet extends VargaChartPoint {
  /** Copied from the natal planet. */
  retrograde: boolean;
  /** Whole-sign house counted from the varga ascendant's sign, 1–12. */
  house: number;
}

export interface VargaChart {
  division: Division;
  name: string;
  /** The method actually used (the default when none was asked for). */
  method: string;
  ascendant: VargaChartPoint;
  planets: Record<Planet, VargaChartPlanet>;
}

function chartPoint(p: VargaPoint): VargaChartPoint {
  return { sign: p.sign, degreeInSign: p.degreeInSign, longitudeDeg: p.longitudeDeg, nakshatra: p.nakshatra, pada: p.pada };
}

export function vargaChart(natal: Pick<NatalChart, 'ascendant' | 'planets'>, division: Division, method?: string): VargaChart {
  const used = resolveMethod(division, method);
  const asc = computePoint(natal.ascendant.longitudeDeg, division, used);
  const planets = {} as Record<Planet, VargaChartPlanet>;
  for (const name of PLANETS) {
    const natalPlanet = natal.planets[name];
    const p = computePoint(natalPlanet.longitudeDeg, division, used);
    // Fields spelt out: an object spread here made the 16 Shodasavarga charts cost
    // ~10x more than the varga arithmetic itself (measured by npm run bench, V8 11.3).
    planets[name] = {
      sign: p.sign,
      degreeInSign: p.degreeInSign,
      longitudeDeg: p.longitudeDeg,
      nakshatra: p.nakshatra,
      pada: p.pada,
      retrograde: natalPlanet.retrograde,
      house: mod12(p.signIndex - asc.signIndex) + 1,
    };
  }
  return { division, name: VARGA_NAMES[division], method: used, ascendant: chartPoint(asc), planets };
}
