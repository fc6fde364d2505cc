/**
 * The whole Worker at a glance: middleware in order, then one sub-app per
 * resource. Handlers live in src/routes/, calculations in src/core/.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { except } from 'hono/combine';
import { CacheConfigError, cacheFromEnv } from './cache';
import type { SwissEphemeris } from './engine/swisseph';
import type { AppEnv } from './env';
import { AppError, errorResponse, onError } from './http/errors';
import { jsonBody } from './http/json-body';
import { methodChecker } from './http/method-not-allowed';
import { requestId } from './http/request-id';
import { validationHook } from './http/validation';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';
import { cacheRoutes } from './routes/cache';
import { divisionalRoutes } from './routes/divisional';
import { legacyRoutes } from './routes/legacy';
import { natalRoutes } from './routes/natal';
import { transitRoutes } from './routes/transits';
import { dashaRoutes } from './routes/dashas';
import { panchangRoutes } from './routes/panchang';
import { bulkRoutes, legacyBatchRoutes } from './routes/bulk';
import { authenticate, keyRoutes, rateLimit } from './access';
import { corsFromEnv, defaultBodyLimit, securityHeaders } from './http/hardening';
import { observe } from './obs/middleware';
import { recordCacheEvent } from './obs/record';
import { observabilityRoutes } from './routes/observability';

/** The data centre's Cache API in workerd; absent in plain Node (tests, bench). */
function edgeCache(): Cache | null {
  return typeof caches !== 'undefined' && 'default' in caches ? (caches as unknown as { default: Cache }).default : null;
}

export interface AppDeps {
  /** null when the engine could not be built: /health then says `down` and calculations answer 503. */
  engine: SwissEphemeris | null;
  /** Why the engine is missing (logged and shown by /health). */
  engineError?: string;
}

/** What still answers without an engine: health, metrics, logging, docs. */
const WITHOUT_ENGINE = /^\/(health|metrics|logging|docs|openapi\.json)(\/|$)/;

/**
 * One cache per isolate and configuration (memoised inside cacheFromEnv). A
 * cache variable that cannot be used (Upstash half set, a bad
 * REDIS_TIMEOUT_MS) must not turn every request into a 500: the in-memory
 * tier stands in, and /health reports the mistake as `degraded`.
 */
function cacheOf(env: AppEnv['Bindings']) {
  try {
    return cacheFromEnv(env, edgeCache(), { onCount: recordCacheEvent });
  } catch (err) {
    if (!(err instanceof CacheConfigError)) throw err;
    return cacheFromEnv({}, edgeCache(), { onCount: recordCacheEvent });
  }
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook() });

  app.use('*', requestId());
  // Outermost after the id: the log line and the metrics see every answer, errors included.
  app.use('*', observe());
  app.use('*', securityHeaders());
  // Before authentication: a preflight carries no credentials.
  app.use('*', corsFromEnv());
  // Routes without a body limit of their own (PUT /logging/level, /admin/keys…) get the 16 KiB one.
  app.use('*', defaultBodyLimit());
  app.use('*', async function provideEngineAndCache(c, next) {
    if (deps.engine) c.set('engine', deps.engine);
    else if (!WITHOUT_ENGINE.test(c.req.path)) {
      throw new AppError(503, 'engine_unavailable', 'The calculation engine is not available on this instance; retry shortly');
    }
    c.set('cache', cacheOf(c.env ?? {}));
    await next();
  });
  app.use('*', authenticate());
  app.use('*', rateLimit());
  // Bulk jobs: their own 5 MiB body limit, set in routes/bulk.ts.
  app.use('/v1/*', except('/v1/bulk', jsonBody()));

  app.route('/', healthRoutes(deps));
  app.route('/', natalRoutes);
  app.route('/', divisionalRoutes);
  app.route('/', transitRoutes);
  app.route('/', dashaRoutes);
  app.route('/', panchangRoutes);
  app.route('/', legacyRoutes);
  app.route('/', cacheRoutes);
  app.route('/', bulkRoutes); // /v1/bulk…, /internal/bulk/chunk
  app.route('/', legacyBatchRoutes); // /batch/calculate
  app.route('/', observabilityRoutes); // /metrics, /metrics/json, /logging/*
  app.route('/', keyRoutes); // /admin/keys
  mountDocs(app);

  const wrongMethod = methodChecker(app);
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const error = wrongMethod(c.req.method, path);
    if (error) return onError(error, c);
    return errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${path}`);
  });
  app.onError(onError);
  return app;
}

export { AppError };
