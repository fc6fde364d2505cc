/**
 * `POST|GET /v1/charts/divisional/{division}` (one varga) and
 * `POST /v1/charts/divisional` (many vargas from one computation of positions).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { computeNatal } from '../core/natal';
import { DIVISIONS, SHODASAVARGA, VARGA_METHODS, isVargaMethod, parseDivision, vargaChart, type Division } from '../core/varga';
import type { SwissEphemeris } from '../engine/swisseph';
import type { AppEnv } from '../env';
import type { Context } from 'hono';
import { cachedJson } from '../http/cached-response';
import { chartKeyInput, chartMeta, resolveChartRequest } from '../http/chart-request';
import { ValidationError, type ErrorDetail } from '../http/errors';
import { CHART_FIELD_NAMES, ChartQuerySchema, chartFields, errorResponses, type ChartRequest } from '../http/schemas';
import { validationHook } from '../http/validation';

const divisionText = z
  .union([z.number().int(), z.string().max(4)])
  .openapi({ description: `One of ${DIVISIONS.join(', ')}, as a number, "9" or "D9"`, example: 'D9' });
const method = z.string().min(1).max(32).optional().openapi({
  description: 'Varga method where traditions differ: D2, D3, D11, D24, D30 offer `parivritti`; D30 also `parashara_proportional` (degree scaled inside the unequal part instead of (x·30) mod 30); every chart echoes the method used',
});

const SingleBody = z.strictObject({ ...chartFields, method }).openapi('DivisionalRequest');
const SingleQuery = ChartQuerySchema.extend({ method });
/** The many-chart body; bulk jobs validate their `divisional` items with it. */
export const DivisionalManyRequestSchema = z
  .strictObject({
    ...chartFields,
    divisions: z.array(divisionText).min(1).max(DIVISIONS.length).optional().openapi({ description: 'Default: the 16 Shodasavarga' }),
    method,
    methods: z
      .record(z.string().max(4), z.string().min(1).max(32))
      // One entry per division at most; anything longer cannot be valid and only costs work.
      .refine((m) => Object.keys(m).length <= DIVISIONS.length, { message: `at most ${DIVISIONS.length} entries, one per division` })
      .optional()
      .openapi({ description: 'Per-division method, e.g. {"D2":"parivritti"}' }),
  })
  .openapi('DivisionalManyRequest');
export type DivisionalManyRequest = z.infer<typeof DivisionalManyRequestSchema>;

const DivisionParam = z.object({ division: z.string().max(4).openapi({ param: { name: 'division', in: 'path' }, example: 'D9' }) });

function methodError(division: Division, path: string, given: string): ErrorDetail {
  return { path, message: `D${division} has no method '${given}'; choose one of ${VARGA_METHODS[division].join(', ')}` };
}

function divisionOrThrow(text: string | number, path: string): Division {
  const division = parseDivision(text);
  if (division === null) throw new ValidationError([{ path, message: `unknown division '${text}'; choose one of ${DIVISIONS.map((d) => `D${d}`).join(', ')}` }]);
  return division;
}

function single(c: Context<AppEnv>, divisionText: string, req: ChartRequest & { method?: string }) {
  const division = divisionOrThrow(divisionText, 'division');
  if (req.method !== undefined && !isVargaMethod(division, req.method)) throw new ValidationError([methodError(division, 'method', req.method)]);
  const engine = c.get('engine');
  const resolved = resolveChartRequest(req);
  return cachedJson(c, {
    resource: 'divisional',
    ayanamsa: req.ayanamsa,
    keyInput: { ...chartKeyInput(resolved), divisions: [[division, req.method ?? null]] },
    compute: () => {
      const natal = computeNatal(engine, resolved.input);
      return { ayanamsaDeg: natal.ayanamsaDeg, ephemeris: natal.ephemeris, chart: vargaChart(natal, division, req.method) };
    },
    render: (v) => ({ meta: chartMeta(resolved, v, engine), ...v.chart }),
  });
}

