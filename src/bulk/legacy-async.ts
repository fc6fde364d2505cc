/**
 * The old service's `POST /async/calculate` and `GET /async/job/{id}` as
 * shapes over a bulk job of one `legacy` item (kind `legacy_async`): the
 * request, the 202, and the old-style view of the job, which is both the
 * status body and the webhook body.
 */
import { z } from '@hono/zod-openapi';
import { LegacyRequestSchema } from '../compat/legacy';
import { LEGACY_BATCH_TYPES } from './legacy-batch';
import type { JobState } from './types';

/** The caller's own HMAC key (`webhook_secret`): long enough to be a key, short enough to store. */
export const LEGACY_WEBHOOK_SECRET_MIN_CHARS = 16;
export const LEGACY_WEBHOOK_SECRET_MAX_CHARS = 256;

/** Signed with the caller's `webhook_secret`, beside our X-Astro-Signature (same scheme). */
export const CALLER_SIGNATURE_HEADER = 'X-Webhook-Signature';

export const LegacyAsyncRequestSchema = z
  .looseObject({
    type: z.string().openapi({ description: `One of ${Object.keys(LEGACY_BATCH_TYPES).join(', ')}`, example: 'natal' }),
    data: LegacyRequestSchema.openapi({ description: 'The body of the old route of that type' }),
    ayanamsa: z.enum(['lahiri', 'raman']).optional().openapi({ description: 'Which old routes answer (default lahiri)' }),
    webhook_url: z.string().min(1).max(2048).openapi({ description: 'https URL the result is POSTed to, signed with X-Astro-Signature', example: 'https://example.com/hooks/astro' }),
    webhook_secret: z
      .string()
      .min(LEGACY_WEBHOOK_SECRET_MIN_CHARS)
      .max(LEGACY_WEBHOOK_SECRET_MAX_CHARS)
      .optional()
      .openapi({ description: `Your own HMAC key (${LEGACY_WEBHOOK_SECRET_MIN_CHARS}–${LEGACY_WEBHOOK_SECRET_MAX_CHARS} characters): the webhook also carries ${CALLER_SIGNATURE_HEADER}, the same scheme keyed with it` }),
  })
  .openapi('LegacyAsyncRequest');
export type LegacyAsyncRequest = z.infer<typeof LegacyAsyncRequestSchema>;

export const LegacyAsyncAcceptedSchema = z
  .object({
    job_id: z.string(),
    status: z.literal('queued'),
    webhook_url: z.string(),
    estimated_time: z.string().openapi({ example: 'a few seconds' }),
    check_status: z.string().openapi({ description: 'URL of GET /async/job/{id}' }),
  })
  .openapi('LegacyAsyncAccepted');

const LegacyItemErrorSchema = z.object({ message: z.string(), type: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })).optional() });

export const LegacyJobViewSchema = z
  .object({
    job_id: z.string(),
    status: z.enum(['queued', 'processing', 'completed', 'failed']),
    type: z.string().nullable().openapi({ description: 'The item type; null until it is computed' }),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).optional().openapi({ description: 'When completed: what the old route of that type answers' }),
    error: LegacyItemErrorSchema.optional().openapi({ description: 'When failed: why (`type` is a stable code)' }),
  })
  .openapi('LegacyJobView');
export type LegacyJobView = z.infer<typeof LegacyJobViewSchema>;

/** What a stored result text of a legacy item holds (see StoredResult). */
interface StoredLegacyResult {
  id: string;
  status: 'succeeded' | 'failed';
  result?: Record<string, unknown>;
  error?: { code: string; message: string; details?: { path: string; message: string }[] };
}

/**
 * The job in the old shape. `queued` → queued, `running` → processing (the one
 * item is being computed), `completed` → completed with `result`,
 * `completed_with_errors` (its item failed) and `failed` (not queued) → failed
 * with `error`. `resultText` is the stored result of item 0 (its `id` is the type).
 */
export function legacyJobView(job: JobState, resultText: string | null): LegacyJobView {
  const stored = resultText ? (JSON.parse(resultText) as StoredLegacyResult) : null;
  const base = { job_id: job.jobId, type: stored?.id ?? null, created_at: job.createdAt, updated_at: job.updatedAt, completed_at: job.completedAt };
  switch (job.status) {
    case 'queued':
      return { ...base, status: 'queued' };
    case 'running':
      return { ...base, status: 'processing' };
    case 'failed':
      return { ...base, status: 'failed', error: { message: 'The job could not be queued; send the request again', type: 'dispatch_failed' } };
    case 'completed':
    case 'completed_with_errors':
      if (stored?.status === 'succeeded' && stored.result) return { ...base, status: 'completed', result: stored.result };
      if (stored?.error) return { ...base, status: 'failed', error: { message: stored.error.message, type: stored.error.code, ...(stored.error.details ? { details: stored.error.details } : {}) } };
      return { ...base, status: 'failed', error: { message: 'The result is no longer stored', type: 'result_missing' } };
  }
}

/** The old-style body of a `job_lost` webhook. */
export function legacyLostView(jobId: string, createdAtIso: string, nowIso: string, message: string): LegacyJobView {
  return { job_id: jobId, status: 'failed', type: null, created_at: createdAtIso, updated_at: nowIso, completed_at: null, error: { message, type: 'job_lost' } };
}
