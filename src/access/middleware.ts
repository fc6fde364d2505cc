/**
 * `authenticate()` establishes who calls (a key, or an anonymous IP when keys
 * are optional); `rateLimit()` charges one unit of that caller's plan quota
 * and writes the RateLimit-* headers; `chargeBulkItems()` charges a bulk
 * job's items. Only the calculation routes are covered (KEYED_PATHS); the
 * operational ones have their own admin-token or QStash-signature checks.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../http/errors';
import { writeLine } from '../obs/log';
import { legacyOnError } from '../routes/legacy';
import { InvalidApiKeyError, MissingApiKeyError, RateLimitedError, RevokedApiKeyError, logText } from './errors';
import { accessFromEnv } from './from-env';
import { credentialOf, isApiKeyFormat, sha256Hex } from './keys';
import type { RateLimiter } from './limiter';
import type { PlanLimit } from './plans';
import type { Principal } from './types';

/** Paths that take a key (required when REQUIRE_API_KEY=true) and are rate limited. */
const KEYED_PATHS = [/^\/v1\//, /^\/lahiri\//, /^\/raman\//, /^\/batch\/calculate$/];
/** The old service's routes answer errors in its shape (`error` as a string), refusals included. */
const LEGACY_PATHS = [/^\/lahiri\//, /^\/raman\//, /^\/batch\/calculate$/];

export function isKeyedPath(path: string): boolean {
  return KEYED_PATHS.some((pattern) => pattern.test(path));
}

const REALM = 'Bearer realm="astro-engine-edge"';

/** Our own refusals, in the shape the path's clients read; anything else goes on to the app's onError. */
function refuse(c: Context<AppEnv>, err: unknown): Response | Promise<Response> {
  if (err instanceof AppError && LEGACY_PATHS.some((pattern) => pattern.test(c.req.path))) return legacyOnError(err, c);
  throw err;
}

async function principalOf(c: Context<AppEnv>): Promise<Principal> {
  const services = accessFromEnv(c.env ?? {});
  const credential = credentialOf({ authorization: c.req.header('authorization'), 'x-api-key': c.req.header('x-api-key') });
  if (credential.kind === 'none') {
    if (services.requireKey) {
      c.header('WWW-Authenticate', REALM);
      throw new MissingApiKeyError();
    }
    return { kind: 'anonymous', ip: c.req.header('cf-connecting-ip') || 'unknown', plan: 'anonymous' };
  }
  // A key sent when none is required is still checked: a typo must not silently become anonymous.
  const invalid = (message?: string) => {
    c.header('WWW-Authenticate', `${REALM}, error="invalid_token"`);
    return new InvalidApiKeyError(message);
  };
  if (credential.kind === 'malformed') throw invalid(`The API key is not valid: ${credential.reason}`);
  if (!isApiKeyFormat(credential.key)) throw invalid();
  const record = await services.keys.find(await sha256Hex(credential.key));
  if (!record) throw invalid();
  if (record.revokedAt) throw new RevokedApiKeyError(record.keyId, record.revokedAt);
  return { kind: 'key', keyId: record.keyId, plan: record.plan };
}

export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateMiddleware(c, next) {
    if (c.req.method === 'OPTIONS' || !isKeyedPath(c.req.path)) return next();
    let principal: Principal;
    try {
      principal = await principalOf(c);
    } catch (err) {
      return refuse(c, err);
    }
    c.set('principal', principal);
    await next();
  };
}

interface Quota {
  limit: number;
  remaining: number;
  /** Unix ms at which the current window ends. */
  resetMs: number;
  /** The limiter could not be asked and the call passed uncounted (failing open). */
  uncounted?: true;
}

/** The request's latest quota: the bulk route charges after the middleware, and the headers must show both. */
const quotas = new WeakMap<Context<AppEnv>, Quota>();

function identifierOf(principal: Principal): string {
  return principal.kind === 'key' ? `key:${principal.keyId}` : `ip:${principal.ip}`;
}

function secondsUntil(resetMs: number): number {
  return Math.max(0, Math.ceil((resetMs - Date.now()) / 1000));
}

function writeQuotaHeaders(c: Context<AppEnv>, quota: Quota): void {
  c.header('RateLimit-Limit', String(quota.limit));
  c.header('RateLimit-Remaining', String(Math.max(0, quota.remaining)));
  c.header('RateLimit-Reset', String(secondsUntil(quota.resetMs)));
}

/** Sets the headers of a 429 and returns the seconds to wait (≥ 1). */
function writeRefusalHeaders(c: Context<AppEnv>, quota: Quota): number {
  writeQuotaHeaders(c, quota);
  const retryAfterSec = Math.max(1, secondsUntil(quota.resetMs));
  c.header('Retry-After', String(retryAfterSec));
  return retryAfterSec;
}

/**
 * What a caller is told while the limiter cannot be asked: the full quota of
 * the current window. Counting nothing and refusing nothing is the promise of
 * failing open; the warn line is the operator's signal.
 */
function unlimited(c: Context<AppEnv>, principal: Principal, planLimit: PlanLimit, error: string): Quota & { success: true } {
  writeLine('warn', 'ratelimit_unavailable', { requestId: c.get('requestId'), plan: principal.plan, keyId: principal.kind === 'key' ? principal.keyId : undefined, error });
  const windowMs = planLimit.windowSec * 1000;
  return { success: true, limit: planLimit.requests, remaining: planLimit.requests, resetMs: (Math.floor(Date.now() / windowMs) + 1) * windowMs, uncounted: true };
}

async function take(c: Context<AppEnv>, limiter: RateLimiter, principal: Principal, planLimit: PlanLimit, units: number): Promise<Quota & { success: boolean }> {
  try {
    const result = await limiter.limit(identifierOf(principal), { rate: units });
    // @upstash/ratelimit answers `success: true, reason: 'timeout'` (and zeros) when Redis is slower than its budget.
    if (result.reason === 'timeout') return unlimited(c, principal, planLimit, `no answer within the Redis budget`);
    return { success: result.success, limit: result.limit, remaining: result.remaining, resetMs: result.reset };
  } catch (err) {
    return unlimited(c, principal, planLimit, logText(err));
  }
}

function describe(principal: Principal, planLimit: PlanLimit): string {
  const who = principal.kind === 'key' ? `key ${principal.keyId} (${principal.plan} plan)` : 'anonymous calls from this address';
  return `${planLimit.requests} per ${planLimit.windowSec} s for ${who}`;
}

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimitMiddleware(c, next) {
    // Set only on keyed paths, by authenticate(); exempt paths pass untouched.
    const principal = c.get('principal');
    if (!principal) return next();
    const services = accessFromEnv(c.env ?? {});
    const planLimit = services.limits[principal.plan];
    const quota = await take(c, services.limiters[principal.plan], principal, planLimit, 1);
    quotas.set(c, quota);
    if (!quota.success) {
      const retryAfterSec = writeRefusalHeaders(c, quota);
      const more = principal.kind === 'anonymous' ? '; an API key gets a higher limit' : '';
      return refuse(c, new RateLimitedError(`Rate limit reached: ${describe(principal, planLimit)}; retry in ${retryAfterSec} s${more}`));
    }
    await next();
    writeQuotaHeaders(c, quotas.get(c) ?? quota);
  };
}

