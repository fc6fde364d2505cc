/**
 * The job store without Redis (`npm start`, tests): one isolate's memory.
 * Atomic by construction: each operation runs to completion without awaiting,
 * so two deliveries of one chunk can never interleave inside recordChunk.
 * Bounded by `maxBytes` of results: older jobs are dropped first, and a result
 * that still does not fit is stored as a short failure saying so (never lost
 * silently; those few hundred bytes may pass the cap).
 */
import { utf8Length } from '../cache/memory-lru';
import { MEMORY_STORE_MAX_BYTES } from './policy';
import { finalStatus, type CreateJobResult, type IdempotencyClaim, type JobStore, type JobUpdate } from './job-store';
import type { ChunkRecord, JobState, StoredResult } from './types';
import { log } from '../obs/log';

interface MemoryJob {
  state: JobState;
  chunksSeen: Set<number>;
  results: Map<number, StoredResult>;
  bytes: number;
}

export interface MemoryJobStoreOptions {
  maxBytes?: number;
  /** Milliseconds clock for expiry. */
  now?: () => number;
}

export class MemoryJobStore implements JobStore {
  readonly kind = 'memory';
  readonly maxBytes: number;
  private readonly now: () => number;
  /** Insertion order is creation order: the first job is the oldest. */
  private readonly jobs = new Map<string, MemoryJob>();
  private readonly claims = new Map<string, { jobId: string; bodyHash: string; expiresAtSec: number }>();
  private totalBytes = 0;
  /** Lost jobs already told (their `job_lost` webhook), with the job's expiry, Unix s. */
  private readonly lostNotices = new Map<string, number>();

  constructor(options: MemoryJobStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? MEMORY_STORE_MAX_BYTES;
    this.now = options.now ?? Date.now;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  async createJob(job: JobState, idempotency: IdempotencyClaim | null): Promise<CreateJobResult> {
    this.purgeExpired();
    if (idempotency) {
      const claim = this.claims.get(idempotency.keyHash);
      if (claim) return { created: false, existingJobId: claim.jobId, existingBodyHash: claim.bodyHash };
      this.claims.set(idempotency.keyHash, { jobId: job.jobId, bodyHash: idempotency.bodyHash, expiresAtSec: job.expiresAtSec });
    }
    this.jobs.set(job.jobId, { state: { ...job }, chunksSeen: new Set(), results: new Map(), bytes: 0 });
    return { created: true };
  }

  async getJob(jobId: string): Promise<JobState | null> {
    const job = this.live(jobId);
    return job ? { ...job.state } : null;
  }

  async updateJob(jobId: string, update: JobUpdate): Promise<boolean> {
    const job = this.live(jobId);
    if (!job) return false;
    Object.assign(job.state, update);
    return true;
  }

  async putResults(state: JobState, results: StoredResult[]): Promise<StoredResult[]> {
    const job = this.live(state.jobId);
    if (!job) return results; // expired meanwhile: nothing to keep them for
    return this.storeResults(job, results);
  }

  /** Synchronous, so recordChunk can write results inside its atomic step. */
  private storeResults(job: MemoryJob, results: StoredResult[]): StoredResult[] {
    return results.map((result) => {
      const previous = job.results.get(result.index);
      if (previous) this.account(job, -utf8Length(previous.text));
      job.results.delete(result.index);
      const bytes = utf8Length(result.text);
      if (this.totalBytes + bytes > this.maxBytes) this.evictOthers(job, bytes);
      const kept = this.totalBytes + bytes > this.maxBytes ? this.notStored(result) : result;
      job.results.set(kept.index, kept);
      this.account(job, utf8Length(kept.text));
      return kept;
    });
  }

  async recordChunk(
    jobId: string,
    chunk: number,
    counts: { succeeded: number; failed: number },
    nowIso: string,
    resultsIfNew: StoredResult[] = [],
  ): Promise<ChunkRecord> {
    const job = this.live(jobId);
    if (!job) return { outcome: 'unknown_job', job: null };
    const state = job.state;
    if (job.chunksSeen.has(chunk)) return { outcome: 'duplicate', job: { ...state } };
    job.chunksSeen.add(chunk);
    this.storeResults(job, resultsIfNew);
    state.succeeded += counts.succeeded;
    state.failed += counts.failed;
    state.chunksDone += 1;
    state.updatedAt = nowIso;
    if (state.status === 'queued') state.status = 'running';
    if (state.chunksDone !== state.chunks) return { outcome: 'recorded', job: { ...state } };
    state.status = finalStatus(state.failed);
    state.completedAt = nowIso;
    return { outcome: 'completed', job: { ...state } };
  }

  async readResults(jobId: string, fromIndex: number, count: number): Promise<(string | null)[]> {
    const job = this.live(jobId);
    return Array.from({ length: count }, (_, i) => job?.results.get(fromIndex + i)?.text ?? null);
  }

  /** The job if it exists and has not expired (an expired one is dropped on the way). */
  async claimLostNotice(jobId: string, expiresAtSec: number): Promise<boolean> {
    const until = this.lostNotices.get(jobId);
    if (until !== undefined && until > this.now() / 1000) return false;
    this.lostNotices.set(jobId, expiresAtSec);
    return true;
  }

  async releaseLostNotice(jobId: string): Promise<void> {
    this.lostNotices.delete(jobId);
  }

  private live(jobId: string): MemoryJob | undefined {
    const job = this.jobs.get(jobId);
    if (job && job.state.expiresAtSec * 1000 <= this.now()) {
      this.drop(jobId);
      return undefined;
    }
    return job;
  }

  private purgeExpired(): void {
    const nowSec = this.now() / 1000;
    for (const [jobId, job] of this.jobs) if (job.state.expiresAtSec <= nowSec) this.drop(jobId);
    for (const [key, claim] of this.claims) if (claim.expiresAtSec <= nowSec) this.claims.delete(key);
    for (const [jobId, until] of this.lostNotices) if (until <= nowSec) this.lostNotices.delete(jobId);
  }

  private drop(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.totalBytes -= job.bytes;
    this.jobs.delete(jobId);
  }

  /** Drops other jobs, oldest first, until `bytes` more would fit. */
  private evictOthers(keep: MemoryJob, bytes: number): void {
    for (const [jobId, job] of this.jobs) {
      if (this.totalBytes + bytes <= this.maxBytes) return;
      if (job !== keep) {
        log.warn('bulk_memory_store_evicted_job', { jobId, bytes: job.bytes });
        this.drop(jobId);
      }
    }
  }

  private account(job: MemoryJob, bytes: number): void {
    job.bytes += bytes;
    this.totalBytes += bytes;
  }

  private notStored(result: StoredResult): StoredResult {
    const { id } = JSON.parse(result.text) as { id: string };
    const error = {
      code: 'result_not_stored',
      message: `The in-memory job store is full (${this.maxBytes} bytes); configure Upstash Redis for jobs this large`,
    };
    return { index: result.index, status: 'failed', text: JSON.stringify({ id, index: result.index, status: 'failed', error }) };
  }
}
