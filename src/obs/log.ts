/**
 * Logs are data: one JSON object per line, fixed keys, passed to `console.*`
 * as an object so Workers Logs indexes the fields and Logpush ships them as
 * they are. Every line goes through `writeLine`, which stamps `ts` and `level`,
 * drops what is below the isolate's threshold and keeps the line far below
 * Logpush's 16,384 characters per invocation.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A request line is a few hundred characters; an error line with its stack stays under this. */
export const MAX_LINE_CHARS = 6_000;
/** Longest single string field kept (a stack is cut here first). */
const MAX_FIELD_CHARS = 3_000;

/**
 * The isolate's threshold. Module state on purpose: the bulk and cache code
 * logs from deep inside a request without a context object to carry it; the
 * observability middleware sets it at the start of every request.
 */
let threshold: LogLevel = DEFAULT_LOG_LEVEL;

export function setLogThreshold(level: LogLevel): void {
  threshold = level;
}

export function enabled(level: LogLevel): boolean {
  return RANK[level] >= RANK[threshold];
}

export type LogFields = Record<string, unknown>;

function clip(value: unknown): unknown {
  return typeof value === 'string' && value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS)}…[cut]` : value;
}

/**
 * The line as it is written: `ts`, `level`, `msg` first, long strings cut; if
 * it is still too long, only the fixed keys are kept and `truncated` says so.
 */
export function formatLine(level: LogLevel, msg: string, fields: LogFields, now: Date = new Date()): LogFields {
  const line: LogFields = { ts: now.toISOString(), level, msg };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && !(key in line)) line[key] = clip(value);
  }
  if (JSON.stringify(line).length <= MAX_LINE_CHARS) return line;
  const kept: LogFields = { ts: line.ts, level, msg, truncated: true };
  for (const key of ['requestId', 'route', 'status', 'errorCode', 'jobId', 'name']) if (key in line) kept[key] = line[key];
  return kept;
}

const SINK: Record<LogLevel, (line: LogFields) => void> = {
  debug: (line) => console.log(line),
  info: (line) => console.log(line),
  // Workers Logs takes the level from the console method as well as from the field.
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

export function writeLine(level: LogLevel, msg: string, fields: LogFields = {}): void {
  if (!enabled(level)) return;
  SINK[level](formatLine(level, msg, fields));
}

/**
 * The request line always goes through `console.log` (one per request, the
 * issue's contract), whatever its level; the level field says how bad it was.
 */
export function writeRequestLine(level: LogLevel, fields: LogFields): void {
  if (!enabled(level)) return;
  console.log(formatLine(level, 'request', fields));
}

export const log = {
  debug: (msg: string, fields?: LogFields) => writeLine('debug', msg, fields),
  info: (msg: string, fields?: LogFields) => writeLine('info', msg, fields),
  warn: (msg: string, fields?: LogFields) => writeLine('warn', msg, fields),
  error: (msg: string, fields?: LogFields) => writeLine('error', msg, fields),
};

/** The fields describing an unexpected error: its name, message and stack (cut to size by formatLine). */
export function errorFields(err: unknown): LogFields {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, error: e.message, stack: e.stack };
}
