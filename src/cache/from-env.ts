/**
 * The Worker's way in: one ResponseCache per isolate per configuration, kept
 * at module level so the memory tier, the namespace copy and the counters
 * outlive the request that created them (`env` only exists inside a request,
 * hence the lazy construction).
 */
import { CacheConfigError } from './errors';
import { CACHE_POLICY, DEFAULT_REDIS_TIMEOUT_MS, MAX_REDIS_TIMEOUT_MS, RESOURCES, isResource, withSharedResources } from './policy';
import type { CachePolicy, Resource } from './policy';
import { ResponseCache } from './response-cache';
import type { ResponseCacheOptions } from './types';

export interface CacheEnv {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Budget for Redis per request, in ms (integer, 1–10000); default 250. */
  REDIS_TIMEOUT_MS?: string;
  /**
   * Measurement/ops knob: comma-separated resources that use the shared tier
   * (e.g. `natal,transits`; `none` for no resource), replacing CACHE_POLICY's
   * choice; unset or blank → CACHE_POLICY. `npm run bench` (cache-tiers) sets
   * it on its own instances.
   */
  CACHE_SHARED_RESOURCES?: string;
}

const instances = new Map<string, ResponseCache>();

/**
 * Upstash is used when both URL and token are set (empty strings count as
 * unset); neither → the in-memory stand-in. Throws CacheConfigError when only
 * one is set or REDIS_TIMEOUT_MS is not a sane integer: a deploy mistake that
 * would otherwise silently run without the shared cache; likewise when
 * CACHE_SHARED_RESOURCES names something that is not a resource.
 *
 * `edge` is `caches.default` (one object per isolate) or null; the memo keys on
 * whether it is given, not on its identity.
 */
export function cacheFromEnv(env: CacheEnv, edge: Cache | null, options: Pick<ResponseCacheOptions, 'engineVersion' | 'onCount'> = {}): ResponseCache {
  const redis = redisConfig(env);
  const shared = parseSharedResources(env.CACHE_SHARED_RESOURCES);
  const memoKey = JSON.stringify([redis?.url, redis?.token, redis?.timeoutMs, edge !== null, options.engineVersion, shared]);
  let cache = instances.get(memoKey);
  if (!cache) {
    cache = new ResponseCache({ edge, redis, engineVersion: options.engineVersion, policy: policyFor(shared), onCount: options.onCount });
    instances.set(memoKey, cache);
  }
  return cache;
}

/** Throws CacheConfigError exactly when cacheFromEnv would, without building anything (for /health). */
export function checkCacheEnv(env: CacheEnv): void {
  redisConfig(env);
  parseSharedResources(env.CACHE_SHARED_RESOURCES);
}

function redisConfig(env: CacheEnv): ResponseCacheOptions['redis'] {
  const url = env.UPSTASH_REDIS_REST_URL?.trim() || undefined;
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim() || undefined;
  if (!url && !token) return null;
  if (!url || !token) {
    const missing = url ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL';
    throw new CacheConfigError(`${missing} is missing while the other Upstash variable is set`);
  }
  return { url, token, timeoutMs: parseTimeoutMs(env.REDIS_TIMEOUT_MS) };
}

export function parseTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_REDIS_TIMEOUT_MS;
  const timeoutMs = Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_REDIS_TIMEOUT_MS) {
    throw new CacheConfigError(`REDIS_TIMEOUT_MS must be an integer from 1 to ${MAX_REDIS_TIMEOUT_MS}, got '${raw}'`);
  }
  return timeoutMs;
}

/**
 * `CACHE_SHARED_RESOURCES` → the resources that use the shared tier, in
 * CACHE_POLICY order and without duplicates; `none` alone → no resource; null
 * when unset or blank (CACHE_POLICY decides). Names are trimmed; an empty item
 * or a name that is not a resource throws CacheConfigError, so a typo never
 * silently changes the tiers.
 */
export function parseSharedResources(raw: string | undefined): Resource[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  if (raw.trim() === 'none') return [];
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !isResource(name));
  if (unknown.length > 0) {
    const shown = unknown.map((name) => `'${name}'`).join(', ');
    throw new CacheConfigError(`CACHE_SHARED_RESOURCES: unknown resource ${shown} in '${raw}'; known: ${RESOURCES.join(', ')}`);
  }
  return RESOURCES.filter((name) => names.includes(name));
}

/** CACHE_POLICY, or CACHE_POLICY with the shared tier used by exactly `shared`. */
export function policyFor(shared: readonly Resource[] | null): CachePolicy {
  return shared === null ? CACHE_POLICY : withSharedResources(CACHE_POLICY, shared);
}
