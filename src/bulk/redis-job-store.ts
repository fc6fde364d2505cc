/**
 * The job store on Upstash Redis (REST), configured like the cache's Redis tier
 * (src/cache/redis-tier.ts): no retries (QStash retries the whole chunk), no
 * auto-pipelining, no automatic deserialization, an abort signal per call. Key
 * layout in README.md; every key expires with the job (EXPIREAT / EXAT).
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { createUpstashRedis, redisErrorText } from '../platform/upstash-redis';
import { BulkConfigError, BulkStoreError } from './errors';
import { fieldsFromReply, jobFromFields, jobToFields, type CreateJobResult, type IdempotencyClaim, type JobStore, type JobUpdate } from './job-store';
import { BULK_REDIS_TIMEOUT_MS, REDIS_PIPELINE_MAX_BYTES } from './policy';
import { CREATE_JOB_LUA, RECORD_CHUNK_LUA, UPDATE_JOB_LUA } from './redis-scripts';
import type { ChunkRecord, ChunkRecordOutcome, JobState, StoredResult } from './types';
import { log } from '../obs/log';

/** Version prefix of every bulk key: bump it when the stored shapes change. */
export const BULK_KEY_PREFIX = 'ae:bulk:v1';

export const bulkKeys = {
  job: (jobId: string) => `${BULK_KEY_PREFIX}:job:${jobId}`,
  chunks: (jobId: string) => `${BULK_KEY_PREFIX}:job:${jobId}:chunks`,
  result: (jobId: string, index: number) => `${BULK_KEY_PREFIX}:job:${jobId}:r:${index}`,
  idempotency: (keyHash: string) => `${BULK_KEY_PREFIX}:idem:${keyHash}`,
  lostNotice: (jobId: string) => `${BULK_KEY_PREFIX}:lost:${jobId}`,
};

export interface RedisJobStoreOptions {
  url: string;
  token: string;
  timeoutMs?: number;
}

const OUTCOMES: readonly ChunkRecordOutcome[] = ['recorded', 'completed', 'duplicate', 'unknown_job'];

export class RedisJobStore implements JobStore {
  readonly kind = 'redis';
  private readonly client: Redis;

  constructor(options: RedisJobStoreOptions) {
    const timeoutMs = options.timeoutMs ?? BULK_REDIS_TIMEOUT_MS;
    try {
      this.client = createUpstashRedis({ url: options.url, token: options.token, timeoutMs: timeoutMs });
    } catch (err) {
      throw new BulkConfigError({ variable: 'UPSTASH_REDIS_REST_URL', message: `UPSTASH_REDIS_REST_URL is not usable for bulk jobs: ${redisErrorText(err)}` }, { cause: err });
    }
  }

  async createJob(job: JobState, idempotency: IdempotencyClaim | null): Promise<CreateJobResult> {
    const keys = [bulkKeys.job(job.jobId), ...(idempotency ? [bulkKeys.idempotency(idempotency.keyHash)] : [])];
    const claim = idempotency ? `${job.jobId} ${idempotency.bodyHash}` : '';
    const args = [String(job.expiresAtSec), claim, ...Object.entries(jobToFields(job)).flat()];
    const existing = await this.call('create job', () => this.client.eval<string[], string | null>(CREATE_JOB_LUA, keys, args));
    if (existing === null || existing === undefined) return { created: true };
    const [existingJobId, existingBodyHash] = String(existing).split(' ');
    return { created: false, existingJobId, existingBodyHash: existingBodyHash ?? '' };
  }

  async getJob(jobId: string): Promise<JobState | null> {
    const reply = await this.call('read job', () => this.client.hgetall(bulkKeys.job(jobId)));
    return jobFromFields(jobId, fieldsFromReply(reply));
  }

  async updateJob(jobId: string, update: JobUpdate): Promise<boolean> {
    const args = Object.entries(jobToFields(update)).flat();
    if (args.length === 0) return true;
    const done = await this.call('update job', () => this.client.eval<string[], number>(UPDATE_JOB_LUA, [bulkKeys.job(jobId)], args));
    return Number(done) === 1;
  }

  async putResults(job: JobState, results: StoredResult[]): Promise<StoredResult[]> {
    // One pipeline (one HTTP request) per REDIS_PIPELINE_MAX_BYTES of payload.
    let batch: StoredResult[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const pipe = this.client.pipeline();
      for (const r of batch) pipe.set(bulkKeys.result(job.jobId, r.index), r.text, { exat: job.expiresAtSec });
      batch = [];
      bytes = 0;
      await this.call('store results', () => pipe.exec());
    };
    for (const result of results) {
      if (bytes > 0 && bytes + result.text.length > REDIS_PIPELINE_MAX_BYTES) await flush();
      batch.push(result);
      bytes += result.text.length;
    }
    await flush();
    return results;
  }

  async recordChunk(
    jobId: string,
    chunk: number,
    counts: { succeeded: number; failed: number },
    nowIso: string,
    resultsIfNew: StoredResult[] = [],
  ): Promise<ChunkRecord> {
    const keys = [bulkKeys.job(jobId), bulkKeys.chunks(jobId), ...resultsIfNew.map((r) => bulkKeys.result(jobId, r.index))];
    const args = [String(chunk), String(counts.succeeded), String(counts.failed), nowIso, ...resultsIfNew.map((r) => r.text)];
    const reply = await this.call('record chunk', () => this.client.eval<string[], unknown[]>(RECORD_CHUNK_LUA, keys, args));
    if (!Array.isArray(reply) || !OUTCOMES.includes(reply[0] as ChunkRecordOutcome)) {
      throw new BulkStoreError(`record chunk: unexpected reply ${JSON.stringify(reply).slice(0, 200)}`);
    }
    const outcome = reply[0] as ChunkRecordOutcome;
    if (outcome === 'unknown_job') return { outcome, job: null };
    return { outcome, job: jobFromFields(jobId, fieldsFromReply(reply.slice(1))) };
  }

  async readResults(jobId: string, fromIndex: number, count: number): Promise<(string | null)[]> {
    if (count <= 0) return [];
    const keys = Array.from({ length: count }, (_, i) => bulkKeys.result(jobId, fromIndex + i));
    const values = await this.call('read results', () => this.client.mget<(string | null)[]>(...keys));
    return values.map((v) => (v === null || v === undefined ? null : String(v)));
  }

  async claimLostNotice(jobId: string, expiresAtSec: number): Promise<boolean> {
    const reply = await this.call('claim lost notice', () => this.client.set(bulkKeys.lostNotice(jobId), '1', { nx: true, exat: expiresAtSec }));
    return reply !== null && reply !== undefined;
  }

  async releaseLostNotice(jobId: string): Promise<void> {
    await this.call('release lost notice', () => this.client.del(bulkKeys.lostNotice(jobId)));
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const detail = `Redis (${what}) failed: ${redisErrorText(err)}`;
      log.error('bulk_store_error', { detail });
      throw new BulkStoreError(detail, { cause: err });
    }
  }
}

