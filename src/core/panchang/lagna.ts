/**
 * The lagna table: when the ascendant changes sign over a local day. The
 * ascendant comes from the natal chart's own house calculation
 * (computeHouses in ../natal.ts); the changes are bisected like every other
 * change in the core (../search.ts).
 */
import type { SwissEphemeris } from '../../engine/swisseph';
import { computeHouses } from '../natal';
import { bisectChange } from '../search';
import type { Ayanamsa } from '../settings';
import { SIGNS, signIndex, type Sign } from '../zodiac';
import { SECONDS_PER_DAY } from './clock';
import type { Place } from './rise-set';

/**
 * Sampling step. Outside the polar circles a sign takes at least ~15 min to
 * rise below 60° latitude (Pisces/Aries at 60° N: ≈ 17 min), so a 4-minute
 * step sees every sign; nearer the poles fast signs can rise within one step
 * and are then missed (the table says what it samples in `stepMinutes`).
 */
export const LAGNA_STEP_MINUTES = 4;
const TOLERANCE_DAYS = 0.1 / SECONDS_PER_DAY;

export interface LagnaSpan {
  sign: Sign;
  /** Julian days UT; the first span starts and the last ends at the window's edges. */
  startJdUt: number;
  endJdUt: number;
  /** False when the span is cut by the window's edge rather than by a sign change. */
  startsInWindow: boolean;
  endsInWindow: boolean;
}

interface AscSample {
  jdUt: number;
  sign: number;
}

export function lagnaTable(engine: SwissEphemeris, fromJd: number, toJd: number, place: Place, ayanamsa: Ayanamsa): LagnaSpan[] {
  const settings = { ayanamsa, node: 'mean', houseSystem: 'whole_sign', profile: 'default' } as const;
  const at = (jdUt: number): AscSample => ({
    jdUt,
    sign: signIndex(computeHouses(engine, { jdUt, latDeg: place.latDeg, lonDeg: place.lonDeg, settings }).ascendantDeg),
  });
  const step = LAGNA_STEP_MINUTES / 1440;
  const spans: LagnaSpan[] = [];
  let a = at(fromJd);
  let spanStart = fromJd;
  let startsInWindow = false;
  while (a.jdUt < toJd) {
    const b = at(Math.min(toJd, a.jdUt + step));
    if (b.sign !== a.sign) {
      const fromSign = a.sign;
      const change = bisectChange(a, b, at, (s) => s.sign === fromSign, TOLERANCE_DAYS);
      spans.push({ sign: SIGNS[fromSign], startJdUt: spanStart, endJdUt: change.jdUt, startsInWindow, endsInWindow: true });
      spanStart = change.jdUt;
      startsInWindow = true;
      a = change;
      // The bisection can land in the sign after next if two changes fall within one step: continue from there.
      continue;
    }
    a = b;
  }
  spans.push({ sign: SIGNS[a.sign], startJdUt: spanStart, endJdUt: toJd, startsInWindow, endsInWindow: false });
  return spans;
}
