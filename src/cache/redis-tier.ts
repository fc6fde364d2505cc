/**
 * The Redis tier: Upstash Redis over its REST API through `@upstash/redis`.
 *
 * Rules, so that a slow or dead Redis never costs more than its budget:
 *   - every call races a timer (`timeoutMs`, or what is left of the request's
 *     budget) and the fetch itself is aborted after `timeoutMs`;
 *   - the client's retries are off (`retries: 0`: its loop runs attempts + 1
 *     times, so `retry: false` would still try twice), since a retry only
 *     multiplies the latency of a failing Redis;
 *   - auto-pipelining is off: it batches commands of concurrent requests into
 *     one fetch, which in workerd ties one request's promises to another
 *     request's I/O, and it delays each command by a tick;
 *   - automatic deserialization is off: payloads are JSON text we parse
 *     ourselves (the client would turn a stored "123" into a number);
 *   - failures are recorded (last error and time, for health), reported to
 *     `onError` and returned as `{ ok: false }`, never thrown, and calls in
 *     the next `retryAfterMs` fail at once (`onSkip`) instead of each waiting.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { createUpstashRedis, hashFromReply, redisErrorText, type Outcome } from '../platform/upstash-redis';
import { CacheClearError, CacheConfigError, CacheTimeoutError } from './errors';
import { REDIS_RETRY_AFTER_MS } from './policy';
import type { SharedTier } from './shared-tier';

/** Seeds a missing namespace counter with ARGV[1] (a millisecond timestamp), then increments it. */
const BUMP_NAMESPACE_LUA = "redis.call('SET', KEYS[1], ARGV[1], 'NX') return redis.call('INCR', KEYS[1])";

/** Namespace counter (see namespace.ts) and the global stats hash (see stats.ts). */
export const NAMESPACE_KEY = 'ae:ns';
export const STATS_KEY = 'ae:stats';

export interface RedisTierOptions {
  url: string;
  token: string;
  timeoutMs: number;
  retryAfterMs?: number;
  /** Milliseconds clock for the retry-after window. */
  now?: () => number;
  onError?: (err: unknown) => void;
  onSkip?: () => void;
}

const FAILED: Outcome<never> = { ok: false };

export class RedisTier implements SharedTier {
  readonly kind = 'redis';
  readonly timeoutMs: number;
  /** true after a successful call, false after a failed one, null before any. */
  reachable: boolean | null = null;
  lastError?: string;
  lastErrorAt?: string;
  private readonly client: Redis;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private suspendedUntilMs = 0;
  private lastFailure: unknown;

  constructor(private readonly options: RedisTierOptions) {
    this.timeoutMs = options.timeoutMs;
    this.retryAfterMs = options.retryAfterMs ?? REDIS_RETRY_AFTER_MS;
    this.now = options.now ?? Date.now;
    try {
      this.client = createUpstashRedis({ url: options.url, token: options.token, timeoutMs: options.timeoutMs });
    } catch (err) {
      throw new CacheConfigError({ variable: 'UPSTASH_REDIS_REST_URL', message: `UPSTASH_REDIS_REST_URL is not usable: ${redisErrorText(err)}` }, { cause: err });
    }
  }

  /** Whether calls are currently refused because of a recent failure. */
  get suspended(): boolean {
    return this.now() < this.suspendedUntilMs;
  }

  async get(key: string, timeoutMs: number): Promise<string | null> {
    const out = await this.call('GET', timeoutMs, (r) => r.get<string>(key));
    return out.ok ? out.value : null;
  }

  async set(key: string, payload: string, ttlSec: number): Promise<void> {
    await this.call('SET', this.timeoutMs, (r) => r.set(key, payload, { ex: ttlSec }));
  }

  /**
   * A missing counter means a fresh Redis, or one that lost its data. Restarting
   * at 0 would make every edge entry cleared under the old numbers readable
   * again for the rest of its TTL, so a missing counter is seeded (atomically,
   * NX) with a millisecond timestamp: above any number used before.
   */
  async readNamespace(timeoutMs: number): Promise<number | null> {
    const out = await this.call('GET namespace', timeoutMs, async (r) => {
      const current = await r.get<string>(NAMESPACE_KEY);
      if (current !== null) return current;
      await r.set(NAMESPACE_KEY, String(this.now()), { nx: true });
      return r.get<string>(NAMESPACE_KEY);
    });
    if (!out.ok) return null;
    const ns = Number(out.value);
    return Number.isSafeInteger(ns) && ns >= 0 ? ns : null;
  }

  async bumpNamespace(): Promise<number> {
    // An explicit clear is worth a real attempt even inside the retry-after window.
    // Seeded like readNamespace when missing, so a clear after a data loss never yields a used number.
    const out = await this.call('INCR namespace', this.timeoutMs, (r) => r.eval<[string], number>(BUMP_NAMESPACE_LUA, [NAMESPACE_KEY], [String(this.now())]), {
      force: true,
    });
    // The client sees no library text (lastError, with the reason, is on /health and in the log).
    if (!out.ok) throw new CacheClearError('The cache was not cleared: Redis did not answer, so nothing was invalidated; retry once GET /health shows Redis ok', { cause: this.lastFailure });
    return Number(out.value);
  }

  /** HINCRBY each field in one pipelined request; false if it failed. */
  async incrementFields(key: string, deltas: Record<string, number>): Promise<boolean> {
    const fields = Object.entries(deltas).filter(([, n]) => n !== 0);
    if (fields.length === 0) return true;
    const out = await this.call('HINCRBY stats', this.timeoutMs, (r) => {
      const pipe = r.pipeline();
      for (const [field, n] of fields) pipe.hincrby(key, field, n);
      return pipe.exec();
    });
    return out.ok;
  }

  async setFields(key: string, fields: Record<string, string>): Promise<boolean> {
    return (await this.call('HSET', this.timeoutMs, (r) => r.hset(key, fields))).ok;
  }

  /** HGETALL as a record of strings; null when it failed. */
  async readFields(key: string): Promise<Record<string, string> | null> {
    const out = await this.call('HGETALL', this.timeoutMs, (r) => r.hgetall(key));
    return out.ok ? hashFromReply(out.value) : null;
  }

  async ping(): Promise<boolean> {
    return (await this.call('PING', this.timeoutMs, (r) => r.ping())).ok;
  }

  private async call<T>(op: string, timeoutMs: number, run: (r: Redis) => Promise<T>, opts: { force?: boolean } = {}): Promise<Outcome<T>> {
    if (timeoutMs <= 0 || (this.suspended && !opts.force)) {
      this.options.onSkip?.();
      return FAILED;
    }
    try {
      const value = await withTimeout(run(this.client), Math.min(timeoutMs, this.timeoutMs), op);
      this.reachable = true;
      return { ok: true, value };
    } catch (err) {
      this.recordFailure(err);
      return FAILED;
    }
  }

  private recordFailure(err: unknown): void {
    this.reachable = false;
    this.lastFailure = err;
    this.lastError = redisErrorText(err);
    this.lastErrorAt = new Date().toISOString();
    this.suspendedUntilMs = this.now() + this.retryAfterMs;
    this.options.onError?.(err);
  }
}

/** Resolves or rejects with `work`, or rejects with CacheTimeoutError after `timeoutMs`, whichever comes first. */
export function withTimeout<T>(work: Promise<T>, timeoutMs: number, op: string): Promise<T> {
  work.catch(() => {}); // a rejection after the timer won is expected, not unhandled
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(op, timeoutMs)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

