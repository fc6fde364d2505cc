/**
 * The birth lord of a nakshatra dasha and the part of its period already gone
 * at birth, from the Moon's sidereal longitude and a StartRule.
 */
import { NAKSHATRA_SPAN_DEG, nakshatraIndex, normalizeDeg } from '../zodiac';
import type { StartRule } from './systems';

export interface DashaStart {
  /** Index into the system's lords. */
  lordIndex: number;
  /** Part of the birth lord's period gone at birth, [0, 1). */
  elapsedFraction: number;
  /** Part of the Moon's (27-fold) nakshatra gone, [0, 1). */
  nakshatraFraction: number;
}

/**
 * Abhijit, the 28th mansion: the last pada of Uttara Ashadha and the first
 * fifteenth of Shravana (276°40′ to 280°53′20″ sidereal).
 */
export const ABHIJIT_START_DEG = 20 * NAKSHATRA_SPAN_DEG + 0.75 * NAKSHATRA_SPAN_DEG;
export const ABHIJIT_END_DEG = 21 * NAKSHATRA_SPAN_DEG + NAKSHATRA_SPAN_DEG / 15;

/** Mansion index (0–27, 21 = Abhijit) and the part of it gone, in the 28-mansion zodiac. */
function mansionOf(lonDeg: number): { index: number; fraction: number } {
  const lon = normalizeDeg(lonDeg);
  const n = nakshatraIndex(lon);
  const uttaraAshadhaStart = 20 * NAKSHATRA_SPAN_DEG;
  const shravanaEnd = 22 * NAKSHATRA_SPAN_DEG;
  if (n < 20) return { index: n, fraction: nakshatraFraction(lon, n) };
  if (n > 21) return { index: n + 1, fraction: nakshatraFraction(lon, n) };
  if (lon < ABHIJIT_START_DEG) return { index: 20, fraction: (lon - uttaraAshadhaStart) / (ABHIJIT_START_DEG - uttaraAshadhaStart) };
  if (lon < ABHIJIT_END_DEG) return { index: 21, fraction: (lon - ABHIJIT_START_DEG) / (ABHIJIT_END_DEG - ABHIJIT_START_DEG) };
  return { index: 22, fraction: (lon - ABHIJIT_END_DEG) / (shravanaEnd - ABHIJIT_END_DEG) };
}

function nakshatraFraction(lonDeg: number, index: number): number {
  // (lon·27/360 − index) keeps exact boundaries exact, as nakshatraIndex does.
  const f = (normalizeDeg(lonDeg) * 27) / 360 - index;
  return Math.min(Math.max(f, 0), 1 - Number.EPSILON);
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

export function dashaStart(rule: StartRule, lordCount: number, moonLonDeg: number): DashaStart {
  const nak = nakshatraIndex(moonLonDeg);
  const fraction = nakshatraFraction(moonLonDeg, nak);
  switch (rule.kind) {
    case 'count': {
      const passed = rule.direction === 'forward' ? mod(nak - rule.from, 27) : mod(rule.from - nak, 27);
      return { lordIndex: passed % lordCount, elapsedFraction: fraction, nakshatraFraction: fraction };
    }
    case 'number_plus':
      return { lordIndex: mod(nak + 1 + rule.add - 1, lordCount), elapsedFraction: fraction, nakshatraFraction: fraction };
    case 'groups': {
      const mansions = rule.abhijit ? 28 : 27;
      const m = rule.abhijit ? mansionOf(moonLonDeg) : { index: nak, fraction };
      // `from` names a nakshatra; in the 28-mansion zodiac, mansions after Abhijit shift by one.
      const from = rule.abhijit && rule.from > 20 ? rule.from + 1 : rule.from;
      let passed = mod(m.index - from, mansions);
      for (let g = 0; g < rule.sizes.length; g++) {
        const size = rule.sizes[g];
        if (passed < size) return { lordIndex: g, elapsedFraction: (passed + m.fraction) / size, nakshatraFraction: fraction };
        passed -= size;
      }
      throw new RangeError(`group sizes ${rule.sizes.join('+')} do not cover ${mansions} mansions`);
    }
  }
}
