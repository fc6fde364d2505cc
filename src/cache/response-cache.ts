/**
 * One cache in front of every computed response, three tiers behind it:
 *
 *   edge (Cache API, per data centre) → shared (Redis, or the memory
 *   stand-in) → compute
 *
 * The shared tier is consulted only for resources whose policy says so (see
 * CACHE_POLICY: cheap charts skip it). Every fill (the edge after a shared
 * hit; the edge and the shared tier after a compute) and every stats flush
 * goes through `ctx.waitUntil`, so no response waits for a write. Redis reads
 * on the request path share one budget of `timeoutMs` (namespace + lookup), so
 * a slow or dead Redis adds at most that to compute time.
 *
 * `source` reports the tier's role, not its backend: a hit in the in-memory
 * stand-in is `HIT-REDIS` because for the client it is exactly that (a result
 * from the shared tier, below the edge, not recomputed); `stats()` and
 * `sharedBackend` say which backend it was. Values must survive JSON: a hit
 * returns the parsed payload, a miss the computed value itself.
 *
 * Timing: `cacheMs` is the time spent in the cache before answering or before
 * computing, `computeMs` the compute itself (0 on a hit). workerd advances its
 * clocks only across I/O, so there a pure-CPU compute reads as ~0 ms.
 */
import { CacheValueError } from './errors';
import { EdgeTier } from './edge-tier';
import { CACHE_ENGINE_VERSION, buildCacheKey } from './keys';
import { NamespaceCache } from './namespace';
import { CACHE_POLICY, DEFAULT_REDIS_TIMEOUT_MS, NAMESPACE_REFRESH_SEC, STATS_FLUSH_SEC, maxTtlSec } from './policy';
import type { CachePolicy, Resource, ResourcePolicy } from './policy';
import { RedisTier, STATS_KEY } from './redis-tier';
import { MemorySharedTier, type SharedTier } from './shared-tier';
import { CacheCounters, addCounts, countsFromFields, summarise, type CacheStatsSnapshot, type CounterName } from './stats';
import type { CacheHealth, CacheLookup, CacheSource, ClearResult, ResponseCacheOptions, WaitUntil } from './types';
import { log } from '../obs/log';

interface Found {
  value: unknown;
  source: CacheSource;
}

export class ResponseCache {
  readonly sharedBackend: 'redis' | 'memory';
  readonly edgeEnabled: boolean;
  readonly timeoutMs: number;
  private readonly counters = new CacheCounters();
  private readonly edge: EdgeTier | null;
  private readonly redis: RedisTier | null;
  private readonly shared: SharedTier;
  private readonly namespace: NamespaceCache;
  private readonly policy: CachePolicy;
  private readonly engineVersion: string;
  private readonly refreshSec: number;
  private readonly flushMs: number;
  private readonly onCount?: (name: CounterName) => void;
  private readonly now: () => number;
  private lastFlushAtMs = Number.NEGATIVE_INFINITY;
  private lastClear?: { at: string; namespace: number };

  constructor(options: ResponseCacheOptions) {
    this.now = options.now ?? Date.now;
    this.policy = options.policy ?? CACHE_POLICY;
    this.engineVersion = options.engineVersion ?? CACHE_ENGINE_VERSION;
    this.refreshSec = options.namespaceRefreshSec ?? NAMESPACE_REFRESH_SEC;
    this.flushMs = (options.statsFlushSec ?? STATS_FLUSH_SEC) * 1000;
    this.onCount = options.onCount;
    this.timeoutMs = options.redis?.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.edge = options.edge ? new EdgeTier(options.edge, () => this.count('edgeErrors')) : null;
    this.edgeEnabled = this.edge !== null;
    this.redis = options.redis ? this.makeRedis(options.redis) : null;
    this.shared = this.redis ?? new MemorySharedTier({ ...options.memory, now: this.now });
    this.sharedBackend = this.shared.kind;
    this.namespace = new NamespaceCache(this.shared, this.refreshSec, this.now);
  }

  async getOrCompute<T>(resource: Resource, keyInput: unknown, compute: () => T | Promise<T>, ctx: WaitUntil): Promise<CacheLookup<T>> {
    const startedAt = performance.now();
    const policy = this.policy[resource];
    const deadlineMs = this.now() + this.timeoutMs; // one Redis budget for the whole request path
    const budget = () => deadlineMs - this.now();
    try {
      const ns = await this.namespace.current(budget());
      const key = await buildCacheKey({ ns, resource, engineVersion: this.engineVersion, keyInput });
      const found = ns === null ? null : await this.lookup(key, policy, budget, ctx);
      const cacheMs = performance.now() - startedAt;
      if (found) return { value: found.value as T, source: found.source, key, cacheMs, computeMs: 0 };
      if (ns === null) this.count('bypassed');
      return { ...(await this.computeAndFill(key, ns !== null, policy, compute, ctx)), source: 'MISS', key, cacheMs };
    } finally {
      this.scheduleFlush(ctx);
    }
  }

  /** Invalidates every tier by bumping the namespace. Throws CacheClearError when Redis cannot be reached. */
  async clear(ctx?: WaitUntil): Promise<ClearResult> {
    const namespace = await this.namespace.bump();
    this.lastClear = { at: new Date().toISOString(), namespace };
    if (this.redis) {
      const recorded = this.redis.setFields(STATS_KEY, { lastClearAt: this.lastClear.at, lastClearNamespace: String(namespace) });
      if (ctx) ctx.waitUntil(recorded);
      else await recorded;
      return { namespace, edgeStaleForSec: this.refreshSec, scope: 'global' };
    }
    // Without Redis other isolates keep their namespace: their edge entries last until their TTL.
    return { namespace, edgeStaleForSec: this.edge ? maxTtlSec(this.policy) : 0, scope: 'isolate' };
  }

