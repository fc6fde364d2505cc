/**
 * The local calendar day a panchang is asked for, and local ISO strings for
 * its instants. The clock is an IANA zone (offsets in force at each instant,
 * DST included) or a fixed offset; resolution goes through ../time.ts.
 */
import { InputError } from '../errors';
import { formatUtcOffset, resolveTime, zoneOffsetSec } from '../time';

export const JD_UNIX_EPOCH = 2_440_587.5;
export const MS_PER_DAY = 86_400_000;
export const SECONDS_PER_DAY = 86_400;

export interface LocalClock {
  /** The IANA zone as given, else null (fixed offset). */
  timezone: string | null;
  /** The fixed offset, seconds east, when no zone was given. */
  fixedOffsetSec: number | null;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
  /** "YYYY-MM-DD". */
  text: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates `date` (path `field`) and the clock fields, with the same rules
 * and messages as chart times (the date must exist; years 1000–2999).
 */
export function resolveLocalDay(date: string, clock: { timezone?: string; utcOffset?: string }, field = 'date'): { date: LocalDate; clock: LocalClock } {
  const m = DATE_RE.exec(date);
  if (!m) throw new InputError('invalid_date', field, `${JSON.stringify(date)} is not a calendar date; expected YYYY-MM-DD, e.g. 2025-03-21`);
  try {
    // Noon exists in every zone on every date; it checks the date and the clock fields at once.
    resolveTime({ datetime: `${date}T12:00`, timezone: clock.timezone, utcOffset: clock.utcOffset });
  } catch (err) {
    if (err instanceof InputError && err.path === 'datetime') {
      throw new InputError(err.code === 'invalid_datetime' ? 'invalid_date' : err.code, field, err.message.replace(/T12:00(:00)?/, ''), { cause: err });
    }
    throw err;
  }
  const fixed = clock.timezone === undefined && clock.utcOffset !== undefined ? resolveTime({ datetime: `${date}T12:00`, utcOffset: clock.utcOffset }).utcOffsetSec : null;
  return {
    date: { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), text: date },
    clock: { timezone: clock.timezone ?? null, fixedOffsetSec: fixed },
  };
}

export function offsetAtMs(clock: LocalClock, epochMs: number): number {
  return clock.timezone === null ? (clock.fixedOffsetSec ?? 0) : zoneOffsetSec(clock.timezone, epochMs);
}

export function jdToMs(jdUt: number): number {
  return (jdUt - JD_UNIX_EPOCH) * MS_PER_DAY;
}

export function msToJd(epochMs: number): number {
  return epochMs / MS_PER_DAY + JD_UNIX_EPOCH;
}

/**
 * Julian day (UT) of local midnight starting `date` plus `addDays` days.
 * Where clocks jump at midnight (a gap), this is the instant the jump lands on.
 */
export function localMidnightJd(date: LocalDate, clock: LocalClock, addDays = 0): number {
  const wallMs = Date.UTC(date.year, date.month - 1, date.day + addDays);
  const guessMs = wallMs - offsetAtMs(clock, wallMs) * 1000;
  return msToJd(wallMs - offsetAtMs(clock, guessMs) * 1000);
}

/** Weekday of a local date, 0 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** The local date `days` after `date`. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  const text = d.toISOString().slice(0, 10);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), text };
}

/** An instant as local wall time with the offset in force, rounded to the second: "2025-03-21T06:15:51+05:30". */
export function toLocalIso(jdUt: number, clock: LocalClock): string {
  const ms = Math.round(jdToMs(jdUt) / 1000) * 1000;
  const offsetSec = offsetAtMs(clock, ms);
  return new Date(ms + offsetSec * 1000).toISOString().slice(0, 19) + formatUtcOffset(offsetSec);
}
