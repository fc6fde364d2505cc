/** The cache module's public surface; see README.md beside this file. */
export { cacheFromEnv, checkCacheEnv, parseTimeoutMs, type CacheEnv } from './from-env';
export { ResponseCache } from './response-cache';
export type { CacheHealth, CacheLookup, CacheSource, ClearResult, ResponseCacheOptions, WaitUntil } from './types';
export type { CacheStatsSnapshot, TierStats } from './stats';
export { CACHE_POLICY, NAMESPACE_REFRESH_SEC, DEFAULT_REDIS_TIMEOUT_MS, type Resource, type ResourcePolicy, type CachePolicy } from './policy';
export { CACHE_KEY_VERSION, CACHE_ENGINE_VERSION, SWISSEPH_VERSION, buildCacheKey, canonicalJson } from './keys';
export { EDGE_CACHE_ORIGIN } from './edge-tier';
export { CacheClearError, CacheConfigError, CacheKeyError, CacheTimeoutError, CacheValueError } from './errors';
