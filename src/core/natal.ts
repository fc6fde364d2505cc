/**
 * The natal chart: sidereal positions of the grahas and outer planets, the
 * ascendant and the houses, for one instant and place.
 */
import { BODY, type EphemerisSource, type SwissEphemeris } from '../engine/swisseph';
import { InputError } from './errors';
import {
  HOUSE_FLAGS,
  HOUSE_SYSTEM_CODE,
  SIDEREAL_MODE,
  ayanamsaFlags,
  planetFlags,
  type ChartSettings,
  type HouseSystem,
} from './settings';
import { SIGNS, normalizeDeg, placement, signIndex, type Sign, type ZodiacPlacement } from './zodiac';

/** Response order: the nine grahas, then the outer planets. */
export const PLANETS = [
  'Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu', 'Uranus', 'Neptune', 'Pluto',
] as const;
export type Planet = (typeof PLANETS)[number];

/** Swiss Ephemeris body number of every planet except the nodes (Rahu/Ketu depend on the node setting). */
export const PLANET_BODY: Record<Exclude<Planet, 'Rahu' | 'Ketu'>, number> = {
  Sun: BODY.SUN,
  Moon: BODY.MOON,
  Mars: BODY.MARS,
  Mercury: BODY.MERCURY,
  Jupiter: BODY.JUPITER,
  Venus: BODY.VENUS,
  Saturn: BODY.SATURN,
  Uranus: BODY.URANUS,
  Neptune: BODY.NEPTUNE,
  Pluto: BODY.PLUTO,
};

export interface NatalInput {
  /** Julian day, UT. */
  jdUt: number;
  /** Geographic latitude, degrees, north positive, [-90, 90]. */
  latDeg: number;
  /** Geographic longitude, degrees, east positive, [-180, 180]. */
  lonDeg: number;
  settings: ChartSettings;
}

export interface PointPosition extends ZodiacPlacement {
  /** Sidereal ecliptic longitude, degrees, [0, 360). */
  longitudeDeg: number;
}

export interface PlanetPosition extends PointPosition {
  /** Ecliptic latitude, degrees. */
  latitudeDeg: number;
  /** Longitude speed, degrees per day; negative when retrograde. */
  speedDegPerDay: number;
  retrograde: boolean;
  /** House (1–12) under the chosen house system. */
  house: number;
}

export interface HouseCusp {
  house: number;
  sign: Sign;
  /** Sidereal longitude of the cusp, degrees, [0, 360). */
  cuspDeg: number;
}

export interface NatalChart {
  /** Ayanamsa used, degrees (without nutation in the `jhora` profile). */
  ayanamsaDeg: number;
  /** `moshier` when any position fell back from the Swiss files. */
  ephemeris: EphemerisSource;
  ascendant: PointPosition;
  planets: Record<Planet, PlanetPosition>;
  houses: HouseCusp[];
}

export interface RawPosition {
  lonDeg: number;
  latDeg: number;
  speedDegPerDay: number;
  ephemeris: EphemerisSource;
}

/** Sidereal positions of every planet in PLANETS order; Ketu is Rahu + 180°. */
export function computePositions(engine: SwissEphemeris, jdUt: number, settings: ChartSettings): Record<Planet, RawPosition> {
  const flags = planetFlags(settings.profile);
  const sidMode = SIDEREAL_MODE[settings.ayanamsa];
  const calc = (body: number): RawPosition => {
    const p = engine.calcUt(jdUt, body, flags, sidMode);
    return { lonDeg: normalizeDeg(p.lonDeg), latDeg: p.latDeg, speedDegPerDay: p.lonSpeedDegPerDay, ephemeris: p.ephemeris };
  };
  const rahu = calc(settings.node === 'true' ? BODY.TRUE_NODE : BODY.MEAN_NODE);
  const ketu = { ...rahu, lonDeg: normalizeDeg(rahu.lonDeg + 180), latDeg: -rahu.latDeg };
  const out = {} as Record<Planet, RawPosition>;
  for (const name of PLANETS) {
    out[name] = name === 'Rahu' ? rahu : name === 'Ketu' ? ketu : calc(PLANET_BODY[name]);
  }
  return out;
}

export interface HouseFrame {
  ascendantDeg: number;
  /** Cusps 1..12 as index 0..11, sidereal degrees. */
  cuspsDeg: number[];
}

/** Ascendant and cusps; refuses systems the library cannot honour at this latitude instead of substituting one. */
export function computeHouses(engine: SwissEphemeris, input: NatalInput): HouseFrame {
  const { houseSystem, ayanamsa } = input.settings;
  const code = HOUSE_SYSTEM_CODE[houseSystem];
  const h = engine.housesUt(input.jdUt, input.latDeg, input.lonDeg, code, HOUSE_FLAGS, SIDEREAL_MODE[ayanamsa]);
  if (!h.systemHonoured) {
    throw new InputError(
      'house_system_unavailable',
      'houseSystem',
      `${houseSystem} house cusps are undefined at latitude ${input.latDeg}° (inside a polar circle); choose whole_sign, equal or sripati`,
    );
  }
  return { ascendantDeg: normalizeDeg(h.ascendantDeg), cuspsDeg: h.cuspsDeg.map(normalizeDeg) };
}

/** House (1–12) of a longitude: the cusp interval containing it, counted from cusp 1. */
export function houseOf(lonDeg: number, frame: HouseFrame, houseSystem: HouseSystem): number {
  if (houseSystem === 'whole_sign') return ((signIndex(lonDeg) - signIndex(frame.ascendantDeg) + 12) % 12) + 1;
  const cusps = frame.cuspsDeg;
  for (let i = 0; i < 12; i++) {
    const start = cusps[i];
    const width = normalizeDeg(cusps[(i + 1) % 12] - start);
    if (normalizeDeg(lonDeg - start) < width) return i + 1;
  }
  // Unreachable for twelve cusps that cover the circle; keeps the type total.
  return 12;
}

/** A raw sidereal position as the response shows it (everything but the house). */
export function planetFields(p: RawPosition): Omit<PlanetPosition, 'house'> {
  return {
    longitudeDeg: p.lonDeg,
    latitudeDeg: p.latDeg,
    speedDegPerDay: p.speedDegPerDay,
    retrograde: p.speedDegPerDay < 0,
    ...placement(p.lonDeg),
  };
}

export function computeNatal(engine: SwissEphemeris, input: NatalInput): NatalChart {
  const { settings } = input;
  const frame = computeHouses(engine, input);
  const raw = computePositions(engine, input.jdUt, settings);
  const planets = {} as Record<Planet, PlanetPosition>;
  for (const name of PLANETS) {
    const p = raw[name];
    planets[name] = { ...planetFields(p), house: houseOf(p.lonDeg, frame, settings.houseSystem) };
  }
  const anyMoshier = PLANETS.some((name) => raw[name].ephemeris === 'moshier');
  return {
    ayanamsaDeg: engine.ayanamsaUt(input.jdUt, SIDEREAL_MODE[settings.ayanamsa], ayanamsaFlags(settings.profile)),
    ephemeris: anyMoshier ? 'moshier' : 'swiss',
    ascendant: { longitudeDeg: frame.ascendantDeg, ...placement(frame.ascendantDeg) },
    planets,
    houses: frame.cuspsDeg.map((cuspDeg, i) => ({ house: i + 1, sign: SIGNS[signIndex(cuspDeg)], cuspDeg })),
  };
}
