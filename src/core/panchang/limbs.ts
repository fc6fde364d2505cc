/**
 * Tithi, nakshatra, yoga and karana: the angle each is counted on, the one in
 * force at an instant, and when it ends, found by root-finding on the angle.
 *
 * Every angle here grows monotonically: the Moon never turns retrograde and
 * always outruns the Sun, so the elongation, the Moon's longitude and the sum
 * of both only increase. A boundary is therefore crossed once, and bisection
 * on "elapsed angle < remaining angle" finds it.
 */
import { BODY, type SwissEphemeris } from '../../engine/swisseph';
import { bisectChange } from '../search';
import { SIDEREAL_MODE, planetFlags, type Ayanamsa, type Profile } from '../settings';
import { NAKSHATRAS, NAKSHATRA_LORDS, nakshatraIndex, normalizeDeg, padaOf } from '../zodiac';
import { AMAVASYA, PAKSHAS, TITHI_NAMES, YOGA_NAMES, karanaName, type Paksha } from './rules';
import { SECONDS_PER_DAY } from './clock';

export const LIMBS = ['tithi', 'nakshatra', 'yoga', 'karana'] as const;
export type Limb = (typeof LIMBS)[number];

/** Divisions of the circle per limb. */
export const LIMB_COUNT: Record<Limb, number> = { tithi: 30, nakshatra: 27, yoga: 27, karana: 60 };

/**
 * Upper bounds on how fast each angle grows, degrees per day: the Moon moves
 * at most 15.4°/day (perigee), the Sun 0.95–1.02°/day. A march step of
 * remaining / bound days can therefore never jump past a boundary.
 */
export const MAX_RATE_DEG_PER_DAY: Record<Limb, number> = { tithi: 16, nakshatra: 16, yoga: 17, karana: 16 };

/** The search stops once the crossing is bracketed this tightly: 0.1 s. */
export const LIMB_TOLERANCE_DAYS = 0.1 / SECONDS_PER_DAY;
/** Smallest march step (1.2 h): below it the bracket is short enough to bisect anyway. */
const MIN_STEP_DAYS = 0.05;

export interface LimbSettings {
  ayanamsa: Ayanamsa;
  profile: Profile;
}

export interface SunMoon {
  jdUt: number;
  /** Sidereal longitudes, degrees [0, 360). */
  sunDeg: number;
  moonDeg: number;
}

export type SunMoonAt = (jdUt: number) => SunMoon;

/** Sidereal Sun and Moon under the settings' ayanamsa and profile (the same flags as the natal chart). */
export function sunMoonSampler(engine: SwissEphemeris, settings: LimbSettings): SunMoonAt {
  const flags = planetFlags(settings.profile);
  const sidMode = SIDEREAL_MODE[settings.ayanamsa];
  return (jdUt) => ({
    jdUt,
    sunDeg: normalizeDeg(engine.calcUt(jdUt, BODY.SUN, flags, sidMode).lonDeg),
    moonDeg: normalizeDeg(engine.calcUt(jdUt, BODY.MOON, flags, sidMode).lonDeg),
  });
}

/** The angle a limb is counted on, degrees [0, 360). */
export function limbAngle(limb: Limb, s: SunMoon): number {
  switch (limb) {
    case 'tithi':
    case 'karana':
      return normalizeDeg(s.moonDeg - s.sunDeg);
    case 'nakshatra':
      return s.moonDeg;
    case 'yoga':
      return normalizeDeg(s.sunDeg + s.moonDeg);
  }
}

/** Index (0-based) of the limb in force for an angle; multiplying first keeps exact boundaries exact. */
export function limbIndex(limb: Limb, angleDeg: number): number {
  if (limb === 'nakshatra') return nakshatraIndex(angleDeg);
  const count = LIMB_COUNT[limb];
  return Math.min(count - 1, Math.floor((angleDeg * count) / 360));
}

/**
 * The crossing where the angle has moved by `remainingDeg` (< 360) from
 * `from`: forwards (`direction` 1) the first sample at or past it, backwards
 * (−1, the angle counted down into the past) the first sample after it in
 * time, i.e. the start of the stretch that contains `from`. Either is at most
 * LIMB_TOLERANCE_DAYS after the exact instant.
 *
 * The march takes steps of (angle still to go) / maxRate days, which cannot
 * overshoot, or MIN_STEP_DAYS when that is less (overshooting by at most
 * 0.8°, so `moved` can wrap past 360 only then, which is detected: a sample
 * beyond the crossing has moved more than `remainingDeg`, or wrapped below
 * what the last sample had moved).
 */
