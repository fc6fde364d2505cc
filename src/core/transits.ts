/**
 * Transits: where the planets stand at an instant, counted in whole-sign houses
 * from the natal ascendant and the natal Moon, and when each one next changes
 * sign. Pure: the only dependency is the Swiss Ephemeris engine passed in.
 */
import { BODY, type SwissEphemeris } from '../engine/swisseph';
import { PLANETS, PLANET_BODY, computePositions, planetFields, type NatalChart, type Planet, type PlanetPosition } from './natal';
import { bisectChange } from './search';
import { SIDEREAL_MODE, planetFlags, type ChartSettings } from './settings';
import { SIGNS, SIGN_SPAN_DEG, normalizeDeg, signIndex, type Sign } from './zodiac';

export interface SignChange {
  /**
   * Julian day (UT) of the first instant found in the new sign: at most
   * SIGN_CHANGE_TOLERANCE_DAYS (0.1 s) after the boundary crossing.
   */
  jdUt: number;
  /** `jdUt` rounded to the nearest second, ISO 8601, e.g. "2025-03-29T20:58:12Z". */
  utc: string;
  fromSign: Sign;
  toSign: Sign;
}

export interface TransitPlanet extends Omit<PlanetPosition, 'house'> {
  /** Whole-sign house (1–12) counted from the natal ascendant's sign. */
  houseFromAscendant: number;
  /** Whole-sign house (1–12) counted from the natal Moon's sign. */
  houseFromMoon: number;
  /** Next sign change after the transit instant; null if none before the search horizon. */
  nextSignChange: SignChange | null;
}

export interface TransitInput {
  /** The transit instant, Julian day UT. */
  jdUt: number;
  natal: NatalChart;
  /** Settings for the transit positions; normally the natal chart's own. */
  settings: ChartSettings;
}

/** Julian day (UT) of 2400-01-01 00:00, where the bundled Swiss files (1800–2399) end. */
export const EPHEMERIS_END_JD_UT = 2_597_641.5;
/** A sign-change search looks this far ahead at most (Pluto stays ~12–32 years in a sign). */
export const SEARCH_HORIZON_DAYS = 40 * 365.25;
/** The bisection stops once the crossing is bracketed this tightly: 0.1 s. */
export const SIGN_CHANGE_TOLERANCE_DAYS = 0.1 / 86_400;

/**
 * Largest step, in days, of the march towards a sign boundary while the body
 * is close to one (far from a boundary the march jumps further, see
 * MAX_SPEED_DEG_PER_DAY). Within one such step the search assumes, for every
 * body but the true node, that the longitude turns at most once: a step is then
 * monotonic exactly when the speeds at its two ends have the same sign, and a
 * step whose end speeds differ is halved around the station so that a body
 * that grazes the next sign and turns back is still caught. The steps are
 * therefore far below the shortest gap between two stations, measured with
 * this engine at 0.1-day resolution over 1900–2100 (Mercury 19.7 d, Venus
 * 40.8 d, Mars 59.9 d, Jupiter 117 d, Saturn 133 d, Uranus 149 d, Neptune and
 * Pluto 156 d); the Sun, the Moon and the mean node never station. The fastest
 * body covers at most 16.5° × 0.25 d ≈ 4° (the Moon) in one step, far below a
 * 30° sign, so a step can never skip a sign either. The true node loops back
 * and forth within hours at times, so its steps are checked with the speed
 * bound alone (see MAX_SPEED_DEG_PER_DAY). Rahu and Ketu share the node's step.
 */
export const SEARCH_STEP_DAYS: Readonly<Record<Planet, number>> = {
  Sun: 0.5,
  Moon: 0.25,
  Mars: 1,
  Mercury: 0.5,
  Jupiter: 2,
  Venus: 0.5,
  Saturn: 2,
  Rahu: 1,
  Ketu: 1,
  Uranus: 5,
  Neptune: 5,
  Pluto: 5,
};

/**
 * Upper bound on |sidereal longitude speed|, degrees per day. A body at angular
 * distance d from both edges of its sign cannot leave it within d / bound days,
 * so the march jumps that far at once (Pluto mid-sign: ~250 days per step) and
 * never samples more densely than needed. Measured maxima with this engine over
 * 1900–2100 (0.1-day samples), each bound ≥ 7 % above them: Sun 1.020, Moon
 * 15.40, Mercury 2.203, Venus 1.259, Mars 0.791, Jupiter 0.242, Saturn 0.133,
 * Uranus 0.066, Neptune 0.042, Pluto 0.041 (near its 1989 perihelion). For Rahu
 * and Ketu the value is the true node's: finite differences over 1800–2400 give
 * 0.26°/day (the speed the library reports spikes higher at single instants,
 * where its lunar ephemeris segments join and the true node steps by < 0.6″).
 * The mean node moves at a constant 0.0530°/day: MEAN_NODE_MAX_SPEED_DEG_PER_DAY.
 */
