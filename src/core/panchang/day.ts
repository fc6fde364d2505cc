/**
 * One local day's panchang: sunrise and the rest of the day frame, the vara,
 * the five limbs at sunrise with their ends and every change until the next
 * sunrise, the lunar month, and the muhurtas. Pure: the engine is passed in.
 */
import { BODY, SEFLG, type SwissEphemeris } from '../../engine/swisseph';
import { type Ayanamsa, type Profile } from '../settings';
import { NAKSHATRAS, padaOf } from '../zodiac';
import { SECONDS_PER_DAY, localMidnightJd, weekdayOf, type LocalClock, type LocalDate } from './clock';
import { LIMBS, limbAngle, limbSpanAt, limbStartJd, limbTransitions, sunMoonSampler, type Limb, type LimbSpan, type LimbTransition, type SunMoonAt } from './limbs';
import { lunarYearAt, type LunarYear } from './masa';
import { computeMuhurtas, type Muhurtas, type Period } from './muhurta';
import { eventWithin, nextRise, nextSet, type Place, type SunriseMode } from './rise-set';
import { GAND_MOOL_NAKSHATRAS, VARAS } from './rules';

export interface PanchangSettings {
  ayanamsa: Ayanamsa;
  profile: Profile;
  sunriseMode: SunriseMode;
}

export interface PanchangInput {
  date: LocalDate;
  clock: LocalClock;
  place: Place;
  settings: PanchangSettings;
}

/** Without a sunrise (polar day or night) the limbs are taken at 06:00 local clock time, and said so. */
export const POLAR_REFERENCE_HOURS = 6;

export interface GandMoolPeriod extends Period {
  nakshatra: (typeof NAKSHATRAS)[number];
}

export interface PanchangDay {
  date: LocalDate;
  sunriseJdUt: number | null;
  sunsetJdUt: number | null;
  moonriseJdUt: number | null;
  moonsetJdUt: number | null;
  nextSunriseJdUt: number | null;
  /** The instant the limbs are taken at: sunrise, or 06:00 local without one. */
  referenceJdUt: number;
  /** Set when the Sun does not rise or set on this day at this place. */
  polar: { kind: 'polar_day' | 'polar_night' | 'no_sunrise' | 'no_sunset'; note: string } | null;
  weekday: number;
  limbs: Record<Limb, LimbSpan>;
  /** Moon's pada (1–4) at the reference instant. */
  nakshatraPada: number;
  transitions: LimbTransition[];
  lunar: LunarYear;
  muhurtas: Muhurtas | null;
  gandMool: GandMoolPeriod[];
}

export interface DayOptions {
  /** Skip muhurtas, gand mool and moonrise/moonset (the calendar's compact entries). */
  compact?: boolean;
}

function polarNote(sunrise: number | null, sunset: number | null, midnightSunAltitudeUp: boolean): PanchangDay['polar'] {
  if (sunrise !== null && sunset !== null) return null;
  if (sunrise === null && sunset === null) {
    return midnightSunAltitudeUp
      ? { kind: 'polar_day', note: 'The Sun stays above the horizon all day (polar day): no sunrise or sunset. Limbs are given at 06:00 local time; muhurtas need a sunrise and are null.' }
      : { kind: 'polar_night', note: 'The Sun stays below the horizon all day (polar night): no sunrise or sunset. Limbs are given at 06:00 local time; muhurtas need a sunrise and are null.' };
  }
  return sunrise === null
    ? { kind: 'no_sunrise', note: 'The Sun sets but does not rise on this local day (near a polar day or night). Limbs are given at 06:00 local time; muhurtas are null.' }
    : { kind: 'no_sunset', note: 'The Sun rises but does not set before the next sunrise is due (near a polar day). Muhurtas need a sunset and are null.' };
}

/**
 * Without any rise or set the Sun is circumpolar: above the horizon all day
 * when its declination lies on the observer's side of the equator (polar
 * day), below it otherwise (polar night).
 */
