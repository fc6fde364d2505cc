/**
 * One error family and one mapper: every failure leaves the Worker as
 * `{ "error": { "code", "message", "details"?, "requestId" } }` with a 4xx/5xx
 * status, and nothing internal (stack, file path, library message) leaks.
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { EngineError, InputError } from '../core/errors';
import { errorFields, log } from '../obs/log';
import { routePatternOf } from './route-pattern';

export interface ErrorDetail {
  /** Dot-separated field path (`planets.0.id`); empty for the body as a whole. */
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[]; requestId: string };
}

export class AppError extends Error {
  override readonly name: string = 'AppError';
  /** For 405: the methods the path does accept. */
  allow?: string;
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  constructor(details: ErrorDetail[]) {
    const first = details[0];
    const summary = first ? `${first.path || 'body'}: ${first.message}` : 'invalid request';
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
    super(422, 'validation_error', `Invalid request: ${summary}${more}`, details);
  }
}

/**
 * This deployment cannot serve the route right now, through no fault of the
 * caller: something it depends on is down (Redis, QStash) or unusable. Every
 * module's outage error extends this, so onError answers 503 with the
 * error's own stable code without knowing the module, and a new module cannot
 * forget to: throwing a plain Error for an outage is the one way to get a 500.
 */
export class DependencyUnavailableError extends AppError {
  override readonly name: string = 'DependencyUnavailableError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(503, code, message, undefined, options);
  }
}

/** One unusable variable: its name, and a message saying what is wrong and how to fix it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/**
 * Variables a module cannot work with: every route of that module answers 503
 * with the module's code (`bulk_misconfigured`…), and /health lists each
 * problem. `problems` holds every unusable variable the module found, not
 * only the first, so one look at /health fixes them all.
 */
export class ConfigError extends DependencyUnavailableError {
  override readonly name: string = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(code: string, unavailable: string, problems: ConfigProblem | readonly ConfigProblem[], options?: { cause?: unknown }) {
    const list: readonly ConfigProblem[] = 'variable' in problems ? [problems] : problems;
    const what = list.map((p) => p.message.replace(/\.?$/, '.')).join(' ');
    super(code, `${unavailable} on this deployment: a variable is unusable. ${what} GET /health lists every unusable variable.`, options);
    this.problems = list;
  }
}

/**
 * Runs one parse of a configuration and returns its value, or undefined after
 * adding its problems to `problems`: a module reads every variable before it
 * refuses, so all of them are reported at once. Other errors pass through.
 */
export function collectProblems<T>(problems: ConfigProblem[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
    return undefined;
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** The request's log line and `astro_engine_errors_total` take the code from here. */
export function noteErrorCode(c: Context, code: string): void {
  const obs = c.get('obs') as { errorCode?: string } | undefined;
  if (obs) obs.errorCode = code;
}

export function errorBody(c: Context, code: string, message: string, details?: ErrorDetail[]): ErrorBody {
  noteErrorCode(c, code);
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  return { error: { code, message, ...(details && details.length ? { details } : {}), requestId } };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: ErrorDetail[]) {
  return c.json(errorBody(c, code, message, details), status);
}

/** Maps Hono's own exceptions (malformed JSON, body limit) to stable codes. */
function fromHttpException(err: HTTPException): AppError {
  const status = err.status as ContentfulStatusCode;
  if (status === 413) return new AppError(413, 'payload_too_large', 'Request body is too large');
  if (status === 415) return new AppError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
  if (status === 400 && /json/i.test(err.message)) {
    return new AppError(400, 'invalid_json', 'Request body is not valid JSON');
  }
  return new AppError(status, status >= 500 ? 'internal_error' : 'bad_request', err.message || 'Bad request');
}

/** Messages of configuration errors already logged by this isolate: a bad variable is one line, not one per request. */
const loggedConfigErrors = new Set<string>();

function logConfigErrorOnce(err: ConfigError): void {
  if (loggedConfigErrors.has(err.message)) return;
  loggedConfigErrors.add(err.message);
  log.warn('config_unusable', { code: err.code, variables: err.problems.map((p) => p.variable), problems: err.problems.map((p) => p.message) });
}

/** Every error we can explain, as an AppError; undefined for the unexpected. */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof ConfigError) logConfigErrorOnce(err);
  if (err instanceof AppError) return err;
  if (err instanceof InputError) return new AppError(422, err.code, err.message, [{ path: err.path, message: err.message }], { cause: err });
  if (err instanceof HTTPException) return fromHttpException(err);
  return undefined;
}

/** Logs an unexpected error once, with its stack, and answers without it. */
export function internalError(err: Error, c: Context) {
  const code = err instanceof EngineError ? err.code : 'internal_error';
  log.error('unhandled_error', { requestId: c.get('requestId'), method: c.req.method, route: routePatternOf(c), ...errorFields(err) });
  return errorResponse(c, 500, code, 'The calculation could not be completed; the error was logged with this requestId');
}

export const onError: ErrorHandler = (err, c) => {
  const known = toAppError(err);
  if (!known) return internalError(err, c);
  if (known.allow) c.header('Allow', known.allow);
  return errorResponse(c, known.status, known.code, known.message, known.details);
};
