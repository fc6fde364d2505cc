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
export function jsonBody(maxBytes = SYNC_BODY_LIMIT_BYTES): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `Request body exceeds ${maxBytes} bytes`);
    },
  });
  return async function jsonBodyMiddleware(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      throw new AppError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
    }
    return limit(c, next);
  };
}