  async stats(): Promise<CacheStatsSnapshot> {
    const fields = this.redis ? await this.redis.readFields(STATS_KEY) : null;
    const base = { sharedBackend: this.sharedBackend, edgeEnabled: this.edgeEnabled, redis: this.redisState() };
    if (fields) {
      const counts = addCounts(countsFromFields(fields), this.counters.unflushed());
      const note = 'every isolate, aggregated in Redis (other isolates may hold a few seconds of counts unflushed)';
      return summarise(counts, { ...base, scope: 'global', note, lastClear: clearFromFields(fields) });
    }
    const note = this.redis ? 'this isolate only: Redis unreachable' : 'this isolate only: no Redis configured';
    return summarise(this.counters.local(), { ...base, scope: 'isolate', note, lastClear: this.lastClear });
  }

  /** Cheap: one PING within the timeout, or the recent error state while Redis is in its retry-after window. */
  async health(): Promise<CacheHealth> {
    if (!this.redis) return { redis: 'not_configured' };
    const ok = !this.redis.suspended && (await this.redis.ping());
    const { lastError, lastErrorAt } = this.redis;
    return { redis: ok ? 'ok' : 'unreachable', ...(lastError ? { lastError, lastErrorAt } : {}) };
  }

  private async lookup(key: string, policy: ResourcePolicy, budget: () => number, ctx: WaitUntil): Promise<Found | null> {
    if (this.edge) {
      const value = this.decode(await this.edge.get(key), 'edge');
      if (value !== undefined) return { value, source: 'HIT-EDGE' };
    }
    if (!policy.shared) return null;
    const payload = await this.shared.get(key, budget());
    const value = this.decode(payload, 'shared');
    if (value === undefined) return null;
    if (this.edge) ctx.waitUntil(this.edge.put(key, payload as string, policy.ttlSec));
    return { value, source: 'HIT-REDIS' };
  }

  /** The parsed payload, or undefined for a miss; a payload that is not JSON counts as an error and a miss. */
  private decode(payload: string | null, tier: 'edge' | 'shared'): unknown {
    if (payload !== null) {
      try {
        const value: unknown = JSON.parse(payload);
        this.count(`${tier}Hits`);
        return value;
      } catch {
        this.count(`${tier}Errors`);
      }
    }
    this.count(`${tier}Misses`);
    return undefined;
  }

  private async computeAndFill<T>(key: string, storable: boolean, policy: ResourcePolicy, compute: () => T | Promise<T>, ctx: WaitUntil) {
    this.count('misses');
    const startedAt = performance.now();
    let value: T;
    try {
      value = await compute();
    } catch (err) {
      this.count('computeErrors'); // nothing is stored: the next request computes again
      throw err;
    }
    const computeMs = performance.now() - startedAt;
    const payload = serialise(value);
    if (storable) ctx.waitUntil(this.fill(key, payload, policy));
    return { value, computeMs };
  }

  private async fill(key: string, payload: string, policy: ResourcePolicy): Promise<void> {
    await Promise.all([
      this.edge?.put(key, payload, policy.ttlSec),
      policy.shared ? this.shared.set(key, payload, policy.ttlSec) : undefined,
    ]);
  }

  private scheduleFlush(ctx: WaitUntil): void {
    if (!this.redis || this.now() - this.lastFlushAtMs < this.flushMs) return;
    const batch = this.counters.startFlush();
    if (!batch) return;
    this.lastFlushAtMs = this.now();
    const redis = this.redis;
    ctx.waitUntil(redis.incrementFields(STATS_KEY, batch).then((ok) => this.counters.finishFlush(batch, ok)));
  }

  private makeRedis(config: NonNullable<ResponseCacheOptions['redis']>): RedisTier {
    return new RedisTier({
      url: config.url,
      token: config.token,
      timeoutMs: config.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
      retryAfterMs: config.retryAfterMs,
      now: this.now,
      onError: () => {
        this.count('sharedErrors');
        // At most about one line per second per isolate: after a failure, calls are
        // skipped for the retry-after window instead of failing (and logging) again.
        log.warn('redis_unavailable_serving_from_compute', { error: this.redis?.lastError });
      },
      onSkip: () => this.count('sharedSkipped'),
    });
  }

  private redisState(): CacheStatsSnapshot['redis'] {
    if (!this.redis) return { configured: false, reachable: null };
    const { reachable, lastError, lastErrorAt } = this.redis;
    return { configured: true, reachable, ...(lastError ? { lastError, lastErrorAt } : {}) };
  }

  private count(name: CounterName): void {
    this.counters.count(name);
    this.onCount?.(name);
  }
}

function serialise(value: unknown): string {
  let payload: string | undefined;
  try {
    payload = JSON.stringify(value);
  } catch (err) {
    throw new CacheValueError('computed value cannot be serialised to JSON', { cause: err });
  }
  if (payload === undefined) throw new CacheValueError(`computed value of type ${typeof value} has no JSON form`);
  return payload;
}

function clearFromFields(fields: Record<string, string>): CacheStatsSnapshot['lastClear'] {
  const namespace = Number(fields.lastClearNamespace);
  return fields.lastClearAt && Number.isSafeInteger(namespace) ? { at: fields.lastClearAt, namespace } : undefined;
}
