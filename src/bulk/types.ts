/** The data of bulk jobs, shared by the store, the dispatchers and the routes. */

export const BULK_ITEM_TYPES = ['natal', 'divisional', 'transits', 'panchang', 'panchang_calendar'] as const;
export type BulkItemType = (typeof BULK_ITEM_TYPES)[number];

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
}

/** One validated item as it travels in a chunk: the caller's raw `input`, re-validated when computed. */
export interface QueuedItem {
  /** Position in the request's `items`, from 0. */
  index: number;
  /** The caller's reference, echoed in the results. */
  id: string;
  type: BulkItemType;
  input: unknown;
}

/** The body of a chunk delivery (`POST /internal/bulk/chunk`), version 1. */
export interface ChunkMessage {
  v: 1;
  jobId: string;
  /** Chunk number, from 0. */
  chunk: number;
  items: QueuedItem[];
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
