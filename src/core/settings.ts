/**
 * Calculation settings a caller can choose, with the Swiss Ephemeris numbers
 * behind them. Every response echoes the settings it was computed with.
 */
import { SEFLG } from '../engine/swisseph';

export const AYANAMSAS = ['lahiri', 'raman', 'krishnamurti', 'yukteshwar', 'fagan_bradley', 'true_chitra'] as const;
export type Ayanamsa = (typeof AYANAMSAS)[number];

/** Swiss Ephemeris sidereal mode numbers (SE_SIDM_*). */
export const SIDEREAL_MODE: Record<Ayanamsa, number> = {
  fagan_bradley: 0,
  lahiri: 1,
  raman: 3,
  krishnamurti: 5,
  yukteshwar: 7,
  true_chitra: 27,
};

export const NODE_TYPES = ['mean', 'true'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const HOUSE_SYSTEMS = ['whole_sign', 'equal', 'placidus', 'sripati', 'kp'] as const;
export type HouseSystem = (typeof HOUSE_SYSTEMS)[number];

/** Swiss Ephemeris house-system letters. Sripati is Porphyry (as in JHora); KP uses Placidus cusps. */
export const HOUSE_SYSTEM_CODE: Record<HouseSystem, string> = {
  whole_sign: 'W',
  equal: 'E',
  placidus: 'P',
  sripati: 'O',
  kp: 'P',
};

/**
 * `default`: Swiss Ephemeris apparent positions. `jhora`: true geometric positions
 * without nutation (and the ayanamsa without nutation), as Jagannatha Hora
 * computes planets; ascendant and cusps keep the ordinary calculation there.
 */
export const PROFILES = ['default', 'jhora'] as const;
export type Profile = (typeof PROFILES)[number];

export interface ChartSettings {
  ayanamsa: Ayanamsa;
  node: NodeType;
  houseSystem: HouseSystem;
  profile: Profile;
}

export const DEFAULT_SETTINGS: ChartSettings = {
  ayanamsa: 'lahiri',
  node: 'mean',
  houseSystem: 'whole_sign',
  profile: 'default',
};

/** Flags for planet positions under a profile (sidereal, with speed). */
export function planetFlags(profile: Profile): number {
  const base = SEFLG.SWIEPH | SEFLG.SPEED | SEFLG.SIDEREAL;
  return profile === 'jhora' ? base | SEFLG.TRUEPOS | SEFLG.NONUT : base;
}

/**
 * Flags for the reported ayanamsa: the same position model as the planets, so
 * tropical = sidereal + ayanamsa holds. It matters for star-based ayanamsas
 * (true_chitra): without TRUEPOS, Spica's aberration moves the value up to ~20″.
 */
export function ayanamsaFlags(profile: Profile): number {
  return profile === 'jhora' ? SEFLG.SWIEPH | SEFLG.TRUEPOS | SEFLG.NONUT : SEFLG.SWIEPH;
}

/** Ascendant and cusps use the ordinary sidereal house calculation in every profile. */
export const HOUSE_FLAGS = SEFLG.SIDEREAL;
