/**
 * Creating a job: claim the Idempotency-Key and store the job atomically, split
 * the validated items into chunks, hand them to the dispatcher, then mark the
 * job dispatched. The same key with the same body returns the same job (and
 * finishes queueing it if an earlier attempt stopped half-way); with another
 * body it is a 409.
 */
import type { DispatchTarget, Dispatcher } from './dispatcher';
import { DispatchFailedError, IdempotencyConflictError, JobNotFoundError } from './errors';
import { newJobId } from './job-id';
import type { JobStore } from './job-store';
import { BULK_CHUNK_SIZE, BULK_TTL_SEC } from './policy';
import type { ChunkMessage, JobKind, JobState, QueuedItem } from './types';
import { log } from '../obs/log';
import { recordBulkJob } from '../obs/record';

export interface NewJobRequest {
  items: QueuedItem[];
  callbackUrl: string | null;
  /** Origin for statusUrl/resultsUrl/webhook links, no trailing slash. */
  baseUrl: string;
  /** SHA-256 hex of the canonical request body. */
  bodyHash: string;
  /** SHA-256 hex of the Idempotency-Key header, if one was sent. */
  idempotencyKeyHash: string | null;
  nowMs: number;
  /** `legacy_async` for `POST /async/calculate`; default a bulk job. */
  kind?: JobKind;
  /** The caller's `webhook_secret` (legacy_async), kept until the webhook is queued. */
  callbackSecret?: string | null;
}

export interface JobCreation {
  job: JobState;
  /** true when an earlier request with the same Idempotency-Key created the job. */
  replayed: boolean;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function chunkMessages(jobId: string, items: QueuedItem[], chunkSize = BULK_CHUNK_SIZE, callbackUrl: string | null = null): ChunkMessage[] {
  const messages: ChunkMessage[] = [];
  for (let start = 0; start < items.length; start += chunkSize) {
    // The callback URL travels with each chunk: a delivery that finds the job gone can still tell the caller.
    messages.push({ v: 1, jobId, chunk: messages.length, items: items.slice(start, start + chunkSize), ...(callbackUrl ? { callbackUrl } : {}) });
  }
  return messages;
}

function newJob(request: NewJobRequest, chunks: number): JobState {
  const createdAt = new Date(request.nowMs).toISOString();
  return {
    jobId: newJobId(request.nowMs),
    status: 'queued',
    total: request.items.length,
    chunks,
    chunksDone: 0,
    succeeded: 0,
    failed: 0,
    createdAt,
    updatedAt: createdAt,
    completedAt: null,
    expiresAtSec: Math.floor(request.nowMs / 1000) + BULK_TTL_SEC,
    baseUrl: request.baseUrl,
    callbackUrl: request.callbackUrl,
    bodyHash: request.bodyHash,
    dispatched: false,
    webhookQueuedAt: null,
    ...(request.kind && request.kind !== 'bulk' ? { kind: request.kind } : {}),
    ...(request.callbackSecret ? { callbackSecret: request.callbackSecret } : {}),
  };
}

async function dispatch(deps: { store: JobStore; dispatcher: Dispatcher }, job: JobState, items: QueuedItem[], target: DispatchTarget, resumable: boolean) {
  try {
    await deps.dispatcher.dispatchChunks(chunkMessages(job.jobId, items, BULK_CHUNK_SIZE, job.callbackUrl), target);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    log.error('bulk_dispatch_failed', { jobId: job.jobId, resumable, name: e.name, error: e.message });
    // Without a key nobody can resume it: say so in its status. With one, a retry resumes.
    if (!resumable) recordBulkJob('failed');
    if (!resumable) await deps.store.updateJob(job.jobId, { status: 'failed', updatedAt: new Date().toISOString() }).catch(() => false);
    throw new DispatchFailedError(job.jobId, resumable, { cause: err });
  }
  await deps.store.updateJob(job.jobId, { dispatched: true });
  return { ...job, dispatched: true };
}

export async function createBulkJob(
  deps: { store: JobStore; dispatcher: Dispatcher },
  request: NewJobRequest,
  target: DispatchTarget,
): Promise<JobCreation> {
  const job = newJob(request, Math.ceil(request.items.length / BULK_CHUNK_SIZE));
  const claim = request.idempotencyKeyHash ? { keyHash: request.idempotencyKeyHash, bodyHash: request.bodyHash } : null;
  const created = await deps.store.createJob(job, claim);
  if (created.created) {
    recordBulkJob('created');
    log.info('bulk_job_created', { jobId: job.jobId, total: job.total, chunks: job.chunks, via: deps.dispatcher.kind });
    return { job: await dispatch(deps, job, request.items, target, claim !== null), replayed: false };
  }
  if (created.existingBodyHash !== request.bodyHash) throw new IdempotencyConflictError(created.existingJobId);
  const existing = await deps.store.getJob(created.existingJobId);
  if (!existing) throw new JobNotFoundError('results_expired', `Job ${created.existingJobId} of this Idempotency-Key has expired; use a new key`);
  // Not marked dispatched: an earlier attempt stopped half-way (or is still going); queueing again is safe.
  if (existing.dispatched) return { job: existing, replayed: true };
  log.info('bulk_job_resumed', { jobId: existing.jobId });
  return { job: await dispatch(deps, existing, request.items, target, true), replayed: true };
}