/**
 * Charges a validated bulk job's items (one unit each) on top of the unit its
 * request took, before anything is queued. A job that does not fit the
 * remaining quota is refused whole with 429 and charged nothing more; the
 * message says how many items would fit. A no-op where no principal was set
 * (authenticate() not mounted, as in some tests of the routes alone).
 */
export async function chargeBulkItems(c: Context<AppEnv>, items: number): Promise<void> {
  const principal = c.get('principal');
  // The request itself passed uncounted: Redis just failed, so the items pass too, without a second wait and warning.
  if (!principal || items <= 0 || quotas.get(c)?.uncounted) return;
  const services = accessFromEnv(c.env ?? {});
  const planLimit = services.limits[principal.plan];
  const limiter = services.limiters[principal.plan];
  let available: Quota;
  try {
    const { remaining, reset, limit } = await limiter.getRemaining(identifierOf(principal));
    available = { limit, remaining, resetMs: reset };
  } catch (err) {
    unlimited(c, principal, planLimit, logText(err));
    return;
  }
  // Asked first because @upstash/ratelimit's script counts a charge that overshoots: a refused job must cost nothing.
  const quota = available.remaining >= items ? await take(c, limiter, principal, planLimit, items) : { ...available, success: false };
  quotas.set(c, quota);
  if (quota.success) return;
  const retryAfterSec = writeRefusalHeaders(c, quota);
  const advice = quota.remaining > 0 ? `only ${quota.remaining} fit in the current window; send at most ${quota.remaining} items or retry in ${retryAfterSec} s` : `none fit in the current window; retry in ${retryAfterSec} s`;
  throw new RateLimitedError(`This job has ${items} items and each counts towards the rate limit (${describe(principal, planLimit)}), but ${advice}`);
}