export const MAX_SPEED_DEG_PER_DAY: Readonly<Record<Planet, number>> = {
  Sun: 1.1,
  Moon: 16.5,
  Mars: 1,
  Mercury: 2.5,
  Jupiter: 0.3,
  Venus: 1.4,
  Saturn: 0.16,
  Rahu: 0.4,
  Ketu: 0.4,
  Uranus: 0.08,
  Neptune: 0.06,
  Pluto: 0.06,
};
export const MEAN_NODE_MAX_SPEED_DEG_PER_DAY = 0.06;

interface Sample {
  jdUt: number;
  lonDeg: number;
  speedDegPerDay: number;
  sign: number;
}

/** One body's sidereal longitude and speed under the chart's flags (Ketu is searched as Rahu). */
function sampler(engine: SwissEphemeris, planet: Exclude<Planet, 'Ketu'>, settings: ChartSettings): (jdUt: number) => Sample {
  const flags = planetFlags(settings.profile);
  const sidMode = SIDEREAL_MODE[settings.ayanamsa];
  const body = planet === 'Rahu' ? (settings.node === 'true' ? BODY.TRUE_NODE : BODY.MEAN_NODE) : PLANET_BODY[planet];
  return (jdUt) => {
    const p = engine.calcUt(jdUt, body, flags, sidMode);
    const lonDeg = normalizeDeg(p.lonDeg);
    return { jdUt, lonDeg, speedDegPerDay: p.lonSpeedDegPerDay, sign: signIndex(lonDeg) };
  };
}

/**
 * First instant after `jdUtStart` at which the planet's sidereal longitude (the
 * chart's ayanamsa, node type and profile) is in a different sign, whether it
 * moves on or, retrograde, back into the previous sign. Null when it stays in
 * its sign until the horizon: 40 years or the end of the ephemeris, whichever
 * comes first.
 *
 * The march from `jdUtStart` jumps d / MAX_SPEED days while the body is d
 * degrees from the nearer edge of its sign, else one SEARCH_STEP_DAYS step.
 * Each step is examined by `firstExit`, and the crossing bisected to 0.1 s.
 * The jump length only sets the cost: what clears a stretch is firstExit's
 * speed-bound test, and a stretch it cannot clear is halved until it can.
 *
 * Limits: an excursion into the next sign shorter than 0.1 s is not reported,
 * and the true node's sub-arcsecond steps where the library's lunar ephemeris
 * segments join are not covered by the speed bound (a "change" made only of
 * such a step, within 0.6″ of a boundary, may be missed).
 */
