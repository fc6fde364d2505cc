/**
 * The old Flask service's routes (`/lahiri/…`, `/raman/…`), same request body and
 * response envelope, so existing clients only change the base URL. Thin adapters
 * over the core (src/compat/legacy.ts); errors keep the old `{ "error": "…" }`
 * string, with the standard code, details and requestId beside it.
 */
import { OpenAPIHono, createRoute, z, type Hook } from '@hono/zod-openapi';
import type { Context, ErrorHandler } from 'hono';
import { SHODASAVARGA, vargaChart, type Division } from '../core/varga';
import { computeTransits, jdUtToIso } from '../core/transits';
import type { SwissEphemeris } from '../engine/swisseph';
import type { AppEnv } from '../env';
import {
  LegacyRequestSchema,
  LEGACY_AYANAMSAS,
  birthDetails,
  legacyChartPayload,
  legacyInstant,
  legacyNatal,
  legacyNotes,
  legacyPlanets,
  legacyPoint,
  legacySettings,
  LEGACY_PLANETS,
  misspeltLegacyFields,
  type LegacyAyanamsa,
  type LegacyRequest,
} from '../compat/legacy';
import { ValidationError, internalError, noteErrorCode, toAppError } from '../http/errors';
import { cachedJson } from '../http/cached-response';
import { jsonBody } from '../http/json-body';
import { capDetails, issuesToDetails } from '../http/validation';

export type LegacyKind = { kind: 'chart'; division: Division } | { kind: 'transit' } | { kind: 'summary' } | { kind: 'signs' };

const chart = (division: Division): LegacyKind => ({ kind: 'chart', division });

/** Path → what it returns, exactly as the old service named them. */
export const LEGACY_ROUTES: Record<LegacyAyanamsa, Record<string, LegacyKind>> = {
  lahiri: {
    natal: chart(1),
    navamsa: chart(9),
    calculate_d2_hora: chart(2),
    calculate_d3: chart(3),
    calculate_d4: chart(4),
    calculate_d7_chart: chart(7),
    calculate_d10: chart(10),
    calculate_d12: chart(12),
    calculate_d16: chart(16),
    calculate_d20: chart(20),
    calculate_d24: chart(24),
    calculate_d27: chart(27),
    calculate_d30: chart(30),
    calculate_d40: chart(40),
    calculate_d45: chart(45),
    calculate_d60: chart(60),
    transit: { kind: 'transit' },
    shodasha_varga_summary: { kind: 'summary' },
  },
  raman: {
    natal: chart(1),
    navamsha_d9: chart(9),
    calculate_d2_hora: chart(2),
    calculate_d3_chart: chart(3),
    calculate_d4: chart(4),
    calculate_d7_chart: chart(7),
    calculate_d10: chart(10),
    calculate_d12: chart(12),
    calculate_d16: chart(16),
    calculate_d20: chart(20),
    calculate_d24: chart(24),
    calculate_d27_chart: chart(27),
    calculate_d30_chart: chart(30),
    calculate_d40: chart(40),
    calculate_d45: chart(45),
    calculate_d60: chart(60),
    shodasha_varga_signs: { kind: 'signs' },
  },
};

/** D1…D60 sign of the ascendant and each graha, keyed as the old summaries were. */
function vargaSigns(engine: AppEnv['Variables']['engine'], req: LegacyRequest, ayanamsa: LegacyAyanamsa) {
  const natal = legacyNatal(engine, req, ayanamsa);
  const charts = SHODASAVARGA.map((d) => [d, vargaChart(natal, d)] as const);
  const points = ['Ascendant', ...LEGACY_PLANETS] as const;
  return Object.fromEntries(
    points.map((point) => [
      point,
      Object.fromEntries(charts.map(([d, c]) => [`D${d}`, point === 'Ascendant' ? c.ascendant.sign : c.planets[point].sign])),
    ]),
  ) as Record<(typeof points)[number], Record<string, string>>;
}

function legacyTransit(engine: AppEnv['Variables']['engine'], req: LegacyRequest, ayanamsa: LegacyAyanamsa, nowMs: number) {
  const natal = legacyNatal(engine, req, ayanamsa);
  const jdUtNow = nowMs / 86_400_000 + 2440587.5;
  const transits = computeTransits(engine, { jdUt: jdUtNow, natal, settings: legacySettings(ayanamsa) });
  return {
    natal_ascendant: legacyPoint(natal.ascendant),
    transit_time: jdUtToIso(jdUtNow),
    transit_positions: legacyPlanets((name) => ({ ...transits[name], house: transits[name].houseFromAscendant })),
    notes: legacyNotes(engine, jdUtNow, ayanamsa, 'Transit'),
  };
}

function wrapSigns(signs: ReturnType<typeof vargaSigns>) {
  return Object.fromEntries(
    Object.entries(signs).map(([point, byDivision]) => [point, Object.fromEntries(Object.entries(byDivision).map(([d, sign]) => [d, { sign }]))]),
  );
}

/** A legacy response as data: what the cache keys on (null: never cached), the calculation, and the envelope around it. */
export interface LegacyPlan {
  keyInput: unknown | null;
  compute: () => unknown;
  render: (value: unknown) => Record<string, unknown>;
}

/** Keeps each branch typed (render takes what compute returns) while the switch returns one shape. */
const legacyPlanOf = <T, B extends Record<string, unknown>>(plan: { keyInput: unknown | null; compute: () => T; render: (value: T) => B }) =>
  plan as unknown as LegacyPlan;

