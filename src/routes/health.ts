/** `GET /health`: is the engine up, which ephemeris data is loaded, what range it covers. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { engineLabel } from '../http/chart-request';
import { EPHEMERIS_FILES } from '../ephemeris';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    engine: z.object({ library: z.string(), version: z.string(), label: z.string() }),
    ephemeris: z.object({
      swissFilesLoaded: z.boolean(),
      files: z.array(z.object({ name: z.string(), covers: z.string(), loaded: z.boolean() })),
      range: z.object({ fromUtc: z.string(), toUtc: z.string() }),
      outsideRange: z.string(),
    }),
    dependencies: z.object({
      redis: z.object({
        status: z.enum(['not_configured', 'ok', 'unreachable']),
        lastError: z.string().optional(),
        lastErrorAt: z.string().optional(),
      }),
    }),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Service health',
  description: '`ok`, or `degraded` when the Swiss files are missing or Redis is unreachable (requests then still succeed from compute).',
  tags: ['operations'],
  responses: { 200: { description: 'Healthy or degraded', content: { 'application/json': { schema: HealthSchema } } } },
});

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const engine = c.get('engine');
  const files = EPHEMERIS_FILES.map((f) => ({ name: f.name, covers: f.covers, loaded: engine.filesLoaded.includes(f.name) }));
  const swissFilesLoaded = files.every((f) => f.loaded);
  // Redis down is `degraded`, not `down`: every request still succeeds from compute.
  const { redis, lastError, lastErrorAt } = await c.get('cache').health();
  const degraded = !swissFilesLoaded || redis === 'unreachable';
  return c.json(
    {
      status: degraded ? ('degraded' as const) : ('ok' as const),
      engine: { library: 'Swiss Ephemeris', version: engine.version, label: engineLabel(engine) },
      ephemeris: {
        swissFilesLoaded,
        files,
        range: { fromUtc: '1800-01-01T00:00:00Z', toUtc: '2399-12-31T23:59:59Z' },
        outsideRange: 'Moshier theory (planets within about 1″, Moon within about 3″); meta.ephemeris says "moshier"',
      },
      dependencies: { redis: { status: redis, ...(lastError ? { lastError, lastErrorAt } : {}) } },
    },
    200,
  );
});