function sunInSummerHemisphere(engine: SwissEphemeris, jdUt: number, place: Place): boolean {
  const declinationDeg = engine.calcUt(jdUt + 0.5, BODY.SUN, SEFLG.SWIEPH | SEFLG.EQUATORIAL).latDeg;
  return declinationDeg * place.latDeg > 0;
}

export function computePanchangDay(engine: SwissEphemeris, input: PanchangInput, options: DayOptions = {}): PanchangDay {
  const { date, clock, place, settings } = input;
  const mode = settings.sunriseMode;
  const dayStart = localMidnightJd(date, clock);
  const dayEnd = localMidnightJd(date, clock, 1);
  const rise = (jd: number) => nextRise(engine, 'Sun', jd, place, mode);
  const set = (jd: number) => nextSet(engine, 'Sun', jd, place, mode);

  const sunrise = eventWithin(rise, dayStart, dayEnd);
  const sunset = sunrise !== null ? set(sunrise) : eventWithin(set, dayStart, dayEnd);
  const nextSunrise = sunset !== null ? rise(sunset) : null;
  const polar = polarNote(sunrise, sunset, sunrise === null && sunset === null && sunInSummerHemisphere(engine, dayStart, place));
  const referenceJd = sunrise ?? dayStart + POLAR_REFERENCE_HOURS / 24;
  const untilJd = nextSunrise ?? referenceJd + 1;

  const at: SunMoonAt = sunMoonSampler(engine, settings);
  const s = at(referenceJd);
  const limbs = {} as Record<Limb, LimbSpan>;
  const transitions: LimbTransition[] = [];
  for (const limb of LIMBS) {
    limbs[limb] = limbSpanAt(at, limb, s);
    transitions.push(...limbTransitions(at, limb, limbs[limb], untilJd));
  }
  transitions.sort((a, b) => a.startJdUt - b.startJdUt || LIMBS.indexOf(a.limb) - LIMBS.indexOf(b.limb));

  const weekday = weekdayOf(date);
  let muhurtas: Muhurtas | null = null;
  const gandMool: GandMoolPeriod[] = [];
  let moonrise: number | null = null;
  let moonset: number | null = null;
  if (!options.compact) {
    moonrise = eventWithin((jd) => nextRise(engine, 'Moon', jd, place, mode), dayStart, dayEnd);
    moonset = eventWithin((jd) => nextSet(engine, 'Moon', jd, place, mode), dayStart, dayEnd);
    if (sunrise !== null && sunset !== null && nextSunrise !== null) {
      const previousSunset = set(sunrise - 1);
      if (previousSunset !== null && previousSunset < sunrise) {
        muhurtas = computeMuhurtas({ sunriseJdUt: sunrise, sunsetJdUt: sunset, nextSunriseJdUt: nextSunrise, previousSunsetJdUt: previousSunset, weekday });
      }
    }
    const spans = [{ number: limbs.nakshatra.number, startJdUt: limbStartJd(at, 'nakshatra', s), endJdUt: limbs.nakshatra.endJdUt }, ...transitions.filter((t) => t.limb === 'nakshatra')];
    for (const span of spans) {
      const name = NAKSHATRAS[span.number - 1];
      if ((GAND_MOOL_NAKSHATRAS as readonly string[]).includes(name)) gandMool.push({ nakshatra: name, startJdUt: span.startJdUt, endJdUt: span.endJdUt });
    }
  }

  return {
    date,
    sunriseJdUt: sunrise,
    sunsetJdUt: sunset,
    moonriseJdUt: moonrise,
    moonsetJdUt: moonset,
    nextSunriseJdUt: nextSunrise,
    referenceJdUt: referenceJd,
    polar,
    weekday,
    limbs,
    nakshatraPada: padaOf(limbAngle('nakshatra', s)),
    transitions,
    lunar: lunarYearAt(at, s, date),
    muhurtas,
    gandMool,
  };
}

/** The vara of a day: it runs from sunrise to sunrise, so it is the weekday of the local date of the sunrise. */
export function varaOf(weekday: number): (typeof VARAS)[number] {
  return VARAS[weekday];
}

export const LIMB_TOLERANCE_SEC = 0.1;
export { SECONDS_PER_DAY };
