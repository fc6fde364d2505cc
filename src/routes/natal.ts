/** `POST /v1/charts/natal` and its `GET` twin with the same fields as query parameters. */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { computeNatal, type NatalChart } from '../core/natal';
import type { SwissEphemeris } from '../engine/swisseph';
import type { AppEnv } from '../env';
import type { Context } from 'hono';
import { cachedJson } from '../http/cached-response';
import { chartKeyInput, chartMeta, resolveChartRequest } from '../http/chart-request';
import { CHART_FIELD_NAMES, ChartQuerySchema, ChartRequestSchema, NatalResponseSchema, errorResponses, type ChartRequest } from '../http/schemas';
import { validationHook } from '../http/validation';

const ok = { 200: { description: 'Natal chart', content: { 'application/json': { schema: NatalResponseSchema } } } };

const postRoute = createRoute({
  method: 'post',
  path: '/v1/charts/natal',
  summary: 'Natal chart',
  description: 'Sidereal positions of Sun…Saturn, Rahu, Ketu, Uranus, Neptune and Pluto, the ascendant and the houses.',
  tags: ['charts'],
  request: { body: { required: true, content: { 'application/json': { schema: ChartRequestSchema } } } },
  responses: { ...ok, ...errorResponses },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/charts/natal',
  summary: 'Natal chart (query parameters)',
  description: 'Same as POST, with the request fields as query parameters.',
  tags: ['charts'],
  request: { query: ChartQuerySchema },
  responses: { ...ok, ...errorResponses },
});

/**
 * The natal response for a validated request: its cache key input, the
 * calculation and the body built from it. Resolving the time here throws the
 * route's 422s before any work. Shared with bulk jobs (src/bulk/), which send
 * `render(compute())` for each item.
 */
export function natalPlan(engine: SwissEphemeris, req: ChartRequest) {
  const resolved = resolveChartRequest(req);
  return {
    keyInput: chartKeyInput(resolved),
    compute: () => computeNatal(engine, resolved.input),
    render: (chart: NatalChart) => ({ meta: chartMeta(resolved, chart, engine), ascendant: chart.ascendant, planets: chart.planets, houses: chart.houses }),
  };
}

function natalResponse(c: Context<AppEnv>, req: ChartRequest) {
  return cachedJson(c, { resource: 'natal', ayanamsa: req.ayanamsa, ...natalPlan(c.get('engine'), req) });
}

export const natalRoutes = new OpenAPIHono<AppEnv>()
  .openapi(postRoute, (c) => natalResponse(c, c.req.valid('json')), validationHook(CHART_FIELD_NAMES))
  .openapi(getRoute, (c) => natalResponse(c, c.req.valid('query')), validationHook(CHART_FIELD_NAMES));
