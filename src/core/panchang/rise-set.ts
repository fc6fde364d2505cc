/**
 * Rise and set of the Sun and the Moon through the Swiss Ephemeris
 * (swe_rise_trans in our WASM engine). The one place that decides what
 * "sunrise" means: everything that needs the day's sunrise (the panchang, its
 * muhurtas, later the strength of the day lord) takes it from here.
 */
import { BODY, RISE, SEFLG, type Observer, type SwissEphemeris } from '../../engine/swisseph';

/**
 * `hindu`: the centre of the disc on the geometric horizon, no refraction
 * (SE_BIT_DISC_CENTER | SE_BIT_NO_REFRACTION), as the Indian panchang
 * tradition defines sunrise. `western`: the upper limb with refraction, the
 * library's default and the almanac convention, 3–4 minutes earlier.
 */
export const SUNRISE_MODES = ['hindu', 'western'] as const;
export type SunriseMode = (typeof SUNRISE_MODES)[number];

export const SUNRISE_MODE_BITS: Record<SunriseMode, number> = {
  hindu: RISE.DISC_CENTER | RISE.NO_REFRACTION,
  western: 0,
};

/** Standard air for refraction, the values native swetest passes (1013.25 hPa, 15 °C). */
export const STANDARD_AIR = { pressureHpa: 1013.25, temperatureC: 15 } as const;

export interface Place {
  latDeg: number;
  lonDeg: number;
}

export type RiseBody = 'Sun' | 'Moon';

function observer(place: Place): Observer {
  return { lonDeg: place.lonDeg, latDeg: place.latDeg, altitudeM: 0, ...STANDARD_AIR };
}

/** First rise of the body after `jdUt` (Julian day UT), or null when it does not rise there (circumpolar). */
export function nextRise(engine: SwissEphemeris, body: RiseBody, jdUt: number, place: Place, mode: SunriseMode): number | null {
  return engine.riseTransUt(jdUt, body === 'Sun' ? BODY.SUN : BODY.MOON, SEFLG.SWIEPH, RISE.RISE | SUNRISE_MODE_BITS[mode], observer(place));
}

/** First set of the body after `jdUt`, or null when it does not set there. */
export function nextSet(engine: SwissEphemeris, body: RiseBody, jdUt: number, place: Place, mode: SunriseMode): number | null {
  return engine.riseTransUt(jdUt, body === 'Sun' ? BODY.SUN : BODY.MOON, SEFLG.SWIEPH, RISE.SET | SUNRISE_MODE_BITS[mode], observer(place));
}

/** The first event found in [fromJd, toJd), or null. */
export function eventWithin(find: (jdUt: number) => number | null, fromJd: number, toJd: number): number | null {
  const jd = find(fromJd);
  return jd !== null && jd < toJd ? jd : null;
}
