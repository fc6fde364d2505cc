/** API keys, plans and rate limits; see README.md beside this file. */
export { authenticate, chargeBatchRequests, chargeBulkItems, isKeyedPath, rateLimit, type Charge } from './middleware';
export { keyRoutes } from './routes';
export { accessFromEnv, parseRequireApiKey, type AccessEnv, type AccessServices } from './from-env';
export { DEFAULT_PLAN_LIMITS, KEY_PLAN_NAMES, PLAN_NAMES, isPlanName, parseRateLimits, type PlanLimit, type PlanLimits, type PlanName } from './plans';
export { KEY_CACHE_TTL_SEC, API_KEY_REDIS_PREFIX } from './key-store';
export { RATELIMIT_REDIS_PREFIX } from './limiter';
export { AccessConfigError } from './errors';
export type { KeyRecord, KeySummary, Principal } from './types';
