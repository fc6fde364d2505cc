/** `POST /v1/dashas/{system}`: the dasha periods of a natal chart, every convention echoed in `meta`. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { computeDashas, isNakshatraDashaSystem, NAKSHATRA_DASHA_SYSTEMS, type DashaResult, type NakshatraDashaSystemName } from '../core/dashas';
import { computeNatal } from '../core/natal';
import type { SwissEphemeris } from '../engine/swisseph';
import type { AppEnv } from '../env';
import { cachedJson } from '../http/cached-response';
import { chartKeyInput, chartMeta, resolveChartRequest } from '../http/chart-request';
import { DASHA_FIELD_NAMES, DashaRequestSchema, DashaResponseSchema, type DashaRequest } from '../http/dasha-schemas';

type DashaResponse = z.infer<typeof DashaResponseSchema>;
import { ValidationError } from '../http/errors';
import { instantField } from '../http/instant';
import { errorResponses } from '../http/schemas';
import { validationHook } from '../http/validation';

const SystemParam = z.object({
  system: z.string().max(32).openapi({ param: { name: 'system', in: 'path' }, description: NAKSHATRA_DASHA_SYSTEMS.join(', '), example: 'vimshottari' }),
});

function systemOrThrow(text: string): NakshatraDashaSystemName {
  if (isNakshatraDashaSystem(text)) return text;
  throw new ValidationError([{ path: 'system', message: `unknown dasha system '${text}'; choose one of ${NAKSHATRA_DASHA_SYSTEMS.join(', ')}` }]);
}

const msOf = (value: string | undefined, path: string) => (value === undefined ? undefined : Date.parse(instantField(value, path).utc));

/**
 * The dasha response for a validated body: cache key input, calculation and
 * body. The birth time, `at`, `from` and `to` are resolved here (422s before
 * any work); the window rules are the core's. Shared with bulk jobs.
 */
export function dashaPlan(engine: SwissEphemeris, system: NakshatraDashaSystemName, req: DashaRequest) {
  const resolved = resolveChartRequest(req);
  const atMs = msOf(req.at, 'at');
  const fromMs = msOf(req.from, 'from');
  const toMs = msOf(req.to, 'to');
  const options = { system, method: req.method, levels: req.levels, yearDays: req.yearDays, atMs, fromMs, toMs };
  const compute = () => {
    const natal = computeNatal(engine, resolved.input);
    return { ayanamsaDeg: natal.ayanamsaDeg, ephemeris: natal.ephemeris, dashas: computeDashas(natal, Date.parse(resolved.time.utc), options) };
  };
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return {
    keyInput: { ...chartKeyInput(resolved), system, method: req.method ?? null, levels: req.levels, yearDays: req.yearDays ?? null, at: iso(atMs), from: iso(fromMs), to: iso(toMs) },
    compute,
    render: (v: { ayanamsaDeg: number; ephemeris: 'swiss' | 'moshier'; dashas: DashaResult }) => {
      const d = v.dashas;
      return {
        meta: { ...chartMeta(resolved, v, engine), system: d.system, method: d.method, yearDays: d.yearDays, levels: d.levels, window: d.window, at: iso(atMs) },
        moon: d.moon,
        balance: d.balance,
        applicability: d.applicability,
        // The recursive core type, as the five explicit levels of the schema.
        periods: d.periods as DashaResponse['periods'],
        current: d.current,
      };
    },
  };
}

function dashaResponse(c: Context<AppEnv>, systemText: string, req: DashaRequest) {
  const system = systemOrThrow(systemText);
  return cachedJson(c, { resource: 'dashas', ayanamsa: req.ayanamsa, ...dashaPlan(c.get('engine'), system, req) });
}

const postRoute = createRoute({
  method: 'post',
  path: '/v1/dashas/{system}',
  summary: 'Dasha periods (Vimshottari to five levels, and the other nakshatra dashas)',
  description:
    'The birth period is back-dated to its theoretical start; every level tiles its parent exactly. Levels 4–5 need a window ' +
    '(`from`/`to`, or `at` for the pratyantar then). Conditional dashas say whether their classical condition holds (`applicability`).',
  tags: ['dashas'],
  request: { params: SystemParam, body: { required: true, content: { 'application/json': { schema: DashaRequestSchema } } } },
  responses: { 200: { description: 'The periods with meta beside them', content: { 'application/json': { schema: DashaResponseSchema } } }, ...errorResponses },
});

export const dashaRoutes = new OpenAPIHono<AppEnv>().openapi(
  postRoute,
  (c) => dashaResponse(c, c.req.valid('param').system, c.req.valid('json')),
  validationHook(DASHA_FIELD_NAMES),
);
