/**
 * Turns a caller's local wall time plus timezone / UTC offset into a UTC instant
 * and Julian day. Pure: time-zone rules come from the runtime's `Intl` (ICU
 * tzdata), so the same code runs in Node and in workerd without a tz library.
 */
import { InputError } from './errors';

export interface TimeInput {
  datetime: string;
  timezone?: string;
  utcOffset?: string;
}

export interface ResolvedTime {
  /** ISO instant; milliseconds only when the input had fractional seconds. */
  utc: string;
  /** Julian day, UT. */
  jdUt: number;
  /** Offset used, e.g. "+05:30", or "+05:21:10" for local mean time. */
  utcOffset: string;
  /** Same offset in seconds east of Greenwich. */
  utcOffsetSec: number;
  /** The IANA zone as the caller spelled it, else null. */
  timezone: string | null;
}

const MS_PER_DAY = 86_400_000;
const JD_UNIX_EPOCH = 2_440_587.5;
const MAX_OFFSET_SEC = 14 * 3600;
const MIN_YEAR = 1000;
const MAX_YEAR = 2999;
// Wide enough to step past any single transition around the wall time.
const PROBE_MS = 36 * 3600 * 1000;

const DATETIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const OFFSET_RE = /^([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/;
// Intl prints "GMT" alone for zero in some ICU builds and "GMT+00:00" in others.
const INTL_OFFSET_RE = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;
// IANA names are ASCII words joined by "/"; single words such as "UTC" or "EST5EDT" exist too.
const ZONE_NAME_RE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
// "GMT+5" / "UTC-03:00" are offsets in disguise; newer Intl accepts some of them as zones.
const OFFSET_AS_ZONE_RE = /^(?:UTC|GMT|UT)[+-]\d/i;

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** Local wall time as written, before any offset is applied. */
interface LocalDateTime {
  /** The wall time read as if it were UTC. */
  wallMs: number;
  /** Normalised "YYYY-MM-DDTHH:MM:SS[.fff]" for messages. */
  text: string;
  hasFraction: boolean;
  /** Offset written in the datetime itself ("Z" = 0), else null. */
  offsetSec: number | null;
}

export function resolveTime(input: TimeInput): ResolvedTime {
  const local = parseLocalDateTime(input.datetime);
  const explicitOffsetSec = readUtcOffsetField(input.utcOffset);
  const zone = readTimezoneField(input.timezone);

  if (local.offsetSec !== null && explicitOffsetSec !== null && local.offsetSec !== explicitOffsetSec) {
    throw new InputError(
      'conflicting_offset',
      'utcOffset',
      `utcOffset ${formatUtcOffset(explicitOffsetSec)} conflicts with the offset ` +
        `${formatUtcOffset(local.offsetSec)} written in datetime; give one or make them agree`,
    );
  }

  const offsetSec = local.offsetSec ?? explicitOffsetSec;
  if (offsetSec !== null) {
    const epochMs = local.wallMs - offsetSec * 1000;
    if (zone !== null) assertZoneAgrees(zone, epochMs, offsetSec);
    return buildResult(epochMs, offsetSec, zone, local.hasFraction);
  }
  if (zone !== null) {
    const zoneOffsetSecAtWall = resolveWallTimeInZone(local, zone);
    return buildResult(local.wallMs - zoneOffsetSecAtWall * 1000, zoneOffsetSecAtWall, zone, local.hasFraction);
  }
  throw new InputError(
    'missing_timezone',
    'timezone',
    'give timezone (IANA name), utcOffset, or an offset in datetime; UTC is never assumed',
  );
}

export function isValidTimeZone(name: string): boolean {
  if (typeof name !== 'string' || !ZONE_NAME_RE.test(name) || OFFSET_AS_ZONE_RE.test(name)) return false;
  try {
    offsetFormatter(name);
    return true;
  } catch {
    return false;
  }
}

/** "+05:30" -> 19800. Null when malformed or outside -14:00..+14:00. */
export function parseUtcOffset(text: string): number | null {
  const m = typeof text === 'string' ? OFFSET_RE.exec(text) : null;
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  const seconds = m[4] === undefined ? 0 : Number(m[4]);
  if (minutes > 59 || seconds > 59) return null;
  const magnitudeSec = hours * 3600 + minutes * 60 + seconds;
  if (magnitudeSec > MAX_OFFSET_SEC) return null;
  // Avoid returning -0 for "-00:00".
  return m[1] === '-' && magnitudeSec !== 0 ? -magnitudeSec : magnitudeSec;
}

/** 19800 -> "+05:30"; seconds are shown only when non-zero (local mean time). */
export function formatUtcOffset(sec: number): string {
  const sign = sec < 0 ? '-' : '+';
  const magnitudeSec = Math.abs(Math.round(sec));
  const hh = pad2(Math.floor(magnitudeSec / 3600));
  const mm = pad2(Math.floor((magnitudeSec % 3600) / 60));
  const ss = magnitudeSec % 60;
  return ss === 0 ? `${sign}${hh}:${mm}` : `${sign}${hh}:${mm}:${pad2(ss)}`;
}

/** Offset (seconds east) in force in `timeZone` at `epochMs`. Throws RangeError for unknown zones. */
export function zoneOffsetSec(timeZone: string, epochMs: number): number {
  const parts = offsetFormatter(timeZone).formatToParts(new Date(epochMs));
  const label = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = INTL_OFFSET_RE.exec(label);
  if (!m) throw new Error(`unexpected Intl offset label "${label}" for ${timeZone}`);
  if (m[1] === undefined) return 0;
  const magnitudeSec = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' && magnitudeSec !== 0 ? -magnitudeSec : magnitudeSec;
}

// Formatter construction costs far more than formatting; the cap stops a flood
// of case variants ("aSiA/kOlKaTa") from growing the cache without bound.
const FORMATTER_CACHE_MAX = 1024;
const formatterCache = new Map<string, Intl.DateTimeFormat>();

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterCache.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    if (formatterCache.size >= FORMATTER_CACHE_MAX) formatterCache.clear();
    formatterCache.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Finds the one offset under which the wall time exists in the zone. Probing
 * 36 h either side yields the offsets before and after any transition nearby.
 */
function resolveWallTimeInZone(local: LocalDateTime, zone: string): number {
  const beforeSec = zoneOffsetSec(zone, local.wallMs - PROBE_MS);
  const afterSec = zoneOffsetSec(zone, local.wallMs + PROBE_MS);
  const candidatesSec = beforeSec === afterSec ? [beforeSec] : [beforeSec, afterSec];
  const validSec = candidatesSec.filter((o) => zoneOffsetSec(zone, local.wallMs - o * 1000) === o);

  if (validSec.length === 1) return validSec[0];
  if (validSec.length === 0) {
    throw new InputError(
      'nonexistent_local_time',
      'datetime',
      `${local.text} does not exist in ${zone}: clocks jumped from ${formatUtcOffset(beforeSec)} ` +
        `to ${formatUtcOffset(afterSec)}; give utcOffset or an offset in datetime`,
    );
  }
  throw new InputError(
    'ambiguous_local_time',
    'datetime',
    `${local.text} occurs twice in ${zone}, at ${formatUtcOffset(validSec[0])} and at ` +
      `${formatUtcOffset(validSec[1])}; pass the intended one as utcOffset or as an offset in datetime`,
  );
}

function assertZoneAgrees(zone: string, epochMs: number, offsetSec: number): void {
  const actualSec = zoneOffsetSec(zone, epochMs);
  if (actualSec === offsetSec) return;
  throw new InputError(
    'offset_mismatch',
    'timezone',
    `offset ${formatUtcOffset(offsetSec)} does not match ${zone}, which was at ` +
      `${formatUtcOffset(actualSec)} at that instant`,
  );
}

function buildResult(epochMs: number, offsetSec: number, zone: string | null, keepMs: boolean): ResolvedTime {
  const iso = new Date(epochMs).toISOString();
  return {
    utc: keepMs ? iso : iso.replace(/\.\d{3}Z$/, 'Z'),
    jdUt: epochMs / MS_PER_DAY + JD_UNIX_EPOCH,
    utcOffset: formatUtcOffset(offsetSec),
    utcOffsetSec: offsetSec,
    timezone: zone,
  };
}

function readUtcOffsetField(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const offsetSec = parseUtcOffset(text);
  if (offsetSec === null) {
    throw new InputError(
      'invalid_utc_offset',
      'utcOffset',
      `utcOffset ${JSON.stringify(text)} is not an offset of the form ±HH:MM or ±HH:MM:SS within -14:00..+14:00`,
    );
  }
  return offsetSec;
}

function readTimezoneField(name: string | undefined | null): string | null {
  if (name === undefined || name === null) return null;
  if (isValidTimeZone(name)) return name;
  const hint =
    typeof name === 'string' && (OFFSET_AS_ZONE_RE.test(name) || /^[+-]\d/.test(name))
      ? '; for a fixed offset use utcOffset (e.g. "+05:30")'
      : '; use an IANA name such as "Asia/Kolkata" or "UTC"';
  throw new InputError('unknown_timezone', 'timezone', `unknown timezone ${JSON.stringify(name)}${hint}`);
}

function parseLocalDateTime(text: string): LocalDateTime {
  const m = typeof text === 'string' ? DATETIME_RE.exec(text) : null;
  if (!m) {
    throw invalidDatetime(
      `${JSON.stringify(text)} is not an ISO-8601 date-time; expected YYYY-MM-DDTHH:MM[:SS[.sss]], ` +
        'optionally followed by Z or ±HH:MM',
    );
  }
  const [, y, mo, d, h, mi, s = '00', frac] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  checkDateFields(year, month, day, y, mo, d);
  checkTimeFields(Number(h), Number(mi), Number(s));
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  const wallMs = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms);
  return {
    wallMs,
    text: `${y}-${mo}-${d}T${h}:${mi}:${s}${frac === undefined ? '' : `.${frac}`}`,
    hasFraction: frac !== undefined,
    offsetSec: parseDatetimeOffset(m[8]),
  };
}

function checkDateFields(year: number, month: number, day: number, y: string, mo: string, d: string): void {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw invalidDatetime(`year ${y} is outside the supported range ${MIN_YEAR}-${MAX_YEAR}`);
  }
  if (month < 1 || month > 12) throw invalidDatetime(`month ${mo} does not exist (01-12)`);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    throw invalidDatetime(
      `${y}-${mo}-${d} does not exist: ${MONTH_NAMES[month - 1]} ${y} has ${daysInMonth} days`,
    );
  }
}

function checkTimeFields(hour: number, minute: number, second: number): void {
  if (hour > 23) throw invalidDatetime(`hour ${pad2(hour)} is out of range (00-23); write 00:00 of the next day`);
  if (minute > 59) throw invalidDatetime(`minute ${pad2(minute)} is out of range (00-59)`);
  if (second > 59) throw invalidDatetime(`second ${pad2(second)} is out of range (00-59); leap seconds are not supported`);
}

function parseDatetimeOffset(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (text === 'Z') return 0;
  const offsetSec = parseUtcOffset(text);
  if (offsetSec === null) {
    throw invalidDatetime(`offset ${text} in datetime is not a valid offset within -14:00..+14:00`);
  }
  return offsetSec;
}

function invalidDatetime(message: string): InputError {
  return new InputError('invalid_datetime', 'datetime', message);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