/** Which method each division gets: `methods` strictly, `method` wherever the division offers it. */
function methodPlan(divisions: Division[], req: { method?: string; methods?: Record<string, string> }): Map<Division, string | undefined> {
  const errors: ErrorDetail[] = [];
  const plan = new Map<Division, string | undefined>();
  for (const d of divisions) plan.set(d, req.method !== undefined && isVargaMethod(d, req.method) ? req.method : undefined);
  if (req.method !== undefined && ![...plan.values()].some((m) => m === req.method)) {
    errors.push({ path: 'method', message: `no requested division offers method '${req.method}'` });
  }
  for (const [key, m] of Object.entries(req.methods ?? {})) {
    const d = parseDivision(key);
    if (d === null || !plan.has(d)) errors.push({ path: `methods.${key}`, message: `'${key}' is not one of the requested divisions` });
    else if (!isVargaMethod(d, m)) errors.push(methodError(d, `methods.${key}`, m));
    else plan.set(d, m);
  }
  if (errors.length) throw new ValidationError(errors);
  return plan;
}

/**
 * The many-chart response for a validated body: cache key input, calculation
 * and body. Divisions, methods and the time are checked here (ValidationError,
 * InputError) before any work. Shared with bulk jobs (src/bulk/).
 */
export function divisionalManyPlan(engine: SwissEphemeris, req: DivisionalManyRequest) {
  const divisions = req.divisions ? req.divisions.map((d, i) => divisionOrThrow(d, `divisions.${i}`)) : [...SHODASAVARGA];
  const plan = methodPlan([...new Set(divisions)], req);
  const resolved = resolveChartRequest(req);
  const compute = () => {
    const natal = computeNatal(engine, resolved.input);
    const charts = Object.fromEntries([...plan].map(([d, m]) => [`D${d}`, vargaChart(natal, d, m)]));
    return { ayanamsaDeg: natal.ayanamsaDeg, ephemeris: natal.ephemeris, charts };
  };
  return {
    // `9` and `D9` parse to the same division, so they share an entry.
    keyInput: { ...chartKeyInput(resolved), divisions: [...plan].map(([d, m]) => [d, m ?? null]) },
    compute,
    render: (v: ReturnType<typeof compute>) => ({ meta: chartMeta(resolved, v, engine), charts: v.charts }),
  };
}

function many(c: Context<AppEnv>, req: DivisionalManyRequest) {
  return cachedJson(c, { resource: 'divisional', ayanamsa: req.ayanamsa, ...divisionalManyPlan(c.get('engine'), req) });
}

const ChartSchema = z.record(z.string(), z.unknown()).openapi('DivisionalChart');
const ok = (description: string) => ({ 200: { description, content: { 'application/json': { schema: ChartSchema } } } });

const postOne = createRoute({
  method: 'post',
  path: '/v1/charts/divisional/{division}',
  summary: 'One divisional chart (varga)',
  tags: ['charts'],
  request: { params: DivisionParam, body: { required: true, content: { 'application/json': { schema: SingleBody } } } },
  responses: { ...ok('The chart with meta beside it'), ...errorResponses },
});
const getOne = createRoute({
  method: 'get',
  path: '/v1/charts/divisional/{division}',
  summary: 'One divisional chart (query parameters)',
  tags: ['charts'],
  request: { params: DivisionParam, query: SingleQuery },
  responses: { ...ok('The chart with meta beside it'), ...errorResponses },
});
const postMany = createRoute({
  method: 'post',
  path: '/v1/charts/divisional',
  summary: 'Many divisional charts from one computation of positions (default: Shodasavarga)',
  tags: ['charts'],
  request: { body: { required: true, content: { 'application/json': { schema: DivisionalManyRequestSchema } } } },
  responses: { ...ok('{ meta, charts: { D1: …, D9: … } }'), ...errorResponses },
});

const singleFields = [...CHART_FIELD_NAMES, 'method'];
export const divisionalRoutes = new OpenAPIHono<AppEnv>()
  .openapi(postOne, (c) => single(c, c.req.valid('param').division, c.req.valid('json')), validationHook(singleFields))
  .openapi(getOne, (c) => single(c, c.req.valid('param').division, c.req.valid('query')), validationHook(singleFields))
  .openapi(postMany, (c) => many(c, c.req.valid('json')), validationHook([...CHART_FIELD_NAMES, 'divisions', 'method', 'methods']));
