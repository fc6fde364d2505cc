/**
 * One chunk's work, the same whether QStash delivered it or the inline
 * dispatcher ran it: compute each item, store each result (overwrites:
 * idempotent), then record the chunk atomically (counted once, whatever the
 * number of deliveries). The recording that finishes the job is reported once
 * and sends the webhook; a delivery that finds the job finished but its
 * webhook not yet handed over (the earlier attempt failed) sends it again.
 * A delivery that finds the job gone tells the caller (`job_lost`, webhooks.ts).
 */
import type { SwissEphemeris } from '../engine/swisseph';
import type { Dispatcher } from './dispatcher';
import { computeItem } from './items';
import type { JobStore } from './job-store';
import { sendWebhook, tellJobLost } from './webhooks';
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
  /** Origin of this Worker's internal routes (QStash's failure callback for webhooks); none → no callback. */
  baseUrl?: string;
}

export const statusUrlOf = (job: Pick<JobState, 'baseUrl' | 'jobId'>) => `${job.baseUrl}/v1/bulk/${job.jobId}`;

function needsWebhook(job: JobState): boolean {
  return isFinished(job.status) && job.callbackUrl !== null && job.webhookQueuedAt === null;
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
  if (record.outcome === 'unknown_job') await tellJobLost(deps, message, now());
  countChunk(record, counts);
  if (record.job && needsWebhook(record.job)) await sendWebhook(deps, record.job, now());
  return record.outcome;
}

export async function processChunk(deps: ChunkDeps, message: ChunkMessage): Promise<ChunkRecordOutcome> {
  const now = deps.now ?? Date.now;
  const job = await deps.store.getJob(message.jobId);
  if (!job) {
    log.warn('bulk_chunk_for_unknown_job', { jobId: message.jobId, chunk: message.chunk });
    await tellJobLost(deps, message, now());
    return 'unknown_job';
  }
  const createdAtMs = Date.parse(job.createdAt);
  const results = message.items.map((item) => computeItem(deps.engine, item, createdAtMs, job.jobId));
  const stored = await deps.store.putResults(job, results);
  const failed = stored.filter((r) => r.status === 'failed').length;
  const counts = { succeeded: stored.length - failed, failed };
  const record = await deps.store.recordChunk(job.jobId, message.chunk, counts, new Date(now()).toISOString());
  // Gone between the read and the recording: its results were written for nothing.
  if (record.outcome === 'unknown_job') await tellJobLost(deps, message, now());
  countChunk(record, counts);
  if (record.job && needsWebhook(record.job)) await sendWebhook(deps, record.job, now());
  return record.outcome;
}
