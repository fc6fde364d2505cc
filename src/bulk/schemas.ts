/**
 * Schemas of the bulk API (validation and the OpenAPI document) and of the
 * internal chunk message. Item inputs are not repeated here: each is checked
 * against its sync route's own schema (items.ts).
 */
import { z } from '@hono/zod-openapi';
import { ChartRequestSchema } from '../http/schemas';
import { DivisionalManyRequestSchema } from '../routes/divisional';
import { TransitRequestSchema } from '../routes/transits';
import { DashaBulkRequestSchema } from '../http/dasha-schemas';
import { CalendarRequestSchema, PanchangRequestSchema } from '../routes/panchang-schemas';
import { BULK_CHUNK_SIZE, BULK_MAX_ITEMS, RESULTS_PAGE_MAX_LIMIT } from './policy';
import { BULK_ITEM_TYPES, JOB_STATUSES, QUEUED_ITEM_TYPES } from './types';

const itemId = z.string().min(1).max(128).openapi({ description: "The caller's reference, echoed in the results", example: 'client-ref-1' });

/** One item as documented; validation goes item by item (validate.ts) so that every bad item is reported at once. */
export const BulkItemSchema = z
  .discriminatedUnion('type', [
    z.object({ id: itemId, type: z.literal('natal'), input: ChartRequestSchema }),
    z.object({ id: itemId, type: z.literal('divisional'), input: DivisionalManyRequestSchema }),
    z.object({ id: itemId, type: z.literal('transits'), input: TransitRequestSchema }),
    z.object({ id: itemId, type: z.literal('dashas'), input: DashaBulkRequestSchema }),
    z.object({ id: itemId, type: z.literal('panchang'), input: PanchangRequestSchema }),
    z.object({ id: itemId, type: z.literal('panchang_calendar'), input: CalendarRequestSchema }),
  ])
  .openapi('BulkItem', { description: 'input is the body of the sync route of that type; for transits, `at` is required (a queued job has no single "now"); for dashas, `system` names the `{system}` of the sync route' });

export const BulkRequestSchema = z
  .strictObject({
    items: z
      .array(z.unknown())
      .min(1)
      .max(BULK_MAX_ITEMS)
      .openapi({ description: `1 to ${BULK_MAX_ITEMS} BulkItem objects { id, type, input }; input is the body of the sync route`, items: { $ref: '#/components/schemas/BulkItem' } }),
    callbackUrl: z.string().min(1).max(2048).optional().openapi({
      description: 'https URL to POST { jobId, status, total, succeeded, failed, resultsUrl } to on completion, signed with X-Astro-Signature',
      example: 'https://example.com/hooks/astro',
    }),
  })
  .openapi('BulkRequest');

const status = z.enum(JOB_STATUSES);

export const BulkAcceptedSchema = z
  .object({ jobId: z.string(), status, total: z.number().int(), statusUrl: z.string(), resultsUrl: z.string() })
  .openapi('BulkAccepted');

export const BulkStatusSchema = z
  .object({
    jobId: z.string(),
    status,
    total: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
    resultsUrl: z.string(),
  })
  .openapi('BulkStatus');

const ItemErrorSchema = z.object({ path: z.string(), message: z.string(), code: z.string() });

export const BulkResultsSchema = z
  .object({
    jobId: z.string(),
    items: z.array(
      z.object({
        id: z.string().nullable(),
        index: z.number().int(),
        status: z.enum(['succeeded', 'failed']),
        result: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The sync route’s response body' }),
        error: z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })).optional() }).optional(),
      }),
    ),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null when every item was returned' }),
  })
  .openapi('BulkResults');

export const BulkValidationErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })).optional(), requestId: z.string() }),
    items: z.array(z.object({ index: z.number().int(), id: z.string().nullable(), errors: z.array(ItemErrorSchema) })).optional(),
    invalidItems: z.number().int().optional().openapi({ description: 'How many items are invalid (the list stops at 100)' }),
  })
  .openapi('BulkValidationError');

export const JobIdParamSchema = z.object({ jobId: z.string().max(64).openapi({ param: { name: 'jobId', in: 'path' } }) });

export const ResultsQuerySchema = z.strictObject({
  cursor: z.string().regex(/^\d{1,6}$/, 'expected the nextCursor of a previous page').optional().openapi({ param: { name: 'cursor', in: 'query' } }),
  limit: z
    .string()
    .regex(/^\d{1,5}$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(1).max(RESULTS_PAGE_MAX_LIMIT))
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, type: 'integer', description: `1–${RESULTS_PAGE_MAX_LIMIT}, default 100` }),
});

export const IdempotencyHeaderSchema = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().openapi({
    description: 'Idempotency-Key (headers are case-insensitive): same key and same body → the same job; same key, other body → 409',
  }),
});

/** The body QStash delivers to `POST /internal/bulk/chunk` (checked after its signature). */
export const ChunkMessageSchema = z.strictObject({
  v: z.literal(1),
  jobId: z.string().min(1).max(64),
  chunk: z.number().int().min(0),
  items: z
    .array(z.strictObject({ index: z.number().int().min(0), id: z.string().min(1).max(128), type: z.enum(QUEUED_ITEM_TYPES), input: z.unknown() }))
    .min(1)
    .max(BULK_CHUNK_SIZE),
  callbackUrl: z.string().min(1).max(2048).optional(),
});

/** The part of QStash's failure-callback body we use (it carries more: header, body, dlqId…). */
/** What `atob` decodes without throwing (it throws on anything else, which would surface as a 500). */
function isBase64(text: string): boolean {
  try {
    atob(text);
    return true;
  } catch {
    return false;
  }
}

export const FailureCallbackSchema = z.object({
  /** The original message body, base64. */
  sourceBody: z.string().max(2 * 1024 * 1024).refine(isBase64, 'expected base64'),
  /** Last HTTP status from the destination; 0 or absent when there was no response. */
  status: z.number().int().optional(),
  retried: z.number().int().min(0).optional(),
  error: z.string().max(64 * 1024).optional(),
});
