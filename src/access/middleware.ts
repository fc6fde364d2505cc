/**
 * `authenticate()` establishes who calls (a key, or an anonymous IP when keys
 * are optional) and bounds failed attempts per address; `rateLimit()` charges
 * one unit of that caller's plan quota and writes the RateLimit-* headers;
 * `chargeBulkItems()` / `chargeBatchRequests()` reserve the extra units of a
 * bulk job or an old-style batch. Only the calculation routes are covered
 * (KEYED_PATHS); the operational ones have their own admin-token or
 * QStash-signature checks.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../http/errors';
import { writeLine } from '../obs/log';
import { legacyOnError } from '../routes/legacy';
import { InvalidApiKeyError, MissingApiKeyError, RateLimitedError, RevokedApiKeyError, logText } from './errors';
import { addressKey } from './client-address';
import { accessFromEnv, type AccessServices } from './from-env';
import { credentialOf, isApiKeyFormat, sha256Hex } from './keys';
import type { RateLimiter, Reservation } from './limiter';
import type { PlanLimit } from './plans';
import type { Principal } from './types';

/** Paths that take a key (required when REQUIRE_API_KEY=true) and are rate limited. */
const KEYED_PATHS = [/^\/v1\//, /^\/lahiri\//, /^\/raman\//, /^\/batch\/calculate$/, /^\/async\//];
/** The old service's routes answer errors in its shape (`error` as a string), refusals included. */
const LEGACY_PATHS = [/^\/lahiri\//, /^\/raman\//, /^\/batch\/calculate$/, /^\/async\//];

export function isKeyedPath(path: string): boolean {
  return KEYED_PATHS.some((pattern) => pattern.test(path));
}

const REALM = 'Bearer realm="astro-engine-edge"';

/** Our own refusals, in the shape the path's clients read; anything else goes on to the app's onError. */
function refuse(c: Context<AppEnv>, err: unknown): Response | Promise<Response> {
  if (err instanceof AppError && LEGACY_PATHS.some((pattern) => pattern.test(c.req.path))) return legacyOnError(err, c);
  throw err;
}

function secondsUntil(resetMs: number): number {
  return Math.max(0, Math.ceil((resetMs - Date.now()) / 1000));
}

function tooManyFailures(c: Context<AppEnv>, services: AccessServices, untilMs: number): RateLimitedError {
  const retryAfterSec = Math.max(1, secondsUntil(untilMs));
  c.header('Retry-After', String(retryAfterSec));
  const { requests, windowSec } = services.authFailures.limit;
  return new RateLimitedError(`Too many requests with an invalid API key from this address (at most ${requests} per ${windowSec} s); retry in ${retryAfterSec} s`);
}

/** A 401 invalid_api_key, counted against the address; the failure over the limit is a 429 instead. */
async function failedAuthentication(c: Context<AppEnv>, services: AccessServices, address: string, message?: string): Promise<AppError> {
  let blockedUntil: number | null = null;
  try {
    blockedUntil = await services.authFailures.fail(address);
  } catch (err) {
    // As for quotas: a limiter outage must not turn a 401 into a 500.
    writeLine('warn', 'ratelimit_unavailable', { requestId: c.get('requestId'), limiter: 'auth_failures', error: logText(err) });
  }
  if (blockedUntil !== null) return tooManyFailures(c, services, blockedUntil);
  c.header('WWW-Authenticate', `${REALM}, error="invalid_token"`);
  return new InvalidApiKeyError(message);
}

async function principalOf(c: Context<AppEnv>): Promise<Principal> {
  const services = accessFromEnv(c.env ?? {});
  const credential = credentialOf({ authorization: c.req.header('authorization'), 'x-api-key': c.req.header('x-api-key') });
  const ip = c.req.header('cf-connecting-ip') || 'unknown';
  if (credential.kind === 'none') {
    if (services.requireKey) {
      c.header('WWW-Authenticate', REALM);
      throw new MissingApiKeyError();
    }
    return { kind: 'anonymous', ip, plan: 'anonymous' };
  }
  // An address over its failure limit gets no lookup at all, whatever key it sends now.
  const address = addressKey(ip);
  const blockedUntil = services.authFailures.blockedUntil(address);
  if (blockedUntil !== null) throw tooManyFailures(c, services, blockedUntil);
  // A key sent when none is required is still checked: a typo must not silently become anonymous.
  if (credential.kind === 'malformed') throw await failedAuthentication(c, services, address, `The API key is not valid: ${credential.reason}`);
  if (!isApiKeyFormat(credential.key)) throw await failedAuthentication(c, services, address);
  const record = await services.keys.find(await sha256Hex(credential.key));
  if (!record) throw await failedAuthentication(c, services, address);
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

/** IPv6 callers are keyed by their /64 (client-address.ts), so that one subscriber gets one quota. */
function identifierOf(principal: Principal): string {
  return principal.kind === 'key' ? `key:${principal.keyId}` : `ip:${addressKey(principal.ip)}`;
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
  const who = principal.kind === 'key' ? `key ${principal.keyId} (${principal.plan} plan)` : 'anonymous calls from this address (for IPv6, its /64)';
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

/** Extra units reserved for a request; `refund()` gives them back when its work did not happen. Never throws. */
export interface Charge {
  refund(): Promise<void>;
  /** Units this request has consumed so far, its own included (0 when the limiter was not asked or could not be). */
  readonly consumed: number;
}

const nothingCharged = (consumed: number): Charge => ({ refund: async () => undefined, consumed });

/**
 * Reserves `units` more of the caller's quota, all or nothing, on top of the
 * unit its request took: a refusal (429, with the message `refusal` writes
 * from how many units would fit and the seconds to wait) counts nothing, even
 * with concurrent requests of the same caller. A no-op where no principal was
 * set (authenticate() not mounted, as in some tests of the routes alone).
 */
async function reserveUnits(c: Context<AppEnv>, units: number, refusal: (fit: number, retryAfterSec: number, limits: string) => string): Promise<Charge> {
  const principal = c.get('principal');
  // The request itself passed uncounted: Redis just failed, so these pass too, without a second wait and warning.
  if (!principal || quotas.get(c)?.uncounted) return nothingCharged(0);
  if (units <= 0) return nothingCharged(1);
  const services = accessFromEnv(c.env ?? {});
  const planLimit = services.limits[principal.plan];
  const limiter = services.limiters[principal.plan];
  const identifier = identifierOf(principal);
  let reservation: Reservation;
  try {
    reservation = await limiter.reserve(identifier, units);
  } catch (err) {
    unlimited(c, principal, planLimit, logText(err));
    return nothingCharged(1);
  }
  const quota: Quota = { limit: reservation.limit, remaining: reservation.remaining, resetMs: reservation.reset };
  quotas.set(c, quota);
  if (!reservation.success) {
    const retryAfterSec = writeRefusalHeaders(c, quota);
    throw new RateLimitedError(refusal(reservation.remaining, retryAfterSec, describe(principal, planLimit)));
  }
  let refunded = false;
  return {
    get consumed() {
      return refunded ? 1 : 1 + units;
    },
    refund: async () => {
      if (refunded) return;
      refunded = true;
      try {
        await limiter.release(identifier, reservation);
        quotas.set(c, { ...quota, remaining: quota.remaining + units });
      } catch (err) {
        // The caller keeps the charge for a job that did not run until the window passes: a nuisance, not an open door.
        writeLine('warn', 'ratelimit_refund_failed', { requestId: c.get('requestId'), plan: principal.plan, keyId: principal.kind === 'key' ? principal.keyId : undefined, units, error: logText(err) });
      }
    },
  };
}

/**
 * Reserves a validated bulk job's items (one unit each) before anything is
 * queued. A job that does not fit the remaining quota is refused whole with
 * 429 and costs only its request's unit; the message says how many items
 * would fit. The route refunds the reservation unless this request queued the
 * items (an Idempotency-Key replay of a queued job, a 409 or a failed
 * dispatch costs only the request's unit).
 */
export function chargeBulkItems(c: Context<AppEnv>, items: number): Promise<Charge> {
  return reserveUnits(c, items, (fit, retryAfterSec, limits) => {
    const advice = fit > 0 ? `only ${fit} fit in the current window; send at most ${fit} items or retry in ${retryAfterSec} s` : `none fit in the current window; retry in ${retryAfterSec} s`;
    return `This job has ${items} items and each counts towards the rate limit (${limits}), but ${advice}`;
  });
}

/**
 * `POST /batch/calculate`: each request after the first costs one unit more
 * (the first is the unit the middleware took), reserved before any is
 * computed; the route refunds them when the batch fails.
 */
export function chargeBatchRequests(c: Context<AppEnv>, requests: number): Promise<Charge> {
  return reserveUnits(c, requests - 1, (fit, retryAfterSec, limits) => {
    const advice = fit > 0 ? `only ${fit} more fit in the current window; send at most ${fit + 1} requests or retry in ${retryAfterSec} s` : `no more fit in the current window; send one request or retry in ${retryAfterSec} s`;
    return `This batch has ${requests} requests and each counts towards the rate limit (${limits}), but ${advice}`;
  });
}
