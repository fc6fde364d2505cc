/**
 * One chunk's work, the same whether QStash delivered it or the inline
 * dispatcher ran it: compute each item, store each result (overwrites:
 * idempotent), then record the chunk atomically (counted once, whatever the
 * number of deliveries). The recording that finishes the job is reported once
 * and sends the webhook; a delivery that finds the job finished but its
 * webhook not yet handed over (the earlier attempt failed) sends it again.
 */
import type { SwissEphemeris } from '../engine/swisseph';
import type { Dispatcher } from './dispatcher';
import { computeItem } from './items';
import type { JobStore } from './job-store';
import { signWebhook } from './webhook-signature';
import { isFinished, type ChunkMessage, type ChunkRecordOutcome, type JobState } from './types';
import { log } from '../obs/log';
import { recordBulkItems, recordBulkJob } from '../obs/record';

export interface ChunkDeps {
  engine: SwissEphemeris;
  store: JobStore;
  dispatcher: Dispatcher;
  /** WEBHOOK_SECRET; null when not configured (jobs with a callbackUrl are then refused at creation). */
  webhookSecret: string | null;
  /** Milliseconds clock. */
  now?: () => number;
}

export const resultsUrlOf = (job: Pick<JobState, 'baseUrl' | 'jobId'>) => `${job.baseUrl}/v1/bulk/${job.jobId}/results`;
export const statusUrlOf = (job: Pick<JobState, 'baseUrl' | 'jobId'>) => `${job.baseUrl}/v1/bulk/${job.jobId}`;

/** The webhook body: what a receiver needs to decide whether to fetch the results. */
export function webhookBody(job: JobState): string {
  const { jobId, status, total, succeeded, failed } = job;
  return JSON.stringify({ jobId, status, total, succeeded, failed, resultsUrl: resultsUrlOf(job) });
}

function needsWebhook(job: JobState): boolean {
  return isFinished(job.status) && job.callbackUrl !== null && job.webhookQueuedAt === null;
}

async function sendWebhook(deps: ChunkDeps, job: JobState, nowMs: number): Promise<void> {
  if (!deps.webhookSecret || !job.callbackUrl) {
    log.error('bulk_webhook_unsigned_skipped', { jobId: job.jobId });
    return;
  }
  const body = webhookBody(job);
  const signature = await signWebhook(deps.webhookSecret, body, nowMs / 1000);
  await deps.dispatcher.deliverWebhook({ jobId: job.jobId, callbackUrl: job.callbackUrl, body, signature });
  await deps.store.updateJob(job.jobId, { webhookQueuedAt: new Date(nowMs).toISOString() });
  log.info('bulk_webhook_sent', { jobId: job.jobId, via: deps.dispatcher.kind });
}

/** Items and the job's end are counted only by the delivery that recorded the chunk: redeliveries change nothing. */
function countChunk(record: { job: JobState | null; outcome: ChunkRecordOutcome }, counts: { succeeded: number; failed: number }): void {
  if (record.outcome !== 'recorded' && record.outcome !== 'completed') return;
  recordBulkItems('succeeded', counts.succeeded);
  recordBulkItems('failed', counts.failed);
  const job = record.job;
  if (record.outcome !== 'completed' || !job) return;
  if (job.status === 'completed' || job.status === 'completed_with_errors' || job.status === 'failed') recordBulkJob(job.status);
  const { jobId, status, total, succeeded, failed } = job;
  log.info('bulk_job_completed', { jobId, status, total, succeeded, failed });
}

/**
 * A chunk that will never be processed (QStash gave up on it, or its inline
 * attempts ran out): recorded once with each of its items failed as
 * `chunk_failed`, written in the same atomic step and only if the chunk was
 * not recorded before, so results a delivery did record are never overwritten.
 */
export async function abandonChunk(deps: ChunkDeps, message: ChunkMessage, reason: string): Promise<ChunkRecordOutcome> {
  const now = deps.now ?? Date.now;
  const error = { code: 'chunk_failed', message: `Not computed: ${reason}` };
  const failures = message.items.map(({ index, id }) => ({ index, status: 'failed' as const, text: JSON.stringify({ id, index, status: 'failed', error }) }));
  const counts = { succeeded: 0, failed: failures.length };
  const record = await deps.store.recordChunk(message.jobId, message.chunk, counts, new Date(now()).toISOString(), failures);
  log.warn('bulk_chunk_abandoned', { jobId: message.jobId, chunk: message.chunk, outcome: record.outcome, reason });
  countChunk(record, counts);
  if (record.job && needsWebhook(record.job)) await sendWebhook(deps, record.job, now());
  return record.outcome;
}

export async function processChunk(deps: ChunkDeps, message: ChunkMessage): Promise<ChunkRecordOutcome> {
  const now = deps.now ?? Date.now;
  const job = await deps.store.getJob(message.jobId);
  if (!job) {
    log.warn('bulk_chunk_for_unknown_job', { jobId: message.jobId, chunk: message.chunk });
    return 'unknown_job';
  }
  const createdAtMs = Date.parse(job.createdAt);
  const results = message.items.map((item) => computeItem(deps.engine, item, createdAtMs, job.jobId));
  const stored = await deps.store.putResults(job, results);
  const failed = stored.filter((r) => r.status === 'failed').length;
  const counts = { succeeded: stored.length - failed, failed };
  const record = await deps.store.recordChunk(job.jobId, message.chunk, counts, new Date(now()).toISOString());
  countChunk(record, counts);
  if (record.job && needsWebhook(record.job)) await sendWebhook(deps, record.job, now());
  return record.outcome;
}
