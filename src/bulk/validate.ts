/**
 * Validates every item of a bulk request before anything is queued, and
 * reports every invalid item at once: its index, its id and each error, with
 * the code its sync route would have answered (time resolution included).
 */
import { z } from '@hono/zod-openapi';
import type { SwissEphemeris } from '../engine/swisseph';
import { ValidationError, type ErrorDetail } from '../http/errors';
import { issuesToDetails } from '../http/validation';
import { itemErrorsOf, prepareItem, type ItemError } from './items';
import { MAX_LISTED_INVALID_ITEMS } from './policy';
import { BULK_ITEM_TYPES, type QueuedItem } from './types';

/** An item's envelope; its `input` is checked against the type's own schema afterwards. */
export const BulkItemEnvelopeSchema = z.strictObject({
  id: z.string().min(1).max(128),
  type: z.enum(BULK_ITEM_TYPES),
  input: z.record(z.string(), z.unknown()),
});

/**
 * Errors listed per invalid item. An item stuffed with thousands of unknown
 * keys would otherwise make the 422 many times larger than the 5 MiB body.
 */
export const MAX_ERRORS_PER_ITEM = 20;

function capItemErrors(errors: ItemError[]): ItemError[] {
  if (errors.length <= MAX_ERRORS_PER_ITEM) return errors;
  const kept = errors.slice(0, MAX_ERRORS_PER_ITEM - 1);
  const more = errors.length - kept.length;
  return [...kept, { path: '', message: `and ${more} more problems in this item (only the first ${kept.length} are listed)`, code: 'validation_error' }];
}

export interface InvalidItem {
  index: number;
  /** The item's id when it had a usable one. */
  id: string | null;
  errors: ItemError[];
}

export type BulkValidation =
  | { ok: true; items: QueuedItem[] }
  | { ok: false; invalidCount: number; invalid: InvalidItem[]; details: ErrorDetail[] };

function validateItem(engine: SwissEphemeris, raw: unknown, index: number, nowMs: number): { item: QueuedItem } | { invalid: InvalidItem } {
  const envelope = BulkItemEnvelopeSchema.safeParse(raw);
  const obj = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  const id = typeof obj?.id === 'string' && obj.id.length > 0 && obj.id.length <= 128 ? obj.id : null;
  if (!obj) return { invalid: { index, id, errors: [{ path: '', message: 'expected an object { id, type, input }', code: 'validation_error' }] } };
  const type = BULK_ITEM_TYPES.find((t) => t === obj.type);
  const checkInput = type !== undefined && 'input' in obj;
  const errors: ItemError[] = envelope.success
    ? []
    : issuesToDetails(envelope.error.issues, ['id', 'type', 'input'])
        // When the type is known, the input's errors come from its own schema below, in more detail.
        .filter((d) => !(checkInput && (d.path === 'input' || d.path.startsWith('input.'))))
        .map((d) => ({ ...d, code: 'validation_error' }));
  if (checkInput) {
    try {
      prepareItem(engine, type, obj.input, nowMs);
    } catch (err) {
      errors.push(...itemErrorsOf(err, 'input.'));
    }
  }
  if (errors.length > 0 || !type || !id) return { invalid: { index, id, errors: capItemErrors(errors) } };
  return { item: { index, id, type, input: obj.input } };
}

/**
 * Every item through its envelope, its type's schema and its route's plan.
 * The 422 lists at most MAX_LISTED_INVALID_ITEMS items; `invalidCount` counts all.
 */
export function validateBulkItems(engine: SwissEphemeris, rawItems: readonly unknown[], nowMs: number): BulkValidation {
  const items: QueuedItem[] = [];
  const invalid: InvalidItem[] = [];
  let invalidCount = 0;
  rawItems.forEach((raw, index) => {
    const outcome = validateItem(engine, raw, index, nowMs);
    if ('item' in outcome) items.push(outcome.item);
    else if (++invalidCount <= MAX_LISTED_INVALID_ITEMS) invalid.push(outcome.invalid);
  });
  if (invalidCount === 0) return { ok: true, items };
  const details = invalid.flatMap((it) =>
    it.errors.map((e) => ({ path: e.path ? `items.${it.index}.${e.path}` : `items.${it.index}`, message: e.message })),
  );
  return { ok: false, invalidCount, invalid, details };
}

/** The 422 message: the first problem, and how many items are invalid. */
export function bulkValidationMessage(details: ErrorDetail[], invalidCount: number, total: number): string {
  const first = new ValidationError(details).message;
  return `${first}; ${invalidCount} of ${total} items are invalid and nothing was queued`;
}
