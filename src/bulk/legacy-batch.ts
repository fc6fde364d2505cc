/**
 * The old service's batch items, `{ type, data, ayanamsa? }`: `type` names an
 * old route (LEGACY_BATCH_TYPES), `data` is that route's body, and the item's
 * answer is what the route answers, computed by the route's own plan
 * (routes/legacy.ts legacyPlan). Used by `POST /batch/calculate` (up to 10,
 * synchronous, each item failing alone) and by `POST /async/calculate` (one
 * item queued as a bulk job, item type `legacy`).
 */
import { z } from '@hono/zod-openapi';
import { LegacyRequestSchema, LEGACY_AYANAMSAS, misspeltLegacyFields, type LegacyAyanamsa } from '../compat/legacy';
import type { SwissEphemeris } from '../engine/swisseph';
import { ValidationError, toAppError, type ErrorDetail } from '../http/errors';
import { capDetails, issuesToDetails, suggestField } from '../http/validation';
import { LEGACY_ROUTES, legacyPlan, type LegacyKind } from '../routes/legacy';
import { errorFields, log } from '../obs/log';

export const LEGACY_BATCH_MAX_REQUESTS = 10;

const same = (route: string) => ({ lahiri: route, raman: route });

/**
 * Item type → the old route that answers it, by its name under each prefix
 * (`ayanamsa`: lahiri, the default, as the old batch ran; or raman). A type
 * without a route under a prefix is refused there. A new old-style route (a
 * dasha, ashtakavarga…) becomes a batch type with one line here, once it is in
 * LEGACY_ROUTES (a test checks every entry names a route that exists).
 */
export const LEGACY_BATCH_TYPES: Readonly<Record<string, Partial<Record<LegacyAyanamsa, string>>>> = {
  natal: same('natal'),
  d2: same('calculate_d2_hora'),
  hora: same('calculate_d2_hora'),
  d3: { lahiri: 'calculate_d3', raman: 'calculate_d3_chart' },
  d4: same('calculate_d4'),
  d7: same('calculate_d7_chart'),
  navamsa: { lahiri: 'navamsa', raman: 'navamsha_d9' },
  d9: { lahiri: 'navamsa', raman: 'navamsha_d9' },
  d10: same('calculate_d10'),
  d12: same('calculate_d12'),
  d16: same('calculate_d16'),
  d20: same('calculate_d20'),
  d24: same('calculate_d24'),
  d27: { lahiri: 'calculate_d27', raman: 'calculate_d27_chart' },
  d30: { lahiri: 'calculate_d30', raman: 'calculate_d30_chart' },
  d40: same('calculate_d40'),
  d45: same('calculate_d45'),
  d60: same('calculate_d60'),
  transit: { lahiri: 'transit' },
};

const ITEM_FIELDS = ['type', 'data', 'ayanamsa'] as const;
const AYANAMSA_NAMES = Object.keys(LEGACY_AYANAMSAS) as LegacyAyanamsa[];

/** One item as documented (validation goes item by item, so that each fails alone). */
export const LegacyBatchItemSchema = z
  .object({
    type: z.string().openapi({ description: `One of ${Object.keys(LEGACY_BATCH_TYPES).join(', ')}`, example: 'navamsa' }),
    data: LegacyRequestSchema,
    ayanamsa: z.enum(AYANAMSA_NAMES as [LegacyAyanamsa, ...LegacyAyanamsa[]]).optional().openapi({ description: 'Which old routes answer (default lahiri, as the old batch did)' }),
  })
  .openapi('LegacyBatchItem');

export const LegacyBatchRequestSchema = z
  .looseObject({
    requests: z
      .array(z.unknown())
      .min(1)
      .max(LEGACY_BATCH_MAX_REQUESTS)
      .openapi({ description: `1 to ${LEGACY_BATCH_MAX_REQUESTS} items { type, data, ayanamsa? }`, items: { $ref: '#/components/schemas/LegacyBatchItem' } }),
  })
  .openapi('LegacyBatchRequest');
export type LegacyBatchRequest = z.infer<typeof LegacyBatchRequestSchema>;

/** An item's error as the old batch reported it: `type` is our stable code; `details` name the fields. */
export interface LegacyItemError {
  message: string;
  type: string;
  details?: ErrorDetail[];
}

export type LegacyBatchResult =
  | { index: number; type: string | null; status: 'success'; data: Record<string, unknown> }
  | { index: number; type: string | null; status: 'failed'; error: LegacyItemError };

const asObject = (raw: unknown) => (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null);

/** The item's `type`, for echoing; null when it is not a string. */
export function legacyItemType(raw: unknown): string | null {
  const type = asObject(raw)?.type;
  return typeof type === 'string' ? type.slice(0, 64) : null;
}

