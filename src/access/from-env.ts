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
  throw new AccessConfigError(`REQUIRE_API_KEY must be 'true' or 'false', got '${raw}'`);
}

function redisConfig(env: AccessEnv): { url: string; token: string; timeoutMs: number } | null {
  const url = env.UPSTASH_REDIS_REST_URL?.trim() || undefined;
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim() || undefined;
  if (!url && !token) return null;
  if (!url || !token) {
    throw new AccessConfigError(`${url ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL'} is missing while the other Upstash variable is set`);
  }
  return { url, token, timeoutMs: parseTimeoutMs(env.REDIS_TIMEOUT_MS) };
}

/** Throws AccessConfigError (a logged 500 on the routes that need access) when the configuration is unusable. */
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
  const requireKey = parseRequireApiKey(env.REQUIRE_API_KEY);
  const limits = parseRateLimits(env.RATE_LIMITS);
  const redis = redisConfig(env);
  if (!redis) {
    const limiters = perPlan((plan) => new MemoryRatelimit(limits[plan].requests, limits[plan].windowSec));
    const authFailures = new AuthFailureGuard(new MemoryRatelimit(AUTH_FAILURE_LIMIT.requests, AUTH_FAILURE_LIMIT.windowSec), AUTH_FAILURE_LIMIT);
    return { requireKey, keys: new SecretKeyStore(parseApiKeys(env.API_KEYS)), limits, limiters, authFailures, backend: 'memory' };
  }
  let client: ReturnType<typeof createUpstashRedis>;
  try {
    client = createUpstashRedis(redis);
  } catch (err) {
    throw new AccessConfigError(`UPSTASH_REDIS_REST_URL is not usable for API keys and rate limits: ${String((err as Error)?.message ?? err)}`, { cause: err });
  }
  const limiters = perPlan((plan) => new UpstashRatelimit(client, `${RATELIMIT_REDIS_PREFIX}:${plan}`, limits[plan], redis.timeoutMs));
  const authFailures = new AuthFailureGuard(new UpstashRatelimit(client, `${RATELIMIT_REDIS_PREFIX}:authfail`, AUTH_FAILURE_LIMIT, redis.timeoutMs), AUTH_FAILURE_LIMIT);
  return { requireKey, keys: new RedisKeyStore(client), limits, limiters, authFailures, backend: 'redis' };
}
