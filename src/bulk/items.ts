/**
 * One bulk item, validated and computed exactly as its sync route does it:
 * the same zod schema, then the route's own plan (natalPlan,
 * divisionalManyPlan, transitPlan), which resolves times and checks divisions
 * before any work, and whose `render(compute())` is the sync response body.
 */
import type { z } from '@hono/zod-openapi';
import type { SwissEphemeris } from '../engine/swisseph';
import { ValidationError, toAppError, type ErrorDetail } from '../http/errors';
import { ChartRequestSchema } from '../http/schemas';
import { issuesToDetails } from '../http/validation';
import { divisionalManyPlan, DivisionalManyRequestSchema } from '../routes/divisional';
import { natalPlan } from '../routes/natal';
import { transitPlan, TransitRequestSchema } from '../routes/transits';
import { prepareLegacyItem } from './legacy-batch';
import { dashaPlan } from '../routes/dashas';
import { DashaBulkRequestSchema } from '../http/dasha-schemas';
import { calendarPlan, panchangPlan } from '../routes/panchang';
import { CalendarRequestSchema, PanchangRequestSchema } from '../routes/panchang-schemas';
import type { BulkItemType, QueuedItem, QueuedItemType, StoredResult } from './types';
import { errorFields, log } from '../obs/log';
import { recordCalculation } from '../obs/record';

/** The sync routes' request schemas, by item type. */
export const BULK_ITEM_SCHEMAS = {
  natal: ChartRequestSchema,
  divisional: DivisionalManyRequestSchema,
  transits: TransitRequestSchema,
  dashas: DashaBulkRequestSchema,
  panchang: PanchangRequestSchema,
  panchang_calendar: CalendarRequestSchema,
} as const satisfies Record<BulkItemType, z.ZodObject>;

/** One problem of an item: `path` is relative to the item (`input.latitude`), `code` as the sync route would answer. */
export interface ItemError extends ErrorDetail {
  code: string;
}

/** The caller's errors (422 on the sync route) as ItemErrors under `prefix`; anything else is rethrown. */
export function itemErrorsOf(err: unknown, prefix: string): ItemError[] {
  const known = toAppError(err);
  if (!known || known.status >= 500) throw err;
  const details = known.details?.length ? known.details : [{ path: '', message: known.message }];
  return details.map((d) => ({ path: d.path ? `${prefix}${d.path}` : prefix.replace(/\.$/, ''), message: d.message, code: known.code }));
}

function parseInput<S extends z.ZodObject>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(issuesToDetails(parsed.error.issues, Object.keys(schema.shape)));
  return parsed.data;
}

/**
 * Validates an item's input and resolves its times; returns the computation
 * of its response body. Throws what the sync route would answer with 422
 * (ValidationError, InputError). `nowMs` stands in for "now" (transits always
 * carry `at` in bulk, so it is only a fallback; an old-style transit has no
 * `at`, and is computed for the job's creation).
 */
export function prepareItem(engine: SwissEphemeris, type: QueuedItemType, input: unknown, nowMs: number): () => unknown {
  switch (type) {
    case 'legacy':
      // `{ type, data, ayanamsa? }` of POST /async/calculate; a transit's "now" is the job's creation.
      return prepareLegacyItem(engine, input, nowMs);
    case 'natal': {
      const plan = natalPlan(engine, parseInput(BULK_ITEM_SCHEMAS.natal, input));
      return () => plan.render(plan.compute());
    }
    case 'divisional': {
      const plan = divisionalManyPlan(engine, parseInput(BULK_ITEM_SCHEMAS.divisional, input));
      return () => plan.render(plan.compute());
    }
    case 'transits': {
      const req = parseInput(BULK_ITEM_SCHEMAS.transits, input);
      if (req.at === undefined) {
        throw new ValidationError([
          { path: 'at', message: "required in bulk jobs (a queued job has no single 'now'): give an instant, e.g. 2026-01-01T00:00:00Z" },
        ]);
      }
      const plan = transitPlan(engine, req, nowMs);
      return () => plan.render(plan.compute());
    }
    case 'dashas': {
      const { system, ...req } = parseInput(BULK_ITEM_SCHEMAS.dashas, input);
      const plan = dashaPlan(engine, system, req);
      return () => plan.render(plan.compute());
    }
    case 'panchang': {
      const plan = panchangPlan(engine, parseInput(BULK_ITEM_SCHEMAS.panchang, input));
      return () => plan.render(plan.compute());
    }
    case 'panchang_calendar': {
      const plan = calendarPlan(engine, parseInput(BULK_ITEM_SCHEMAS.panchang_calendar, input));
      return () => plan.render(plan.compute());
    }
  }
}

/** A rendered chart says `meta.ephemeris`; a legacy one nothing. */
function ephemerisOfResult(result: unknown): unknown {
  const meta = result && typeof result === 'object' ? (result as { meta?: { ephemeris?: unknown } }).meta : undefined;
  return meta?.ephemeris;
}

/**
 * Computes one queued item into its stored result. Never throws: a caller
 * error becomes `{ status: "failed", error: { code, message, details } }`, an
 * engine failure `calculation_failed` (logged), so one item never fails its chunk.
 */
export function computeItem(engine: SwissEphemeris, item: QueuedItem, nowMs: number, jobId: string): StoredResult {
  const { index, id } = item;
  try {
    const startedMs = performance.now();
    const result = prepareItem(engine, item.type, item.input, nowMs)();
    recordCalculation(`bulk:${item.type}`, (performance.now() - startedMs) / 1000, ephemerisOfResult(result));
    return { index, status: 'succeeded', text: JSON.stringify({ id, index, status: 'succeeded', result }) };
  } catch (err) {
    const known = toAppError(err);
    let error: { code: string; message: string; details?: ErrorDetail[] };
    if (known && known.status < 500) {
      error = { code: known.code, message: known.message, ...(known.details?.length ? { details: known.details } : {}) };
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      log.error('bulk_item_failed', { jobId, index, ...errorFields(e) });
      error = { code: 'calculation_failed', message: 'The calculation could not be completed; the error was logged with this job id and index' };
    }
    return { index, status: 'failed', text: JSON.stringify({ id, index, status: 'failed', error }) };
  }
}
