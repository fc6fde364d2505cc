/**
 * Where job state and results live: Redis (redis-job-store.ts) when Upstash is
 * configured, else one isolate's memory (memory-job-store.ts). Both implement
 * the same atomic chunk recording; README.md has the Redis key layout.
 */
import { BulkStoreError } from './errors';
import { JOB_STATUSES, type ChunkRecord, type JobState, type JobStatus, type StoredResult } from './types';

export interface IdempotencyClaim {
  /** SHA-256 hex of the Idempotency-Key header. */
  keyHash: string;
  bodyHash: string;
}

export type CreateJobResult = { created: true } | { created: false; existingJobId: string; existingBodyHash: string };

export type JobUpdate = Partial<Pick<JobState, 'status' | 'dispatched' | 'webhookQueuedAt' | 'completedAt' | 'updatedAt' | 'callbackSecret'>>;

export interface JobStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Stores a new job. With `idempotency`, atomically: only when the key is
   * unclaimed, else nothing is written and the job that claimed it is named.
   */
  createJob(job: JobState, idempotency: IdempotencyClaim | null): Promise<CreateJobResult>;
  getJob(jobId: string): Promise<JobState | null>;
  /** Sets fields of an existing job; false (and nothing written) when the job does not exist. */
  updateJob(jobId: string, update: JobUpdate): Promise<boolean>;
  /**
   * Stores item results under the job (a plain overwrite per index: writing
   * the same chunk twice changes nothing). Returns what was stored: the memory
   * store replaces a result it has no room for by a failure saying so.
   */
  putResults(job: JobState, results: StoredResult[]): Promise<StoredResult[]>;
  /**
   * Atomically: if `chunk` is not yet in the job's set of recorded chunks, adds
   * it, adds the counts, moves `queued` to `running`, and when it was the last
   * chunk sets the final status and reports `completed` (once per job).
   * A chunk seen before changes nothing (`duplicate`). `resultsIfNew` are
   * written in the same atomic step, only when the chunk is new (an abandoned
   * chunk's failures must never overwrite results a delivery did record).
   */
  recordChunk(
    jobId: string,
    chunk: number,
    counts: { succeeded: number; failed: number },
    nowIso: string,
    resultsIfNew?: StoredResult[],
  ): Promise<ChunkRecord>;
  /** Stored result texts for indexes [fromIndex, fromIndex + count), null where none is stored. */
  readResults(jobId: string, fromIndex: number, count: number): Promise<(string | null)[]>;
  /**
   * Claims the telling of a lost job (its `job_lost` webhook), atomically:
   * true for the first caller only, until `expiresAtSec` (the job's own expiry).
   * Stored apart from the job, which is gone.
   */
  claimLostNotice(jobId: string, expiresAtSec: number): Promise<boolean>;
  /** Gives the claim back (the webhook could not be queued: a redelivery will try again). */
  releaseLostNotice(jobId: string): Promise<void>;
}

/** The final status once every chunk is recorded. */
export function finalStatus(failed: number): JobStatus {
  return failed > 0 ? 'completed_with_errors' : 'completed';
}

/** A job as flat string fields (a Redis hash); null becomes ''. */
export function jobToFields(job: JobState | JobUpdate): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(job)) {
    if (name === 'jobId' || value === undefined) continue;
    fields[name] = value === null ? '' : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  }
  return fields;
}

const NUMBER_FIELDS = ['total', 'chunks', 'chunksDone', 'succeeded', 'failed', 'expiresAtSec'] as const;

/** Reads a job back from its fields; null for an empty record (no such key); BulkStoreError if malformed. */
export function jobFromFields(jobId: string, fields: Record<string, string>): JobState | null {
  if (Object.keys(fields).length === 0) return null;
  const numbers = {} as Record<(typeof NUMBER_FIELDS)[number], number>;
  for (const name of NUMBER_FIELDS) {
    const n = Number(fields[name]);
    if (fields[name] === undefined || !Number.isSafeInteger(n)) throw new BulkStoreError(`job ${jobId}: field ${name} is '${fields[name]}'`);
    numbers[name] = n;
  }
  const status = fields.status as JobStatus;
  if (!JOB_STATUSES.includes(status)) throw new BulkStoreError(`job ${jobId}: unknown status '${fields.status}'`);
  return {
    jobId,
    status,
    ...numbers,
    createdAt: fields.createdAt ?? '',
    updatedAt: fields.updatedAt ?? '',
    completedAt: fields.completedAt || null,
    baseUrl: fields.baseUrl ?? '',
    callbackUrl: fields.callbackUrl || null,
    bodyHash: fields.bodyHash ?? '',
    dispatched: fields.dispatched === '1',
    webhookQueuedAt: fields.webhookQueuedAt || null,
    // Absent in jobs stored before these fields existed: a plain bulk job.
    ...(fields.kind === 'legacy_async' ? { kind: 'legacy_async' as const } : {}),
    ...(fields.callbackSecret ? { callbackSecret: fields.callbackSecret } : {}),
  };
}

/** HGETALL as the client returns it without deserialization (a flat array), or as an object. */
export function fieldsFromReply(reply: unknown): Record<string, string> {
  if (reply === null || reply === undefined) return {};
  if (Array.isArray(reply)) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return fields;
  }
  if (typeof reply === 'object') return Object.fromEntries(Object.entries(reply).map(([k, v]) => [k, String(v)]));
  throw new BulkStoreError(`unexpected hash reply of type ${typeof reply}`);
}
