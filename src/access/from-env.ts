/**
 * The only place access reads configuration: one set of services per isolate
 * and configuration, kept at module level so the key copies and the memory
 * limiter's counts outlive the request that created them.
 *
 *   UPSTASH_REDIS_REST_URL + _TOKEN → keys in Redis (admin API), @upstash/ratelimit
 *   neither                         → keys from API_KEYS (read-only), MemoryRatelimit per isolate
 */
import { parseTimeoutMs } from '../cache';
import { AuthFailureGuard } from './auth-failures';
import { collectProblems, type ConfigProblem } from '../http/errors';
import { upstashFromEnv } from '../platform/upstash-env';
import { AccessConfigError } from './errors';
import { RedisKeyStore, SecretKeyStore, type KeyStore } from './key-store';
import { MemoryRatelimit, RATELIMIT_REDIS_PREFIX, UpstashRatelimit, type RateLimiter } from './limiter';
import { AUTH_FAILURE_LIMIT, PLAN_NAMES, parseRateLimits, type PlanLimits, type PlanName } from './plans';
import { parseApiKeys } from './secret-keys';
import { createUpstashRedis } from '../platform/upstash-redis';

export interface AccessEnv {
  REQUIRE_API_KEY?: string;
  API_KEYS?: string;
  RATE_LIMITS?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  REDIS_TIMEOUT_MS?: string;
}

export interface AccessServices {
  requireKey: boolean;
  keys: KeyStore;
  limits: PlanLimits;
  limiters: Record<PlanName, RateLimiter>;
  /** Failed authentications per client address (AUTH_FAILURE_LIMIT). */
  authFailures: AuthFailureGuard;
  /** Where quotas are counted: `redis` (shared by every isolate) or `memory` (this isolate only). */
  backend: 'redis' | 'memory';
}

const instances = new Map<string, AccessServices>();

/** Only `true` / `false` (any case) or unset: a `yes` or `1` must not leave production open by accident. */
export function parseRequireApiKey(raw: string | undefined): boolean {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new AccessConfigError({ variable: 'REQUIRE_API_KEY', message: `REQUIRE_API_KEY must be 'true' or 'false', got '${raw}'` });
}

/**
 * Throws AccessConfigError when the configuration is unusable, listing every
 * problem: the keyed routes then answer 503 `access_misconfigured`, closed.
 * A failure is not memoised: the next request reads the variables again.
 */
export function accessFromEnv(env: AccessEnv): AccessServices {
  const memoKey = JSON.stringify([env.REQUIRE_API_KEY, env.API_KEYS, env.RATE_LIMITS, env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN, env.REDIS_TIMEOUT_MS]);
  let services = instances.get(memoKey);
  if (!services) {
    services = build(env);
    instances.set(memoKey, services);
  }
  return services;
}

function perPlan(make: (plan: PlanName) => RateLimiter): Record<PlanName, RateLimiter> {
  return Object.fromEntries(PLAN_NAMES.map((plan) => [plan, make(plan)])) as Record<PlanName, RateLimiter>;
}

function build(env: AccessEnv): AccessServices {
  const problems: ConfigProblem[] = [];
  const requireKey = collectProblems(problems, () => parseRequireApiKey(env.REQUIRE_API_KEY));
  const limits = collectProblems(problems, () => parseRateLimits(env.RATE_LIMITS));
  const credentials = collectProblems(problems, () => upstashFromEnv(env));
  // Read only with Redis, as the cache reads it, so both agree on what is unusable.
  const timeoutMs = credentials !== null ? collectProblems(problems, () => parseTimeoutMs(env.REDIS_TIMEOUT_MS)) : undefined;
  const secretKeys = credentials === null ? collectProblems(problems, () => parseApiKeys(env.API_KEYS)) : [];
  let client: ReturnType<typeof createUpstashRedis> | null = null;
  if (credentials && timeoutMs !== undefined) {
    try {
      client = createUpstashRedis({ ...credentials, timeoutMs });
    } catch (err) {
      problems.push({ variable: 'UPSTASH_REDIS_REST_URL', message: `UPSTASH_REDIS_REST_URL is not usable for API keys and rate limits: ${String((err as Error)?.message ?? err)}` });
    }
  }
  if (problems.length || requireKey === undefined || limits === undefined || secretKeys === undefined) throw new AccessConfigError(problems);
  if (!client || timeoutMs === undefined) {
    const limiters = perPlan((plan) => new MemoryRatelimit(limits[plan].requests, limits[plan].windowSec));
    const authFailures = new AuthFailureGuard(new MemoryRatelimit(AUTH_FAILURE_LIMIT.requests, AUTH_FAILURE_LIMIT.windowSec), AUTH_FAILURE_LIMIT);
    return { requireKey, keys: new SecretKeyStore(secretKeys), limits, limiters, authFailures, backend: 'memory' };
  }
  const redis = client;
  const limiters = perPlan((plan) => new UpstashRatelimit(redis, `${RATELIMIT_REDIS_PREFIX}:${plan}`, limits[plan], timeoutMs));
  const authFailures = new AuthFailureGuard(new UpstashRatelimit(redis, `${RATELIMIT_REDIS_PREFIX}:authfail`, AUTH_FAILURE_LIMIT, timeoutMs), AUTH_FAILURE_LIMIT);
  return { requireKey, keys: new RedisKeyStore(redis), limits, limiters, authFailures, backend: 'redis' };
}
