/**
 * The whole Worker at a glance: middleware in order, then one sub-app per
 * resource. Handlers live in src/routes/, calculations in src/core/.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { except } from 'hono/combine';
import { cacheFromEnv } from './cache';
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
import { bulkRoutes, legacyBatchRoutes } from './routes/bulk';

/** The data centre's Cache API in workerd; absent in plain Node (tests, bench). */
function edgeCache(): Cache | null {
  return typeof caches !== 'undefined' && 'default' in caches ? (caches as unknown as { default: Cache }).default : null;
}

export interface AppDeps {
  engine: SwissEphemeris;
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook() });

  app.use('*', requestId());
  app.use('*', async function provideEngineAndCache(c, next) {
    c.set('engine', deps.engine);
    // One cache per isolate and configuration (memoised inside cacheFromEnv).
    c.set('cache', cacheFromEnv(c.env ?? {}, edgeCache()));
    await next();
  });
  // Bulk jobs: their own 5 MiB body limit, set in routes/bulk.ts (issue 5).
  app.use('/v1/*', except('/v1/bulk', jsonBody()));

  app.route('/', healthRoutes);
  app.route('/', natalRoutes);
  app.route('/', divisionalRoutes);
  app.route('/', transitRoutes);
  app.route('/', legacyRoutes);
  app.route('/', cacheRoutes);
  app.route('/', bulkRoutes); // issue 5: /v1/bulk…, /internal/bulk/chunk
  app.route('/', legacyBatchRoutes); // issue 5: /batch/calculate
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
