/**
 * Signs, nakshatras and their lords: the fixed divisions of the sidereal zodiac.
 * Longitudes are sidereal, degrees, [0, 360).
 */

export const SIGNS = [
  'Aries', 'Taurus', 'Gemini', 'Cancer', 'Leo', 'Virgo',
  'Libra', 'Scorpio', 'Sagittarius', 'Capricorn', 'Aquarius', 'Pisces',
] as const;
export type Sign = (typeof SIGNS)[number];

export const NAKSHATRAS = [
  'Ashwini', 'Bharani', 'Krittika', 'Rohini', 'Mrigashira', 'Ardra', 'Punarvasu', 'Pushya', 'Ashlesha',
  'Magha', 'Purva Phalguni', 'Uttara Phalguni', 'Hasta', 'Chitra', 'Swati', 'Vishakha', 'Anuradha', 'Jyeshtha',
  'Mula', 'Purva Ashadha', 'Uttara Ashadha', 'Shravana', 'Dhanishta', 'Shatabhisha', 'Purva Bhadrapada',
  'Uttara Bhadrapada', 'Revati',
] as const;
export type Nakshatra = (typeof NAKSHATRAS)[number];

/** Vimshottari order of nakshatra lords, repeating from Ashwini. */
export const NAKSHATRA_LORDS = ['Ketu', 'Venus', 'Sun', 'Moon', 'Mars', 'Rahu', 'Jupiter', 'Saturn', 'Mercury'] as const;
export type NakshatraLord = (typeof NAKSHATRA_LORDS)[number];

export const SIGN_SPAN_DEG = 30;
/** 13°20′. */
export const NAKSHATRA_SPAN_DEG = 360 / 27;
/** 3°20′. */
export const PADA_SPAN_DEG = 360 / 108;

/** Normalises any angle to [0, 360). */
export function normalizeDeg(angleDeg: number): number {
  const r = angleDeg % 360;
  // `+ 0` turns -0 into 0; a tiny negative rounds up to 360 and must wrap.
  const n = r < 0 ? r + 360 : r + 0;
  return n >= 360 ? n - 360 : n;
}

export function signIndex(lonDeg: number): number {
  return Math.floor(normalizeDeg(lonDeg) / SIGN_SPAN_DEG);
}

export interface ZodiacPlacement {
  sign: Sign;
  /** Degrees inside the sign, [0, 30). */
  degreeInSign: number;
  nakshatra: Nakshatra;
  nakshatraLord: NakshatraLord;
  /** Quarter of the nakshatra, 1–4. */
  pada: number;
}

export function nakshatraIndex(lonDeg: number): number {
  // Multiplying by 27/360 keeps exact boundaries exact (e.g. 40/3 → 1).
  return Math.min(26, Math.floor((normalizeDeg(lonDeg) * 27) / 360));
}

export function padaOf(lonDeg: number): number {
  const quarter = Math.min(107, Math.floor((normalizeDeg(lonDeg) * 108) / 360));
  return (quarter % 4) + 1;
}

export function placement(lonDeg: number): ZodiacPlacement {
  const lon = normalizeDeg(lonDeg);
  const s = signIndex(lon);
  const n = nakshatraIndex(lon);
  return {
    sign: SIGNS[s],
    degreeInSign: lon - s * SIGN_SPAN_DEG,
    nakshatra: NAKSHATRAS[n],
    nakshatraLord: NAKSHATRA_LORDS[n % 9],
    pada: padaOf(lon),
  };
}

/** Lord of each sign, Aries…Pisces (Parashara's lordships; BPHS ch. 4, "Zodiacal signs described"). */
export const SIGN_LORDS = [
  'Mars', 'Venus', 'Mercury', 'Moon', 'Sun', 'Mercury', 'Venus', 'Mars', 'Jupiter', 'Saturn', 'Saturn', 'Jupiter',
] as const;
