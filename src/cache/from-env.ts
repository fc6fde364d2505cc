/**
 * The Worker's way in: one ResponseCache per isolate per configuration, kept
 * at module level so the memory tier, the namespace copy and the counters
 * outlive the request that created them (`env` only exists inside a request,
 * hence the lazy construction).
 */
import { collectProblems, type ConfigProblem } from '../http/errors';
import { upstashFromEnv } from '../platform/upstash-env';
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
 * unset); neither → the in-memory stand-in. Throws CacheConfigError, listing
 * every unusable variable, when only one is set, the URL is not one,
 * REDIS_TIMEOUT_MS is not a sane integer, or CACHE_SHARED_RESOURCES names
 * something that is not a resource: a deploy mistake that would otherwise
 * silently run without the shared cache or with other tiers.
 *
 * `edge` is `caches.default` (one object per isolate) or null; the memo keys on
 * whether it is given, not on its identity.
 */
export function cacheFromEnv(env: CacheEnv, edge: Cache | null, options: Pick<ResponseCacheOptions, 'engineVersion' | 'onCount'> = {}): ResponseCache {
  const { redis, shared } = parseCacheEnv(env);
  const memoKey = JSON.stringify([redis?.url, redis?.token, redis?.timeoutMs, edge !== null, options.engineVersion, shared]);
  let cache = instances.get(memoKey);
  if (!cache) {
    cache = new ResponseCache({ edge, redis, engineVersion: options.engineVersion, policy: policyFor(shared), onCount: options.onCount });
    instances.set(memoKey, cache);
  }
  return cache;
}

/** Throws CacheConfigError exactly when cacheFromEnv would, without building anything (for /health and the routes that need the configured tier). */
export function checkCacheEnv(env: CacheEnv): void {
  parseCacheEnv(env);
}

function parseCacheEnv(env: CacheEnv): { redis: ResponseCacheOptions['redis']; shared: Resource[] | null } {
  const problems: ConfigProblem[] = [];
  const credentials = collectProblems(problems, () => upstashFromEnv(env));
  // The budget is read only with Redis, as access reads it: both modules then agree on what is unusable.
  const timeoutMs = credentials !== null ? collectProblems(problems, () => parseTimeoutMs(env.REDIS_TIMEOUT_MS)) : undefined;
  const shared = collectProblems(problems, () => parseSharedResources(env.CACHE_SHARED_RESOURCES));
  if (problems.length) throw new CacheConfigError(problems);
  const redis = credentials && timeoutMs !== undefined ? { ...credentials, timeoutMs } : null;
  return { redis, shared: shared ?? null };
}

export function parseTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_REDIS_TIMEOUT_MS;
  const timeoutMs = Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_REDIS_TIMEOUT_MS) {
    throw new CacheConfigError({
      variable: 'REDIS_TIMEOUT_MS',
      message: `REDIS_TIMEOUT_MS must be a whole number of milliseconds from 1 to ${MAX_REDIS_TIMEOUT_MS}, got '${raw}': remove it for the default ${DEFAULT_REDIS_TIMEOUT_MS}`,
    });
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
    throw new CacheConfigError({
      variable: 'CACHE_SHARED_RESOURCES',
      message: `CACHE_SHARED_RESOURCES: unknown resource ${shown} in '${raw}'; known: ${RESOURCES.join(', ')} (list some, comma-separated, or none; remove it for the default policy)`,
    });
  }
  return RESOURCES.filter((name) => names.includes(name));
}

/** CACHE_POLICY, or CACHE_POLICY with the shared tier used by exactly `shared`. */
export function policyFor(shared: readonly Resource[] | null): CachePolicy {
  return shared === null ? CACHE_POLICY : withSharedResources(CACHE_POLICY, shared);
}
