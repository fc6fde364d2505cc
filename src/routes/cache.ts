/**
 * `GET /cache/stats` and `DELETE /cache/clear` (the old service's paths, kept).
 * Stats are aggregated across isolates through Redis when it is configured.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { checkCacheEnv } from '../cache';
import type { AppEnv } from '../env';
import { requireAdmin } from '../http/admin';
import { ErrorSchema } from '../http/schemas';

const statsRoute = createRoute({
  method: 'get',
  path: '/cache/stats',
  summary: 'Cache statistics',
  description: 'Hits and misses per tier, hit rate, errors, and whether Redis is reachable; across isolates when Redis is configured (`scope`).',
  tags: ['operations'],
  responses: { 200: { description: 'Statistics', content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi('CacheStats') } } } },
});

const clearRoute = createRoute({
  method: 'delete',
  path: '/cache/clear',
  summary: 'Invalidate every cache tier',
  description:
    'Bumps the key namespace: Redis and in-memory entries stop being served at once, edge entries once each isolate refreshes the namespace (`edgeStaleForSec`). Needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  tags: ['operations'],
  security: [{ adminToken: [] }],
  responses: {
    200: {
      description: 'Cleared',
      content: {
        'application/json': {
          schema: z.object({ cleared: z.literal(true), namespace: z.number(), scope: z.enum(['global', 'isolate']), edgeStaleForSec: z.number() }).openapi('CacheCleared'),
        },
      },
    },
    401: { description: 'No token', content: { 'application/json': { schema: ErrorSchema } } },
    403: { description: 'Wrong token, or operations disabled', content: { 'application/json': { schema: ErrorSchema } } },
    503: {
      description: 'Nothing was cleared: Redis did not answer (`cache_unavailable`), or the cache variables are unusable (`cache_misconfigured`, listed by /health)',
      content: { 'application/json': { schema: ErrorSchema } },
    },
  },
});

export const cacheRoutes = new OpenAPIHono<AppEnv>();
cacheRoutes.use('/cache/clear', requireAdmin());
cacheRoutes
  .openapi(statsRoute, async (c) => c.json((await c.get('cache').stats()) as unknown as Record<string, unknown>, 200))
  .openapi(clearRoute, async (c) => {
    // With unusable variables requests run on the in-memory stand-in (src/app.ts); clearing
    // that alone would answer `cleared` while the configured tier kept every entry.
    checkCacheEnv(c.env ?? {});
    const { namespace, scope, edgeStaleForSec } = await c.get('cache').clear(c.executionCtx);
    return c.json({ cleared: true as const, namespace, scope, edgeStaleForSec }, 200);
  });
