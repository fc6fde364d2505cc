import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env';
import { AppError } from './errors';

/** Chart requests are a few hundred bytes; 16 KiB leaves room without inviting abuse. */
export const SYNC_BODY_LIMIT_BYTES = 16 * 1024;

/**
 * For requests with a body: refuse non-JSON content types with 415 (Hono's
 * validator would otherwise read them as `{}` and report missing fields) and
 * cap the size with 413, counting streamed bodies too.
 */
/**
 * Exactly what @hono/zod-openapi's media-type gate accepts (narrower than RFC 9110:
 * no space before `;`, no digits in a `+json` subtype). Anything we let through
 * must pass that gate, or it would answer its own unmapped 415.
 */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** Methods whose body we read; others (DELETE, PUT…) reach routing and get 404/405. */
const BODY_METHODS = new Set(['POST', 'PATCH']);

export function jsonBody(maxBytes = SYNC_BODY_LIMIT_BYTES): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `Request body exceeds ${maxBytes} bytes`);
    },
  });
  return async function jsonBodyMiddleware(c, next) {
    if (!BODY_METHODS.has(c.req.method)) return next();
    if (!JSON_CONTENT_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new AppError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
    }
    return limit(c, next);
  };
}