function routeOf(type: unknown, ayanamsa: LegacyAyanamsa): LegacyKind {
  const known = Object.keys(LEGACY_BATCH_TYPES);
  if (typeof type !== 'string') throw new ValidationError([{ path: 'type', message: `required: one of ${known.join(', ')}` }]);
  const routes = Object.hasOwn(LEGACY_BATCH_TYPES, type) ? LEGACY_BATCH_TYPES[type] : undefined;
  if (!routes) {
    const hint = suggestField(type, known);
    const more = hint ? `did you mean '${hint}'? ` : '';
    throw new ValidationError([{ path: 'type', message: `unknown type '${type.slice(0, 64)}'; ${more}choose one of ${known.join(', ')}` }]);
  }
  const route = routes[ayanamsa];
  if (!route) {
    const where = AYANAMSA_NAMES.filter((a) => routes[a]).join(', ');
    throw new ValidationError([{ path: 'type', message: `type '${type}' has no ${ayanamsa} route; it exists for ayanamsa ${where}` }]);
  }
  return LEGACY_ROUTES[ayanamsa][route];
}

/**
 * Validates one item and resolves its time; returns the computation of its
 * answer (the old route's envelope). Throws what that route would answer with
 * 400, with paths relative to the item (`type`, `data.latitude`). `nowMs` is
 * the transit's "now".
 */
export function prepareLegacyItem(engine: SwissEphemeris, raw: unknown, nowMs: number): () => Record<string, unknown> {
  const item = asObject(raw);
  if (!item) throw new ValidationError([{ path: '', message: 'expected an object { "type", "data" }' }]);
  const misspelt: ErrorDetail[] = [];
  for (const key of Object.keys(item)) {
    if ((ITEM_FIELDS as readonly string[]).includes(key)) continue;
    const hint = suggestField(key, ITEM_FIELDS);
    if (hint) misspelt.push({ path: key, message: `unknown field '${key}'; did you mean '${hint}'?` });
  }
  if (misspelt.length) throw new ValidationError(misspelt);
  const ayanamsa = item.ayanamsa ?? 'lahiri';
  if (typeof ayanamsa !== 'string' || !(AYANAMSA_NAMES as string[]).includes(ayanamsa)) {
    throw new ValidationError([{ path: 'ayanamsa', message: `expected one of ${AYANAMSA_NAMES.join(', ')} (default lahiri)` }]);
  }
  const kind = routeOf(item.type, ayanamsa as LegacyAyanamsa);
  if (!('data' in item)) throw new ValidationError([{ path: 'data', message: 'required: the body of the old route, e.g. { "birth_date", "birth_time", "latitude", "longitude", "timezone_offset" }' }]);
  const parsed = LegacyRequestSchema.safeParse(item.data);
  const prefix = (details: ErrorDetail[]) => details.map((d) => ({ path: d.path ? `data.${d.path}` : 'data', message: d.message }));
  if (!parsed.success) throw new ValidationError(capDetails(prefix([...issuesToDetails(parsed.error.issues), ...misspeltLegacyFields(item.data)])));
  let plan;
  try {
    plan = legacyPlan(engine, ayanamsa as LegacyAyanamsa, kind, parsed.data, nowMs);
  } catch (err) {
    const known = toAppError(err);
    if (known?.details?.length && known.status < 500) throw new ValidationError(prefix(known.details));
    throw err;
  }
  return () => plan.render(plan.compute());
}

/** A caller's error (4xx) as the item's error; anything else is logged and reported without its internals. */
export function legacyItemError(err: unknown, context: Record<string, unknown>): LegacyItemError {
  const known = toAppError(err);
  if (known && known.status < 500) return { message: known.message, type: known.code, ...(known.details?.length ? { details: known.details } : {}) };
  log.error('legacy_item_failed', { ...context, ...errorFields(err instanceof Error ? err : new Error(String(err))) });
  return { message: 'The calculation could not be completed; the error was logged with this request id', type: 'calculation_failed' };
}

/** Every item computed on its own: an invalid one fails with its error, the others are answered. */
export function legacyBatch(engine: SwissEphemeris, requests: unknown[], nowMs: number, context: Record<string, unknown> = {}): LegacyBatchResult[] {
  return requests.map((raw, index): LegacyBatchResult => {
    const type = legacyItemType(raw);
    try {
      return { index, type, status: 'success', data: prepareLegacyItem(engine, raw, nowMs)() };
    } catch (err) {
      return { index, type, status: 'failed', error: legacyItemError(err, { ...context, index }) };
    }
  });
}
