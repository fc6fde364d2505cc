import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/** What a client-supplied id may look like before we echo it into headers and logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes `X-Request-Id` when the client sends a sane one, else the `cf-ray`,
 * else a new UUID; echoes it in `X-Request-Id`.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const fromClient = c.req.header('x-request-id');
    const ray = c.req.header('cf-ray');
    const id =
      fromClient && SANE_REQUEST_ID.test(fromClient) ? fromClient : ray && SANE_REQUEST_ID.test(ray) ? ray : crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
