/**
 * `GET /metrics` (Prometheus text format), `GET /metrics/json` (the same
 * numbers), `GET /logging/status`, `PUT|DELETE /logging/level` (admin).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { requireAdmin, requireMetricsAccess } from '../http/admin';
import { AppError } from '../http/errors';
import { ErrorSchema } from '../http/schemas';
import { validationHook } from '../http/validation';
import { LOG_LEVELS } from '../obs/log';
import { renderText, type MetricFamily } from '../obs/metrics';
import { DEFAULT_LEVEL_TTL_SEC, MAX_LEVEL_TTL_SEC, obsFromEnv } from '../obs/service';
import { SERVICE_VERSION } from '../version';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const errors = {
  401: { description: 'No token', ...json(ErrorSchema) },
  403: { description: 'Wrong token, or operations disabled', ...json(ErrorSchema) },
};

async function collect(c: Context<AppEnv>) {
  const snapshot = await obsFromEnv(c.env ?? {}).metrics();
  if (!snapshot) {
    c.header('Retry-After', '5');
    throw new AppError(503, 'metrics_unavailable', 'Redis, where the metrics of every isolate are added up, is unreachable; retry shortly');
  }
  const info: MetricFamily = {
    name: 'astro_engine_build_info',
    type: 'gauge',
    help: 'Always 1; the labels say what is running.',
    series: [{ labels: { version: SERVICE_VERSION, swisseph: c.var.engine?.version ?? 'unavailable' }, value: 1 }],
  };
  const aggregated: MetricFamily = {
    name: 'astro_engine_metrics_aggregated',
    type: 'gauge',
    help: '1 when these metrics cover every isolate (aggregated in Redis), 0 when they cover only the isolate that answered.',
    series: [{ labels: {}, value: snapshot.scope === 'cluster' ? 1 : 0 }],
  };
  c.header('X-Metrics-Scope', snapshot.scope);
  c.header('Cache-Control', 'no-store');
  return { scope: snapshot.scope, note: snapshot.note, families: [info, aggregated, ...snapshot.families] };
}

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Metrics in Prometheus text format',
  description:
    'Counters and histograms aggregated across isolates through Redis (`# scope: cluster`); without Redis configured, of the answering isolate only (`# scope: isolate`, also `X-Metrics-Scope` and `astro_engine_metrics_aggregated 0`); 503 `metrics_unavailable` while Redis is unreachable. With METRICS_TOKEN set, send it (or the admin token) as a bearer token.',
  tags: ['operations'],
  security: [{ metricsToken: [] }],
  responses: {
    200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    ...errors,
    503: { description: 'Redis unreachable', ...json(ErrorSchema) },
  },
});

const MetricsJsonSchema = z
  .object({ scope: z.enum(['cluster', 'isolate']), note: z.string(), families: z.array(z.record(z.string(), z.unknown())) })
  .openapi('Metrics');

const metricsJsonRoute = createRoute({
  method: 'get',
  path: '/metrics/json',
  summary: 'The same metrics as JSON',
  tags: ['operations'],
  security: [{ metricsToken: [] }],
  responses: { 200: { description: 'Metric families with their series', ...json(MetricsJsonSchema) }, ...errors, 503: { description: 'Redis unreachable', ...json(ErrorSchema) } },
});

const RuntimeLevelSchema = z.object({ level: z.enum(LOG_LEVELS), setAt: z.string(), expiresAt: z.string() });
const LevelStatusSchema = z
  .object({
    level: z.enum(LOG_LEVELS),
    source: z.enum(['env', 'runtime']),
    envLevel: z.enum(LOG_LEVELS),
    runtime: RuntimeLevelSchema.nullable(),
    scope: z.enum(['cluster', 'isolate']),
    propagationSec: z.number(),
    warnings: z.array(z.string()).optional(),
  })
  .openapi('LoggingStatus');

const statusRoute = createRoute({
  method: 'get',
  path: '/logging/status',
  summary: 'The log level in force',
  description: 'The level this isolate applies, where it comes from (LOG_LEVEL or a run-time change), and whether run-time changes are shared through Redis.',
  tags: ['operations'],
  responses: { 200: { description: 'Logging status', ...json(LevelStatusSchema) } },
});

const LEVEL_FIELDS = ['level', 'ttlSec'] as const;
const SetLevelSchema = z
  .strictObject({
    level: z.enum(LOG_LEVELS).openapi({ description: 'Lowest level written from now on.' }),
    ttlSec: z
      .number()
      .int()
      .min(1)
      .max(MAX_LEVEL_TTL_SEC)
      .optional()
      .openapi({ description: `Seconds until the change expires and LOG_LEVEL applies again (default ${DEFAULT_LEVEL_TTL_SEC}).` }),
  })
  .openapi('SetLogLevel');

const setLevelRoute = createRoute({
  method: 'put',
  path: '/logging/level',
  summary: 'Change the log level at run time',
  description:
    'Takes effect at once in the isolate that answers, and in every other isolate at its next sync with Redis (`propagationSec`). Without Redis: this isolate only. Needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  tags: ['operations'],
  security: [{ adminToken: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: SetLevelSchema } } } },
  responses: {
    200: { description: 'Changed', ...json(LevelStatusSchema) },
    ...errors,
    415: { description: 'Body is not JSON', ...json(ErrorSchema) },
    422: { description: 'Invalid level or ttlSec', ...json(ErrorSchema) },
    503: { description: 'Redis did not take the change', ...json(ErrorSchema) },
  },
});

const resetLevelRoute = createRoute({
  method: 'delete',
  path: '/logging/level',
  summary: 'Return to LOG_LEVEL',
  tags: ['operations'],
  security: [{ adminToken: [] }],
  responses: { 200: { description: 'Reset', ...json(LevelStatusSchema) }, ...errors, 503: { description: 'Redis did not take the change', ...json(ErrorSchema) } },
});

function unshared(): never {
  throw new AppError(503, 'log_level_not_shared', 'Redis did not take the change, so other isolates would not apply it; nothing was changed. Try again.');
}

export const observabilityRoutes = new OpenAPIHono<AppEnv>();
observabilityRoutes.use('/metrics', requireMetricsAccess());
observabilityRoutes.use('/metrics/json', requireMetricsAccess());
observabilityRoutes.on(['PUT', 'DELETE'], '/logging/level', requireAdmin());
observabilityRoutes.use('/logging/level', async function jsonOnly(c, next) {
  // The JSON validator would read a form body as {} and report a missing field.
  if (c.req.method === 'PUT' && !/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
    throw new AppError(415, 'unsupported_media_type', 'Send the request body as JSON with Content-Type: application/json');
  }
  await next();
});

observabilityRoutes
  .openapi(metricsRoute, async (c) => {
    const { scope, note, families } = await collect(c);
    const text = renderText(families, [`scope: ${scope} (${note})`]);
    return c.body(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }) as never;
  })
  .openapi(metricsJsonRoute, async (c) => c.json(await collect(c), 200))
  .openapi(statusRoute, async (c) => c.json(await obsFromEnv(c.env ?? {}).levelStatus(), 200))
  .openapi(
    setLevelRoute,
    async (c) => {
      const { level, ttlSec = DEFAULT_LEVEL_TTL_SEC } = c.req.valid('json');
      const obs = obsFromEnv(c.env ?? {});
      if (!(await obs.setLevel(level, ttlSec))) unshared();
      return c.json(await obs.levelStatus(), 200);
    },
    validationHook(LEVEL_FIELDS),
  )
  .openapi(resetLevelRoute, async (c) => {
    const obs = obsFromEnv(c.env ?? {});
    if (!(await obs.setLevel(null, 1))) unshared();
    return c.json(await obs.levelStatus(), 200);
  });
