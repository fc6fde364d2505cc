/**
 * What is cached where and for how long, and the module's tunables. Plain
 * data: the tiers and ResponseCache read it, nothing here touches a platform.
 */

export type Resource = 'natal' | 'divisional' | 'transits' | 'legacy' | 'dashas' | 'panchang';

export interface ResourcePolicy {
  /** Lifetime of an entry in every tier (edge `max-age`, Redis `EX`, memory expiry). */
  ttlSec: number;
  /** Whether the shared tier (Redis, or its in-memory stand-in) is consulted and filled at all. */
  shared: boolean;
}

/**
 * Costs that decide the tiers, measured by `npm run bench` (Node 20, one core;
 * re-measured on every bench run, these are the current figures):
 *   - natal chart: ~0.15–0.2 ms of compute per chart;
 *   - the 16 divisional charts (Shodasavarga) of one request: similar, ~0.2 ms;
 *   - transits (positions plus the root-found next sign change of 12 bodies):
 *     ~6–7 ms median, 22 ms max.
 * A Redis round trip from the edge is an HTTPS call to the nearest Upstash
 * region: milliseconds, i.e. ten times a natal chart. So natal, divisional
 * and legacy results go edge → compute (a Redis lookup would be slower than
 * computing again, and only costs requests and storage), while transits, which
 * cost more than a round trip, go edge → Redis → compute; dasha trees and bulk
 * results will join them.
 *
 * Results are deterministic for a key (engine version included), so the TTLs
 * only bound storage and how long superseded entries linger; transits keep a
 * shorter TTL because their keys carry an instant and are rarely reused later.
 * A panchang day (sunrises, root-found limb ends, muhurtas: ~2–3 ms) or a
 * month of them costs more than a round trip and is asked for by many
 * callers for the same city and date, so it goes through Redis too; a day's
 * panchang never changes, hence the 30-day TTL.
 */
export const CACHE_POLICY = {
  natal: { ttlSec: 86_400, shared: false },
  divisional: { ttlSec: 86_400, shared: false },
  transits: { ttlSec: 3_600, shared: true },
  legacy: { ttlSec: 86_400, shared: false },
  // Dasha trees: a natal Moon plus up to ~1 000 periods. Edge only until their compute cost is measured against a Redis hit (the rule in src/cache/README.md).
  dashas: { ttlSec: 86_400, shared: false },
  panchang: { ttlSec: 30 * 86_400, shared: true },
} as const satisfies Record<Resource, ResourcePolicy>;

export type CachePolicy = Record<Resource, ResourcePolicy>;

/** Every resource the cache knows, in CACHE_POLICY order. */
export const RESOURCES = Object.keys(CACHE_POLICY) as Resource[];

export function isResource(name: string): name is Resource {
  return Object.hasOwn(CACHE_POLICY, name);
}

/**
 * `policy` with the shared tier used by exactly the resources in `shared`
 * (TTLs unchanged). For `CACHE_SHARED_RESOURCES`, a measurement/ops override:
 * `npm run bench` sets it so that natal can be measured through Redis too.
 */
export function withSharedResources(policy: CachePolicy, shared: readonly Resource[]): CachePolicy {
  const set = new Set(shared);
  return Object.fromEntries(
    Object.entries(policy).map(([name, p]) => [name, { ...p, shared: set.has(name as Resource) }]),
  ) as CachePolicy;
}

/** Redis budget per request (and per background call) when `REDIS_TIMEOUT_MS` is unset. */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;
/** Bounds accepted for `REDIS_TIMEOUT_MS`; beyond 10 s a "cache" only hurts. */
export const MAX_REDIS_TIMEOUT_MS = 10_000;
/**
 * After a failed Redis call, further calls fail at once for this long instead
 * of each waiting for the timeout again: a dead Redis then costs one timeout
 * per isolate per second, not one per request.
 */
export const REDIS_RETRY_AFTER_MS = 1_000;
/** How long an isolate trusts its copy of the namespace; a `clear()` reaches every isolate within this. */
export const NAMESPACE_REFRESH_SEC = 5;
/** Minimum interval between two flushes of an isolate's counters to Redis. */
export const STATS_FLUSH_SEC = 5;
/** In-memory stand-in bounds: a few thousand charts, a small share of the 128 MB isolate. */
export const MEMORY_MAX_ENTRIES = 5_000;
export const MEMORY_MAX_BYTES = 32 * 1024 * 1024;

/** Longest TTL in a policy: how long an entry can outlive a clear that did not reach its isolate. */
export function maxTtlSec(policy: CachePolicy): number {
  return Math.max(...Object.values(policy).map((p) => p.ttlSec));
}
