/**
 * The request's one log line and its request metrics, written after the
 * response is ready (errors included: Hono's onError has already turned them
 * into responses by the time `next()` returns).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { saneId } from '../http/request-id';
import { routePatternOf } from '../http/route-pattern';
import { waitUntilOf } from '../http/wait-until';
import { setLogThreshold, writeRequestLine, type LogLevel } from './log';
import { METRICS } from './metrics';
import { useRegistry } from './record';
import { newRequestObs } from './request-obs';
import { obsFromEnv } from './service';

/** Anything else is counted as OTHER: a method is a label, and labels must stay few. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The old header, logged only when it is not already the request id. */
function correlationOf(c: Context<AppEnv>): string | undefined {
  const correlation = saneId(c.req.header('x-correlation-id'));
  return correlation && correlation !== c.get('requestId') ? correlation : undefined;
}

function levelOf(status: number): LogLevel {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return 'info';
}

const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

export function observe(): MiddlewareHandler<AppEnv> {
  return async function observeMiddleware(c, next) {
    const obs = obsFromEnv(c.env ?? {});
    setLogThreshold(obs.level());
    useRegistry(obs.registry);
    const request = newRequestObs(performance.now());
    c.set('obs', request);

    await next();

    const elapsedMs = performance.now() - request.startedMs;
    const status = c.res.status;
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : 'OTHER';
    const route = routePatternOf(c);
    obs.registry.inc(METRICS.requests, [method, route, String(status)]);
    obs.registry.observe(METRICS.requestDuration, [method, route], elapsedMs / 1000);
    if (request.errorCode) obs.registry.inc(METRICS.errors, [request.errorCode, String(status)]);

    const principal = c.get('principal');
    const cf = (c.req.raw as { cf?: { colo?: unknown } }).cf;
    writeRequestLine(levelOf(status), {
      requestId: c.get('requestId'),
      method,
      route,
      status,
      elapsedMs: round3(elapsedMs),
      computeMs: round3(request.computeMs),
      cache: request.cache ?? null,
      colo: typeof cf?.colo === 'string' ? cf.colo : null,
      errorCode: request.errorCode,
      correlationId: correlationOf(c),
      plan: principal?.plan,
      keyId: principal?.kind === 'key' ? principal.keyId : undefined,
    });
    obs.afterRequest(waitUntilOf(c));
  };
}