export function angleCrossing(
  at: SunMoonAt,
  angle: (s: SunMoon) => number,
  from: SunMoon,
  remainingDeg: number,
  maxRateDegPerDay: number,
  direction: 1 | -1 = 1,
): SunMoon {
  const start = angle(from);
  const moved = (s: SunMoon) => normalizeDeg(direction * (angle(s) - start));
  let a = from;
  let movedA = 0;
  for (;;) {
    const step = Math.max((remainingDeg - movedA) / maxRateDegPerDay, MIN_STEP_DAYS);
    const b = at(a.jdUt + direction * step);
    const movedB = moved(b);
    if (movedB >= remainingDeg || movedB < movedA) {
      const floor = movedA;
      const beyond = (s: SunMoon) => {
        const m = moved(s);
        return m >= remainingDeg || m < floor;
      };
      if (direction === 1) return bisectChange(a, b, at, (s) => !beyond(s), LIMB_TOLERANCE_DAYS);
      if (movedB === remainingDeg) return b;
      // Backwards, b lies before the crossing in time: bisect forward from b to a.
      return bisectChange(b, a, at, (s) => beyond(s) && moved(s) !== remainingDeg, LIMB_TOLERANCE_DAYS);
    }
    a = b;
    movedA = movedB;
  }
}

export interface LimbSpan {
  limb: Limb;
  /** 1-based number: tithi 1–30, nakshatra 1–27, yoga 1–27, karana 1–60. */
  number: number;
  /** Julian day UT of the end: the first instant (within 0.1 s) of the next one. */
  endJdUt: number;
}

/** The limb in force at `s` and its end. */
export function limbSpanAt(at: SunMoonAt, limb: Limb, s: SunMoon): LimbSpan {
  const angleDeg = limbAngle(limb, s);
  const index = limbIndex(limb, angleDeg);
  const boundaryDeg = ((index + 1) * 360) / LIMB_COUNT[limb];
  const end = angleCrossing(at, (x) => limbAngle(limb, x), s, boundaryDeg - angleDeg, MAX_RATE_DEG_PER_DAY[limb]);
  return { limb, number: index + 1, endJdUt: end.jdUt };
}

export interface LimbTransition extends LimbSpan {
  startJdUt: number;
}

/**
 * Every limb of this kind that begins after `s` and before `untilJdUt`, each
 * with its start and end: a tithi that begins and ends between two sunrises
 * (a skipped, kshaya tithi) shows up here and at no sunrise.
 */
export function limbTransitions(at: SunMoonAt, limb: Limb, first: LimbSpan, untilJdUt: number): LimbTransition[] {
  const out: LimbTransition[] = [];
  let endJd = first.endJdUt;
  while (endJd < untilJdUt) {
    const next = limbSpanAt(at, limb, at(endJd));
    out.push({ ...next, startJdUt: endJd });
    endJd = next.endJdUt;
  }
  return out;
}

/** Start of the limb in force at `s` (the last instant, within 0.1 s, of the one before). */
export function limbStartJd(at: SunMoonAt, limb: Limb, s: SunMoon): number {
  const angleDeg = limbAngle(limb, s);
  const index = limbIndex(limb, angleDeg);
  const startDeg = (index * 360) / LIMB_COUNT[limb];
  const intoDeg = angleDeg - startDeg;
  if (intoDeg === 0) return s.jdUt;
  return angleCrossing(at, (x) => limbAngle(limb, x), s, intoDeg, MAX_RATE_DEG_PER_DAY[limb], -1).jdUt;
}

export interface LimbNames {
  name: string;
  paksha?: Paksha;
  lord?: string;
}

/** Name (and paksha or lord) of limb number `n`. */
export function limbNames(limb: Limb, n: number): LimbNames {
  switch (limb) {
    case 'tithi':
      return { name: n === 30 ? AMAVASYA : TITHI_NAMES[(n - 1) % 15], paksha: PAKSHAS[n <= 15 ? 0 : 1] };
    case 'nakshatra':
      return { name: NAKSHATRAS[n - 1], lord: NAKSHATRA_LORDS[(n - 1) % 9] };
    case 'yoga':
      return { name: YOGA_NAMES[n - 1] };
    case 'karana':
      return { name: karanaName(n) };
  }
}

export { padaOf };
