/**
 * The whole Worker at a glance: middleware in order, then one sub-app per
 * resource. Handlers live in src/routes/, calculations in src/core/.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { SwissEphemeris } from './engine/swisseph';
import type { AppEnv } from './env';
import { AppError, errorResponse, onError } from './http/errors';
import { jsonBody } from './http/json-body';
import { requestId } from './http/request-id';
import { validationHook } from './http/validation';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';
import { natalRoutes } from './routes/natal';

export interface AppDeps {
  engine: SwissEphemeris;
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook() });

  app.use('*', requestId());
  app.use('*', async function provideEngine(c, next) {
    c.set('engine', deps.engine);
    await next();
  });
  app.use('/v1/*', jsonBody());

  app.route('/', healthRoutes);
  app.route('/', natalRoutes);
  mountDocs(app);

  app.notFound((c) => errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError(onError);
  return app;
}

export { AppError };
