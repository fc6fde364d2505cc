/** `POST /v1/transits`: where the planets are at `at`, seen from the natal chart, and when each changes sign next. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { computeNatal } from '../core/natal';
import { instantField } from '../http/instant';
import { resolveTime } from '../core/time';
import { computeTransits } from '../core/transits';
import type { SwissEphemeris } from '../engine/swisseph';
import type { AppEnv } from '../env';
import { cachedJson } from '../http/cached-response';
import { chartKeyInput, chartMeta, resolveChartRequest } from '../http/chart-request';
import { CHART_FIELD_NAMES, chartFields, errorResponses } from '../http/schemas';
import { validationHook } from '../http/validation';

/** The transit body; bulk jobs validate their `transits` items with it (and require `at`). */
export const TransitRequestSchema = z
  .strictObject({
    ...chartFields,
    at: z.string().min(1).max(40).optional().openapi({ description: 'UTC instant (`Z` or an offset); default: now', example: '2026-01-01T00:00:00Z' }),
  })
  .openapi('TransitRequest');
export type TransitRequest = z.infer<typeof TransitRequestSchema>;

/** `at` must name an instant: a wall time without offset would be a silent guess. */
function transitInstant(at: string | undefined, nowMs: number) {
  if (at === undefined) return resolveTime({ datetime: new Date(nowMs).toISOString() });
  return instantField(at, 'at');
}

const route = createRoute({
  method: 'post',
  path: '/v1/transits',
  summary: 'Transits over a natal chart',
  description: 'Each planet at `at`: position, house from the natal ascendant and from the natal Moon, and the UTC instant of its next sign change (to the second).',
  tags: ['charts'],
  request: { body: { required: true, content: { 'application/json': { schema: TransitRequestSchema } } } },
  responses: {
    200: { description: 'Transits', content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi('Transits') } } },
    ...errorResponses,
  },
});

/**
 * The transit response for a validated body at `nowMs` (used when `at` is
 * absent): cache key input (null for "now"), calculation and body. The natal
 * time and `at` are resolved here, before any work. Shared with bulk jobs.
 */
export function transitPlan(engine: SwissEphemeris, req: TransitRequest, nowMs: number) {
  const at = transitInstant(req.at, nowMs);
  const resolved = resolveChartRequest(req);
  const compute = () => {
    const natal = computeNatal(engine, resolved.input);
    const planets = computeTransits(engine, { jdUt: at.jdUt, natal, settings: resolved.input.settings });
    return {
      ayanamsaDeg: natal.ayanamsaDeg,
      ephemeris: natal.ephemeris,
      natal: { ascendantSign: natal.ascendant.sign, moonSign: natal.planets.Moon.sign },
      planets,
    };
  };
  return {
    // "now" changes every request: caching it would only fill the tiers.
    keyInput: req.at === undefined ? null : { ...chartKeyInput(resolved), at: at.utc },
    compute,
    render: (v: ReturnType<typeof compute>) => ({
      meta: { ...chartMeta(resolved, v, engine), at: at.utc, atJdUt: at.jdUt },
      natal: v.natal,
      planets: v.planets,
    }),
  };
}

export const transitRoutes = new OpenAPIHono<AppEnv>().openapi(
  route,
  (c) => {
    const req = c.req.valid('json');
    return cachedJson(c, { resource: 'transits', ayanamsa: req.ayanamsa, ...transitPlan(c.get('engine'), req, Date.now()) });
  },
  validationHook([...CHART_FIELD_NAMES, 'at']),
);
