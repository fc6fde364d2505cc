/**
 * `GET /health`: the engine, its ephemeris files, Redis and the QStash
 * configuration, each with its own status, and one overall verdict:
 *   ok       – everything configured works;
 *   degraded – something is missing, unreachable or misconfigured (Swiss
 *              files → Moshier, Redis → compute without the shared tier, an
 *              unusable variable → the routes that need it answer 503 with a
 *              code, listed in `dependencies.config`);
 *   down     – no engine: calculations answer 503 (status 503 here too).
 * `GET /health/live` (the process answers) and `GET /health/ready` (it can
 * calculate) are the old service's probes.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppDeps } from '../app';
import { bulkFromEnv } from '../bulk';
import { configReport, reportLine } from '../config-report';
import type { AppEnv } from '../env';
import { engineLabel } from '../http/chart-request';
import { EPHEMERIS_FILES } from '../ephemeris';

const STATUS = z.enum(['ok', 'degraded', 'down']);

const HealthSchema = z
  .object({
    status: STATUS,
    engine: z.object({ status: z.enum(['ok', 'down']), library: z.string(), version: z.string().optional(), label: z.string().optional(), error: z.string().optional() }),
    ephemeris: z.object({
      swissFilesLoaded: z.boolean(),
      files: z.array(z.object({ name: z.string(), covers: z.string(), loaded: z.boolean() })),
      range: z.object({ fromUtc: z.string(), toUtc: z.string() }),
      outsideRange: z.string(),
    }),
    dependencies: z.object({
      engine: z.object({ status: z.enum(['ok', 'down']) }),
      ephemerisFiles: z.object({ status: z.enum(['ok', 'missing']) }),
      redis: z.object({
        status: z.enum(['not_configured', 'ok', 'unreachable']),
        lastError: z.string().optional(),
        lastErrorAt: z.string().optional(),
      }),
      qstash: z.object({ status: z.enum(['not_configured', 'configured', 'misconfigured']), error: z.string().optional() }),
      config: z.object({
        status: z.enum(['ok', 'invalid']),
        /** One line per unusable variable: what is wrong, how to fix it, and what it does meanwhile. */
        errors: z.array(z.string()).optional(),
        problems: z
          .array(
            z.object({
              variable: z.string(),
              message: z.string(),
              effects: z.array(z.string()),
              codes: z.array(z.string()).openapi({ description: 'Codes of the 503 the affected routes answer; empty when a default stands in' }),
            }),
          )
          .optional(),
      }),
    }),
  })
  .openapi('Health');

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Service health',
  description:
    '`ok`; `degraded` when requests still succeed but the Swiss files are missing, Redis is unreachable, QStash is misconfigured or a variable is unusable (`dependencies.config` lists each: what is wrong, how to fix it, and the 503 code of the routes it stops); `down` (503) when there is no engine.',
  tags: ['operations'],
  responses: { 200: { description: 'Healthy or degraded', ...json(HealthSchema) }, 503: { description: 'Down', ...json(HealthSchema) } },
});

const liveRoute = createRoute({
  method: 'get',
  path: '/health/live',
  summary: 'Liveness probe',
  description: 'Answers 200 whenever the Worker runs; it checks nothing else.',
  tags: ['operations'],
  responses: { 200: { description: 'Alive', ...json(z.object({ status: z.literal('ok') })) } },
});

const ReadySchema = z.object({ status: z.enum(['ready', 'not_ready']), health: STATUS }).openapi('Ready');
const readyRoute = createRoute({
  method: 'get',
  path: '/health/ready',
  summary: 'Readiness probe',
  description: '200 when calculations can be served (also while degraded), 503 when they cannot.',
  tags: ['operations'],
  responses: { 200: { description: 'Ready', ...json(ReadySchema) }, 503: { description: 'Not ready', ...json(ReadySchema) } },
});

function qstashStatus(c: Context<AppEnv>): z.infer<typeof HealthSchema>['dependencies']['qstash'] {
  if (!c.env?.QSTASH_TOKEN?.trim()) return { status: 'not_configured' };
  try {
    bulkFromEnv(c.env);
    return { status: 'configured' };
  } catch (err) {
    return { status: 'misconfigured', error: err instanceof Error ? err.message : String(err) };
  }
}

async function health(c: Context<AppEnv>, deps: AppDeps): Promise<z.infer<typeof HealthSchema>> {
  const engine = deps.engine;
  const files = EPHEMERIS_FILES.map((f) => ({ name: f.name, covers: f.covers, loaded: engine?.filesLoaded.includes(f.name) ?? false }));
  const swissFilesLoaded = files.every((f) => f.loaded);
  const redis = await c.get('cache').health();
  const qstash = qstashStatus(c);
  const config = configReport(c.env ?? {});
  const degraded = !swissFilesLoaded || redis.redis === 'unreachable' || qstash.status === 'misconfigured' || config.length > 0;
  return {
    status: !engine ? 'down' : degraded ? 'degraded' : 'ok',
    engine: engine
      ? { status: 'ok', library: 'Swiss Ephemeris', version: engine.version, label: engineLabel(engine) }
      : { status: 'down', library: 'Swiss Ephemeris', error: deps.engineError ?? 'not started' },
    ephemeris: {
      swissFilesLoaded,
      files,
      range: { fromUtc: '1800-01-01T00:00:00Z', toUtc: '2399-12-31T23:59:59Z' },
      outsideRange: 'Moshier theory (planets within about 1″, Moon within about 3″); meta.ephemeris says "moshier"',
    },
    dependencies: {
      engine: { status: engine ? 'ok' : 'down' },
      ephemerisFiles: { status: swissFilesLoaded ? 'ok' : 'missing' },
      redis: { status: redis.redis, ...(redis.lastError ? { lastError: redis.lastError, lastErrorAt: redis.lastErrorAt } : {}) },
      qstash,
      config: config.length ? { status: 'invalid', errors: config.map(reportLine), problems: config } : { status: 'ok' },
    },
  };
}

export function healthRoutes(deps: AppDeps) {
  return new OpenAPIHono<AppEnv>()
    .openapi(healthRoute, async (c) => {
      const body = await health(c, deps);
      c.header('Cache-Control', 'no-store');
      return body.status === 'down' ? c.json(body, 503) : c.json(body, 200);
    })
    .openapi(liveRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyRoute, (c) => {
      c.header('Cache-Control', 'no-store');
      // Readiness is about serving calculations, so Redis is not consulted: compute works without it.
      if (!deps.engine) return c.json({ status: 'not_ready' as const, health: 'down' as const }, 503);
      const swiss = deps.engine.filesLoaded.length === EPHEMERIS_FILES.length;
      return c.json({ status: 'ready' as const, health: swiss ? ('ok' as const) : ('degraded' as const) }, 200);
    });
}
