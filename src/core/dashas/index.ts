/**
 * Nakshatra dashas of a natal chart: one entry point for every table-driven
 * system, with the conventions (method, year length, levels, window) named
 * and returned so the response can echo them.
 */
import { InputError } from '../errors';
import type { NatalChart } from '../natal';
import { placement, type Nakshatra, type NakshatraLord } from '../zodiac';
import { applicability, type Applicability } from './conditions';
import { dashaStart } from './start';
import { DASHA_SYSTEMS, dashaMethod, type NakshatraDashaSystemName } from './systems';
import { MAX_LEVELS, buildTree, currentPeriods, isoSecond, periodAt, type CurrentPeriod, type DashaPeriod, type TreeInput } from './tree';

export { DASHA_SYSTEMS, NAKSHATRA_DASHA_SYSTEMS, isNakshatraDashaSystem, cycleYears } from './systems';
export type { NakshatraDashaSystemName } from './systems';
export { LEVEL_NAMES, MAX_LEVELS, type CurrentPeriod, type DashaPeriod } from './tree';
export type { Applicability } from './conditions';

/** Year lengths offered, days: Julian (common), sidereal (Jagannatha Hora), Gregorian, savana. */
export const YEAR_DAYS = [365.25, 365.256364, 365.2425, 360] as const;

/**
 * Largest `to − from` window, in days, for a tree that reaches sookshma (4) or
 * prana (5): about 1 100 sookshmas or 1 000 pranas of Vimshottari, ~0.1 MB of JSON.
 */
export const MAX_WINDOW_DAYS: Readonly<Record<4 | 5, number>> = { 4: 20 * 365.25, 5: 2 * 365.25 };
/** Levels at and beyond this one are restricted to a window. */
export const FIRST_WINDOWED_LEVEL = 4;

export interface DashaOptions {
  system: NakshatraDashaSystemName;
  method?: string;
  levels: number;
  /** Default: the system's. */
  yearDays?: number;
  atMs?: number;
  fromMs?: number;
  toMs?: number;
}

export interface DashaResult {
  system: NakshatraDashaSystemName;
  method: string;
  yearDays: number;
  levels: number;
  /** The window levels 4–5 were restricted to; null for levels 1–3. */
  window: { from: string; to: string } | null;
  moon: { longitudeDeg: number; nakshatra: Nakshatra; nakshatraLord: NakshatraLord; pada: number; fractionElapsed: number };
  balance: { lord: string; years: number };
  /** Only for systems with a classical condition. */
  applicability: Applicability | null;
  periods: DashaPeriod[];
  current: CurrentPeriod[] | null;
}

const MS_PER_DAY = 86_400_000;

function windowOf(input: TreeInput, options: DashaOptions): { fromMs: number; toMs: number } | undefined {
  if (options.levels < FIRST_WINDOWED_LEVEL) return undefined;
  const { fromMs, toMs } = options;
  if (fromMs === undefined && toMs === undefined) {
    if (options.atMs === undefined) {
      throw new InputError(
        'dasha_window_required',
        'from',
        `levels ${options.levels} needs a window: give 'from' and 'to' (at most ${MAX_WINDOW_DAYS[options.levels as 4 | 5]} days apart), or 'at' to get the pratyantar running then`,
      );
    }
    const p = periodAt(input, 3, options.atMs);
    return { fromMs: p.startMs, toMs: p.endMs };
  }
  if (fromMs === undefined || toMs === undefined) {
    throw new InputError('dasha_window_incomplete', fromMs === undefined ? 'from' : 'to', "give both 'from' and 'to', or neither");
  }
  if (toMs <= fromMs) throw new InputError('dasha_window_empty', 'to', "'to' must be later than 'from'");
  const maxDays = MAX_WINDOW_DAYS[options.levels as 4 | 5];
  if (toMs - fromMs > maxDays * MS_PER_DAY) {
    throw new InputError(
      'dasha_window_too_large',
      'to',
      `a window of ${((toMs - fromMs) / MS_PER_DAY).toFixed(1)} days is too large for levels ${options.levels}; at most ${maxDays} days (or ask for fewer levels)`,
    );
  }
  return { fromMs, toMs };
}

export function computeDashas(natal: Pick<NatalChart, 'ascendant' | 'planets'>, birthMs: number, options: DashaOptions): DashaResult {
  const system = DASHA_SYSTEMS[options.system];
  const method = dashaMethod(system, options.method);
  if (!method) {
    throw new InputError('unknown_method', 'method', `${options.system} has no method '${options.method}'; choose one of ${system.methods.map((m) => m.name).join(', ')}`);
  }
  if (!Number.isInteger(options.levels) || options.levels < 1 || options.levels > MAX_LEVELS) {
    throw new InputError('invalid_levels', 'levels', `levels must be 1 to ${MAX_LEVELS}`);
  }
  const yearDays = options.yearDays ?? system.defaultYearDays;
  const moonLonDeg = natal.planets.Moon.longitudeDeg;
  const start = dashaStart(method.start, system.lords.length, moonLonDeg);
  const input: TreeInput = { sequence: system, birthMs, lordIndex: start.lordIndex, elapsedFraction: start.elapsedFraction, yearDays };
  const window = windowOf(input, options);
  const p = placement(moonLonDeg);
  const birthLord = system.lords[start.lordIndex];
  return {
    system: options.system,
    method: method.name,
    yearDays,
    levels: options.levels,
    window: window ? { from: isoSecond(window.fromMs), to: isoSecond(window.toMs) } : null,
    moon: { longitudeDeg: moonLonDeg, nakshatra: p.nakshatra, nakshatraLord: p.nakshatraLord, pada: p.pada, fractionElapsed: start.nakshatraFraction },
    balance: { lord: birthLord.lord, years: (1 - start.elapsedFraction) * birthLord.years },
    applicability: system.condition ? applicability(system.condition, natal) : null,
    periods: buildTree(input, { levels: options.levels, windowMs: window }),
    current: options.atMs === undefined ? null : currentPeriods(input, options.levels, options.atMs),
  };
}