/**
 * Cached: the calculation, keyed by instant, place, ayanamsa and route kind.
 * Per request: the caller's `user_name` and `birth_details` echo. The date is
 * validated here, before any work. Shared with `POST /batch/calculate`.
 */
export function legacyPlan(engine: SwissEphemeris, ayanamsa: LegacyAyanamsa, kind: LegacyKind, req: LegacyRequest, nowMs: number): LegacyPlan {
  const misspelt = misspeltLegacyFields(req);
  if (misspelt.length) throw new ValidationError(misspelt);
  const { utc } = legacyInstant(req); // validates the date before any work
  const keyInput = { kind, ayanamsa, utc, latDeg: req.latitude, lonDeg: req.longitude };
  const user_name = req.user_name ?? '';
  switch (kind.kind) {
    case 'chart':
      return legacyPlanOf({
        keyInput,
        compute: () => legacyChartPayload(engine, req, ayanamsa, kind.division),
        render: (payload) => ({ user_name, birth_details: birthDetails(req), ...payload }),
      });
    case 'transit':
      return legacyPlanOf({
        keyInput: null, // "now": never the same twice
        compute: () => legacyTransit(engine, req, ayanamsa, nowMs),
        render: (payload) => ({ user_name, birth_details: birthDetails(req), ...payload }),
      });
    case 'summary':
      return legacyPlanOf({
        keyInput,
        compute: () => vargaSigns(engine, req, ayanamsa),
        render: (signs) => ({ user_name, shodasha_varga_summary: signs }),
      });
    case 'signs':
      return legacyPlanOf({
        keyInput,
        compute: () => wrapSigns(vargaSigns(engine, req, ayanamsa)),
        render: (signs) => ({ user_name, ayanamsa: LEGACY_AYANAMSAS[ayanamsa], shodasha_varga_signs: signs }),
      });
  }
}

function respond(c: Context<AppEnv>, ayanamsa: LegacyAyanamsa, kind: LegacyKind, req: LegacyRequest) {
  return cachedJson(c, { resource: 'legacy', ayanamsa, ...legacyPlan(c.get('engine'), ayanamsa, kind, req, Date.now()) });
}

/** Old clients read `error` as a string; the rest is what every other route gives. Field errors are 400, as before. */
export const legacyOnError: ErrorHandler<AppEnv> = (err, c) => {
  const known = toAppError(err);
  if (!known) return internalError(err, c);
  const status = known.status === 422 ? 400 : known.status;
  const details = known.details?.length ? { details: known.details } : {};
  noteErrorCode(c, known.code);
  return c.json({ error: known.message, code: known.code, ...details, requestId: c.get('requestId') ?? '' }, status);
};

/**
 * Like validationHook, plus the near-miss field names of the raw body (on a
 * failure, `data` is the raw input), so `latitute` is named beside the missing
 * `latitude`. A valid body's near misses are refused in legacyPlan.
 */
function legacyHook<I>(): Hook<I, any, any, any> {
  return (result) => {
    if (result.success) return;
    const issues = issuesToDetails((result.error as z.ZodError).issues);
    // @hono/zod-validator passes the raw input as `data` on failure; zod-openapi's Hook type omits it.
    const raw = (result as { data?: unknown }).data;
    throw new ValidationError(capDetails([...issues, ...misspeltLegacyFields(raw)]));
  };
}

const LegacyResponseSchema = z.record(z.string(), z.unknown()).openapi('LegacyResponse');
export const LegacyErrorSchema = z
  .object({ error: z.string(), code: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })).optional(), requestId: z.string() })
  .openapi('LegacyError');

/** Paths whose clients read the old error shape: the old routes, `POST /batch/calculate` and `/async/…`. */
export function isLegacyPath(path: string): boolean {
  return /^\/(lahiri|raman|async)\//.test(path) || path === '/batch/calculate';
}

export const legacyRoutes = new OpenAPIHono<AppEnv>();
// Mounted at '/', so '*' would reach every route of the app: name the prefixes.
for (const prefix of Object.keys(LEGACY_ROUTES)) legacyRoutes.use(`/${prefix}/*`, jsonBody());
legacyRoutes.onError(legacyOnError);

for (const [ayanamsa, routes] of Object.entries(LEGACY_ROUTES) as [LegacyAyanamsa, Record<string, LegacyKind>][]) {
  for (const [name, kind] of Object.entries(routes)) {
    const route = createRoute({
      method: 'post',
      path: `/${ayanamsa}/${name}`,
      summary: `Old service: ${name} (${LEGACY_AYANAMSAS[ayanamsa]})`,
      description: 'Compatibility route of the previous service: its request body and response envelope, values from the new engine.',
      tags: ['compatibility'],
      request: { body: { required: true, content: { 'application/json': { schema: LegacyRequestSchema } } } },
      responses: {
        200: { description: 'The old envelope', content: { 'application/json': { schema: LegacyResponseSchema } } },
        400: { description: 'Invalid input', content: { 'application/json': { schema: LegacyErrorSchema } } },
      },
    });
    // Validation failures become 400 in legacyOnError, as the old service answered.
    // The OpenAPI schema of these envelopes is loose (a record), so the typed response is widened.
    legacyRoutes.openapi(route, (c) => respond(c, ayanamsa, kind, c.req.valid('json')) as Promise<never>, legacyHook());
  }
}
