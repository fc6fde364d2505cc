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

/** Every error we can explain, as an AppError; undefined for the unexpected. */
export function toAppError(err: unknown): AppError | undefined {
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