export function nextSignChange(
  engine: SwissEphemeris,
  planet: Planet,
  jdUtStart: number,
  settings: ChartSettings,
): SignChange | null {
  // Ketu is always Rahu + 180° = six signs on: it changes sign at Rahu's instants.
  if (planet === 'Ketu') return oppositeChange(nextSignChange(engine, 'Rahu', jdUtStart, settings));
  const endJd = Math.min(jdUtStart + SEARCH_HORIZON_DAYS, EPHEMERIS_END_JD_UT);
  if (!(jdUtStart < endJd)) return null;

  const at = sampler(engine, planet, settings);
  const isNode = planet === 'Rahu';
  const maxSpeed = isNode && settings.node === 'mean' ? MEAN_NODE_MAX_SPEED_DEG_PER_DAY : MAX_SPEED_DEG_PER_DAY[planet];
  const stepDays = SEARCH_STEP_DAYS[planet];
  // The true node can turn twice within one step; its end speeds prove nothing.
  const speedsProveMonotonic = !(isNode && settings.node === 'true');

  const start = at(jdUtStart);
  const fromSign = start.sign;
  /** Degrees from a sample (in the starting sign) to the nearer edge of that sign. */
  const marginDeg = (s: Sample): number => {
    const inSignDeg = s.lonDeg - fromSign * SIGN_SPAN_DEG;
    return Math.min(inSignDeg, SIGN_SPAN_DEG - inSignDeg);
  };
  const sameDirection = (a: Sample, b: Sample): boolean =>
    (a.speedDegPerDay > 0 && b.speedDegPerDay > 0) || (a.speedDegPerDay < 0 && b.speedDegPerDay < 0);
  const monotonic = (a: Sample, b: Sample): boolean =>
    speedsProveMonotonic && b.jdUt - a.jdUt <= stepDays && sameDirection(a, b);

  /** Bisects a monotonic interval whose ends lie in different signs; returns the first sample past the crossing. */
  const bisect = (a: Sample, b: Sample): Sample =>
    bisectChange(a, b, at, (s) => s.sign === fromSign, SIGN_CHANGE_TOLERANCE_DAYS);

  /**
   * First sample outside the starting sign within (a, b], or null; `a` lies in
   * the starting sign. An interval is cleared without sampling inside it when
   * the body could not reach an edge (the margins at both ends exceed what the
   * speed bound allows) or when it is monotonic and ends in the starting sign.
   * Otherwise it is halved, earlier half first, so the first exit is found even
   * when the body grazes the next sign around a station.
   */
  const firstExit = (a: Sample, b: Sample): Sample | null => {
    const spanDays = b.jdUt - a.jdUt;
    if (b.sign === fromSign) {
      if (marginDeg(a) + marginDeg(b) > maxSpeed * spanDays) return null;
      if (monotonic(a, b) || spanDays < SIGN_CHANGE_TOLERANCE_DAYS) return null;
    } else {
      if (monotonic(a, b)) return bisect(a, b);
      if (spanDays < SIGN_CHANGE_TOLERANCE_DAYS) return b;
    }
    const mid = at((a.jdUt + b.jdUt) / 2);
    if (mid.sign !== fromSign) return firstExit(a, mid);
    return firstExit(a, mid) ?? firstExit(mid, b);
  };

  let a = start;
  while (a.jdUt < endJd) {
    const jumpDays = Math.max(stepDays, marginDeg(a) / maxSpeed);
    const b = at(Math.min(endJd, a.jdUt + jumpDays));
    const exit = firstExit(a, b);
    if (exit) {
      return { jdUt: exit.jdUt, utc: jdUtToIso(exit.jdUt), fromSign: SIGNS[fromSign], toSign: SIGNS[exit.sign] };
    }
    a = b;
  }
  return null;
}

/** Positions at the transit instant, whole-sign houses from the natal ascendant and Moon, and next sign changes. */
export function computeTransits(engine: SwissEphemeris, input: TransitInput): Record<Planet, TransitPlanet> {
  const { jdUt, natal, settings } = input;
  const raw = computePositions(engine, jdUt, settings);
  const ascendantSign = signIndex(natal.ascendant.longitudeDeg);
  const moonSign = signIndex(natal.planets.Moon.longitudeDeg);
  // Searched once for the nodes: Ketu's change is Rahu's, six signs on.
  const rahuChange = nextSignChange(engine, 'Rahu', jdUt, settings);
  const ketuChange = oppositeChange(rahuChange);

  const out = {} as Record<Planet, TransitPlanet>;
  for (const name of PLANETS) {
    const p = raw[name];
    const sign = signIndex(p.lonDeg);
    out[name] = {
      ...planetFields(p),
      houseFromAscendant: wholeSignHouse(sign, ascendantSign),
      houseFromMoon: wholeSignHouse(sign, moonSign),
      nextSignChange:
        name === 'Rahu' ? rahuChange : name === 'Ketu' ? ketuChange : nextSignChange(engine, name, jdUt, settings),
    };
  }
  return out;
}

/** Julian day UT → ISO 8601 UTC, rounded to the nearest whole second, e.g. "2000-01-01T12:00:00Z". */
export function jdUtToIso(jdUt: number): string {
  const seconds = Math.round((jdUt - JD_UNIX_EPOCH) * SECONDS_PER_DAY);
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

const JD_UNIX_EPOCH = 2_440_587.5;
const SECONDS_PER_DAY = 86_400;

/** House 1–12 of a sign counted from a reference sign, which is house 1. */
function wholeSignHouse(sign: number, fromSign: number): number {
  return ((sign - fromSign + 12) % 12) + 1;
}

/** The same change seen from the opposite point (Rahu → Ketu): same instant, signs six on. */
function oppositeChange(change: SignChange | null): SignChange | null {
  if (change === null) return null;
  const opposite = (sign: Sign): Sign => SIGNS[(SIGNS.indexOf(sign) + 6) % 12];
  return { ...change, fromSign: opposite(change.fromSign), toSign: opposite(change.toSign) };
}
