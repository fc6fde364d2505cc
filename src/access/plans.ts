/**
 * Plans and their rate limits. A key carries a plan, never its own numbers:
 * changing RATE_LIMITS re-limits every existing key of that plan at once.
 */
import { AccessConfigError } from './errors';

/** Plans an API key can carry; `anonymous` is the per-IP plan for calls without a key (when allowed). */
export const PLAN_NAMES = ['anonymous', 'free', 'pro', 'enterprise'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

/** The plans a key can be issued with (`anonymous` belongs to callers without one). */
export const KEY_PLAN_NAMES = ['free', 'pro', 'enterprise'] as const satisfies readonly PlanName[];
export type KeyPlanName = (typeof KEY_PLAN_NAMES)[number];

export function isPlanName(value: string): value is PlanName {
  return (PLAN_NAMES as readonly string[]).includes(value);
}

export function isKeyPlanName(value: string): value is KeyPlanName {
  return (KEY_PLAN_NAMES as readonly string[]).includes(value);
}

export interface PlanLimit {
  /** Quota units per window: one per request, plus one per bulk item. */
  requests: number;
  windowSec: number;
}

export type PlanLimits = Record<PlanName, PlanLimit>;

export const DEFAULT_PLAN_LIMITS: Readonly<PlanLimits> = Object.freeze({
  anonymous: { requests: 30, windowSec: 60 },
  free: { requests: 60, windowSec: 60 },
  pro: { requests: 600, windowSec: 60 },
  enterprise: { requests: 6000, windowSec: 60 },
});

/**
 * Failed authentications (401 invalid_api_key) one client address (an IPv6
 * /64) may make per window; beyond, its requests carrying a key are refused
 * with 429 before any lookup. Fixed: it guards the key store, not a plan.
 */
export const AUTH_FAILURE_LIMIT: Readonly<PlanLimit> = Object.freeze({ requests: 30, windowSec: 60 });

/** A day: beyond it a "window" is a billing period, not a rate limit, and Redis keys would linger. */
export const MAX_WINDOW_SEC = 86_400;
/** Bulk jobs alone can need 10,001 units; a billion leaves room and stays an exact integer everywhere. */
export const MAX_REQUESTS = 1_000_000_000;

function isBoundedInteger(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

/**
 * `RATE_LIMITS`, e.g. `{"free":{"requests":60,"windowSec":60}}`, over the
 * defaults. A plan may be given in part (`{"pro":{"requests":1000}}` keeps the
 * 60 s window). Anything malformed throws AccessConfigError: a typo must not
 * silently leave a deployment on the defaults.
 */
export function parseRateLimits(raw: string | undefined): PlanLimits {
  const limits: PlanLimits = structuredClone(DEFAULT_PLAN_LIMITS) as PlanLimits;
  if (raw === undefined || raw.trim() === '') return limits;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AccessConfigError({ variable: 'RATE_LIMITS', message: `RATE_LIMITS is not valid JSON: '${raw.slice(0, 200)}'; write it like {"pro":{"requests":1000,"windowSec":60}}` });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AccessConfigError({ variable: 'RATE_LIMITS', message: 'RATE_LIMITS must be a JSON object like {"free":{"requests":60,"windowSec":60}}' });
  }
  for (const [plan, value] of Object.entries(parsed)) {
    if (!isPlanName(plan)) throw new AccessConfigError({ variable: 'RATE_LIMITS', message: `RATE_LIMITS: unknown plan '${plan}'; known: ${PLAN_NAMES.join(', ')}` });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AccessConfigError({ variable: 'RATE_LIMITS', message: `RATE_LIMITS.${plan} must be an object like {"requests":60,"windowSec":60}` });
    }
    for (const [field, number] of Object.entries(value)) {
      if (field === 'requests') {
        if (!isBoundedInteger(number, MAX_REQUESTS)) throw new AccessConfigError({ variable: 'RATE_LIMITS', message: `RATE_LIMITS.${plan}.requests must be an integer from 1 to ${MAX_REQUESTS}` });
        limits[plan].requests = number;
      } else if (field === 'windowSec') {
        if (!isBoundedInteger(number, MAX_WINDOW_SEC)) throw new AccessConfigError({ variable: 'RATE_LIMITS', message: `RATE_LIMITS.${plan}.windowSec must be an integer from 1 to ${MAX_WINDOW_SEC}` });
        limits[plan].windowSec = number;
      } else {
        throw new AccessConfigError({ variable: 'RATE_LIMITS', message: `RATE_LIMITS.${plan}: unknown field '${field}' (use requests and windowSec)` });
      }
    }
  }
  return limits;
}
