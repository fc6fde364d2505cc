/** The data of bulk jobs, shared by the store, the dispatchers and the routes. */

export const BULK_ITEM_TYPES = ['natal', 'divisional', 'transits', 'dashas', 'panchang', 'panchang_calendar'] as const;
export type BulkItemType = (typeof BULK_ITEM_TYPES)[number];
/**
 * What a chunk can carry: the public types, and `legacy` (an old-style
 * `{ type, data, ayanamsa? }` item of `POST /async/calculate`, answered with
 * the old route's envelope; never accepted by `POST /v1/bulk`).
 */
export const QUEUED_ITEM_TYPES = [...BULK_ITEM_TYPES, 'legacy'] as const;
export type QueuedItemType = (typeof QUEUED_ITEM_TYPES)[number];

export const JOB_STATUSES = ['queued', 'running', 'completed', 'completed_with_errors', 'failed'] as const;
/**
 * `queued`: created, no chunk recorded yet; `running`: at least one chunk
 * recorded; `completed` / `completed_with_errors`: every chunk recorded, with no
 * or some failed items; `failed`: its chunks could not be queued.
 */
export type JobStatus = (typeof JOB_STATUSES)[number];

export function isFinished(status: JobStatus): boolean {
  return status === 'completed' || status === 'completed_with_errors';
}

export interface JobState {
  jobId: string;
  status: JobStatus;
  /** Items in the job. */
  total: number;
  /** Chunks the items were split into, and how many have been recorded. */
  chunks: number;
  chunksDone: number;
  succeeded: number;
  failed: number;
  /** ISO 8601 instants (UTC, milliseconds). */
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** Unix seconds at which every key of the job expires (createdAt + BULK_TTL_SEC). */
  expiresAtSec: number;
  /** Origin the job's URLs are built from (PUBLIC_BASE_URL or the request's origin), no trailing slash. */
  baseUrl: string;
  callbackUrl: string | null;
  /** SHA-256 hex of the canonical JSON of the request body (idempotency check). */
  bodyHash: string;
  /** Every chunk was accepted by the dispatcher. */
  dispatched: boolean;
  /** When the completion webhook was handed to QStash (or delivered, inline); null before. */
  webhookQueuedAt: string | null;
  /**
   * `legacy_async`: created by `POST /async/calculate` (one `legacy` item; its
   * webhook and status are in the old service's shape). Absent: a `POST /v1/bulk` job.
   */
  kind?: JobKind;
  /** The caller's `webhook_secret` (legacy_async only): the key of the extra X-Webhook-Signature. */
  callbackSecret?: string | null;
}

export type JobKind = 'bulk' | 'legacy_async';

/** One validated item as it travels in a chunk: the caller's raw `input`, re-validated when computed. */
export interface QueuedItem {
  /** Position in the request's `items`, from 0. */
  index: number;
  /** The caller's reference, echoed in the results. */
  id: string;
  type: QueuedItemType;
  input: unknown;
}

/** The body of a chunk delivery (`POST /internal/bulk/chunk`), version 1. */
export interface ChunkMessage {
  v: 1;
  jobId: string;
  /** Chunk number, from 0. */
  chunk: number;
  items: QueuedItem[];
  /**
   * The job's callbackUrl, so that a delivery that finds the job gone from the
   * store can still tell the caller (the `job_lost` webhook). Absent: no
   * callback (or a message published before this field existed).
   */
  callbackUrl?: string;
}

/**
 * One item's outcome as stored: `text` is the JSON of
 * `{ id, index, status: "succeeded", result }` or `{ id, index, status: "failed", error }`.
 */
export interface StoredResult {
  index: number;
  status: 'succeeded' | 'failed';
  text: string;
}

/**
 * What recording a chunk did: `recorded` (counted), `completed` (counted, and
 * it was the last chunk: reported once per job), `duplicate` (already counted
 * before: nothing changed), `unknown_job` (no such job, e.g. expired).
 */
export type ChunkRecordOutcome = 'recorded' | 'completed' | 'duplicate' | 'unknown_job';

export interface ChunkRecord {
  outcome: ChunkRecordOutcome;
  /** The job after recording; null for `unknown_job`. */
  job: JobState | null;
}
