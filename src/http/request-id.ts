import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/** What a client-supplied id may look like before we echo it into headers and logs. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function saneId(raw: string | undefined): string | undefined {
  return raw && SANE_REQUEST_ID.test(raw) ? raw : undefined;
}

/**
 * Takes `X-Request-Id` when the client sends a sane one, else the old
 * service's `X-Correlation-ID`, else the `cf-ray`, else a new UUID; echoes it
 * in `X-Request-Id`. A sane `X-Correlation-ID` is echoed as sent, so old
 * clients find their id where they always did.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const correlation = saneId(c.req.header('x-correlation-id'));
    const id = saneId(c.req.header('x-request-id')) ?? correlation ?? saneId(c.req.header('cf-ray')) ?? crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    if (correlation) c.header('X-Correlation-ID', correlation);
    await next();
  };
}
