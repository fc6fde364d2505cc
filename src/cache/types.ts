/** The cache's public types, apart so the route integration can import them without the implementation. */
import type { MemoryLruOptions } from './memory-lru';
import type { CounterName } from './stats';
import type { CachePolicy } from './policy';

export type CacheSource = 'HIT-EDGE' | 'HIT-REDIS' | 'MISS';

export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

export interface CacheLookup<T> {
  value: T;
  source: CacheSource;
  key: string;
  cacheMs: number;
  computeMs: number;
}

export interface ClearResult {
  /** The namespace now in force. */
  namespace: number;
  /** Longest time any isolate may still serve an entry from before the clear. */
  edgeStaleForSec: number;
  /** `global`: every isolate (Redis); `isolate`: only this one (memory stand-in). */
  scope: 'global' | 'isolate';
}

export interface CacheHealth {
  redis: 'not_configured' | 'ok' | 'unreachable';
  lastError?: string;
  lastErrorAt?: string;
}

export interface ResponseCacheOptions {
  /** `caches.default` in workerd; null where there is no Cache API (Node): no edge tier. */
  edge: Cache | null;
  /** Upstash REST credentials; absent → the in-memory stand-in. */
  redis?: { url: string; token: string; timeoutMs?: number; retryAfterMs?: number } | null;
  memory?: Omit<MemoryLruOptions, 'now'>;
  policy?: CachePolicy;
  /** Hashed into every key; defaults to this service's and Swiss Ephemeris' versions. */
  engineVersion?: string;
  namespaceRefreshSec?: number;
  statsFlushSec?: number;
  /** Milliseconds clock for expiry, namespace refresh, flush interval and the Redis budget. */
  now?: () => number;
  /** Told of every counted event as it happens (the metrics registry listens). */
  onCount?: (name: CounterName) => void;
}

