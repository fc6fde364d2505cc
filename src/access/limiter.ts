/**
 * Rate limiters, one per plan: @upstash/ratelimit's sliding window on Redis,
 * or, without Redis, MemoryRatelimit, the same algorithm in one isolate's
 * memory with the same method and result shapes, so the middleware cannot
 * tell them apart.
 *
 * Besides the library's `limit` (one unit per request), both offer
 * `reserve`/`release` for charges of many units (bulk items, batch requests):
 * the library's script cannot serve them. It refuses a positive charge only
 * once the count has reached the limit and otherwise counts it, even when it
 * overshoots; so a refused charge may or may not have been counted, and
 * nobody can tell which (its reply is clamped to `remaining: 0` either way).
 * Refunding a refused charge would then hand out free units, and not refunding
 * it bills a job that never ran. `reserve` is all or nothing in one step, and
 * `release` takes the units back out of the window they were counted in (a
 * negative `limit` rate would land in the current window: a refund just after
 * a window boundary would cancel more than the charge still weighed).
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import type { PlanLimit } from './plans';

export interface LimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix time, milliseconds, at which the current window ends. */
  reset: number;
  /** @upstash/ratelimit's: `timeout` (no answer within its budget: allowed), `cacheBlock` (refused from the isolate's memory). */
  reason?: 'timeout' | 'cacheBlock' | 'denyList';
}

export interface Reservation {
  /** All the units were counted; false: none was. */
  success: boolean;
  limit: number;
  /** Units left after the reservation (success), or before it (refusal: how many would have fit). */
  remaining: number;
  reset: number;
  units: number;
  /** The window number the units were counted in, for `release`. */
  window: number;
}

/** The part of @upstash/ratelimit's `Ratelimit` we use, plus all-or-nothing charges. */
export interface RateLimiter {
  limit(identifier: string, req?: { rate?: number }): Promise<LimitResult>;
  getRemaining(identifier: string): Promise<{ remaining: number; reset: number; limit: number }>;
  /** Counts `units` if they all fit in the sliding window, else counts nothing. */
  reserve(identifier: string, units: number): Promise<Reservation>;
  /** Gives a successful reservation's units back (nothing once its window has left the sliding window). */
  release(identifier: string, reservation: Reservation): Promise<void>;
}

export const RATELIMIT_REDIS_PREFIX = 'ae:ratelimit:v1';

/**
 * A Map of identifier → Unix ms until which it is blocked, that bounds
 * itself: @upstash/ratelimit drops an entry only when that identifier is
 * looked up again, so callers refused once and never seen again would stay
 * for the isolate's life. Past `pruneAt` entries, expired ones are dropped
 * (then not again before the map doubles, so pruning stays amortised O(1));
 * past `maxEntries`, the oldest insertions go, which only sends those callers
 * to Redis for their next answer.
 */
export class ExpiringBlockMap extends Map<string, number> {
  private nextPruneAt: number;

  constructor(
    private readonly pruneAt = 1_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.nextPruneAt = pruneAt;
  }

  override set(key: string, untilMs: number): this {
    // Re-inserted, so that insertion order is the order of the latest blocks and the cap drops the oldest.
    super.delete(key);
    super.set(key, untilMs);
    if (this.size > this.nextPruneAt) {
      const nowMs = this.now();
      for (const [k, until] of this) if (until < nowMs) super.delete(k);
      this.nextPruneAt = Math.max(this.pruneAt, this.size * 2);
    }
    for (const k of this.keys()) {
      if (this.size <= this.maxEntries) break;
      super.delete(k);
    }
    return this;
  }

  /** Unix ms until which `key` is blocked, or null (an expired entry is dropped on the way). */
  blockedUntil(key: string): number | null {
    const until = this.get(key);
    if (until === undefined) return null;
    if (until < this.now()) {
      this.delete(key);
      return null;
    }
    return until;
  }
}

/**
 * Identifiers already over their limit, with the end of their window: such a
 * caller is refused without a Redis call until then. Module level so it
 * outlives requests (one map per isolate, shared by every plan's limiter; the
 * prefix keeps their identifiers apart; the library keys it `<prefix>:<identifier>`).
 */
export const EPHEMERAL_CACHE = new ExpiringBlockMap();

/**
 * The library's single-region sliding window (its Redis keys
 * `<prefix>:<identifier>:<window number>`, integer strings, expiring two
 * windows + 1 s after creation, and its weighting, rounded down), but
 * refusing, without counting anything, a charge that does not wholly fit.
 * Pinned against the library by test/stack/access.test.ts.
 */
const RESERVE_SCRIPT = `
local tokens = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local units = tonumber(ARGV[4])
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
local previous = tonumber(redis.call("GET", KEYS[2]) or "0")
local used = math.floor((1 - (now % window) / window) * previous) + current
if used + units > tokens then
  return {0, tokens - used}
end
local value = redis.call("INCRBY", KEYS[1], units)
if value == units then
  redis.call("PEXPIRE", KEYS[1], window * 2 + 1000)
end
return {1, tokens - used - units}
`;

/** DECRBY keeps the key's expiry; a counter already gone (its window left the sliding window) has nothing to give back. */
const RELEASE_SCRIPT = `
local units = tonumber(ARGV[1])
local value = tonumber(redis.call("GET", KEYS[1]) or "0")
if value > 0 then
  redis.call("DECRBY", KEYS[1], math.min(units, value))
end
return 1
`;

function integerPair(reply: unknown): [number, number] {
  if (Array.isArray(reply) && reply.length === 2) {
    const [a, b] = reply.map(Number);
    if (Number.isInteger(a) && Number.isInteger(b)) return [a, b];
  }
  throw new Error(`unexpected reserve reply ${JSON.stringify(reply)?.slice(0, 100)}`);
}

export class UpstashRatelimit implements RateLimiter {
  private readonly ratelimit: Ratelimit;
  private readonly windowMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly planLimit: PlanLimit,
    timeoutMs: number,
  ) {
    this.windowMs = planLimit.windowSec * 1000;
    this.ratelimit = new Ratelimit({
      // The Cloudflare and Node clients share one class; the package types name the Node entry.
      redis: redis as unknown as ConstructorParameters<typeof Ratelimit>[0]['redis'],
      limiter: Ratelimit.slidingWindow(planLimit.requests, `${planLimit.windowSec} s`),
      prefix,
      ephemeralCache: EPHEMERAL_CACHE,
      timeout: timeoutMs,
      analytics: false,
    });
  }

  limit(identifier: string, req?: { rate?: number }): Promise<LimitResult> {
    return this.ratelimit.limit(identifier, req);
  }

  getRemaining(identifier: string): Promise<{ remaining: number; reset: number; limit: number }> {
    return this.ratelimit.getRemaining(identifier);
  }

  async reserve(identifier: string, units: number): Promise<Reservation> {
    const nowMs = Date.now();
    const window = Math.floor(nowMs / this.windowMs);
    const key = `${this.prefix}:${identifier}`;
    const reply = await this.redis.eval(RESERVE_SCRIPT, [`${key}:${window}`, `${key}:${window - 1}`], [this.planLimit.requests, nowMs, this.windowMs, units]);
    const [granted, remaining] = integerPair(reply);
    return { success: granted === 1, limit: this.planLimit.requests, remaining: Math.max(0, remaining), reset: (window + 1) * this.windowMs, units, window };
  }

  async release(identifier: string, reservation: Reservation): Promise<void> {
    if (!reservation.success) return;
    const key = `${this.prefix}:${identifier}`;
    await this.redis.eval(RELEASE_SCRIPT, [`${key}:${reservation.window}`], [reservation.units]);
    // A request refused meanwhile because of these units blocked the caller in this isolate; it is under its limit again.
    EPHEMERAL_CACHE.delete(key);
  }
}

/** Identifiers one MemoryRatelimit keeps at most; beyond, the least recently charged lose their counts. */
export const MEMORY_MAX_IDENTIFIERS = 50_000;

/**
 * @upstash/ratelimit's single-region sliding window (its script is quoted in
 * README.md), so that tests without Redis predict production: counts per
 * fixed window, the previous one weighted by how much of it still overlaps the
 * sliding window (rounded down); a positive `limit` charge is refused
 * uncounted once the count has reached the limit, else counted even if it
 * overshoots; a negative one is always applied. `reserve`/`release` as
 * UpstashRatelimit's scripts.
 */
export class MemoryRatelimit implements RateLimiter {
  private readonly windowMs: number;
  /**
   * identifier → [window number of the last charge, count in it, count in the window before].
   * Re-inserted on every charge, so iteration order is charge order and the front holds the oldest windows.
   */
  private readonly counts = new Map<string, [number, number, number]>();

  constructor(
    private readonly tokens: number,
    windowSec: number,
    private readonly now: () => number = Date.now,
    private readonly maxIdentifiers = MEMORY_MAX_IDENTIFIERS,
  ) {
    this.windowMs = windowSec * 1000;
  }

  /** Identifiers held (for tests and bounds). */
  get size(): number {
    return this.counts.size;
  }

  async limit(identifier: string, req: { rate?: number } = {}): Promise<LimitResult> {
    const rate = req.rate ?? 1;
    const { window, current, previous, used, reset } = this.state(identifier);
    if (rate > 0 && used >= this.tokens) return { success: false, limit: this.tokens, remaining: 0, reset };
    this.store(identifier, window, current + rate, previous);
    const remaining = this.tokens - used - rate;
    return { success: remaining >= 0, limit: this.tokens, remaining: Math.max(0, remaining), reset };
  }

  async getRemaining(identifier: string): Promise<{ remaining: number; reset: number; limit: number }> {
    const { used, reset } = this.state(identifier);
    return { remaining: Math.max(0, this.tokens - used), reset, limit: this.tokens };
  }

  async reserve(identifier: string, units: number): Promise<Reservation> {
    const { window, current, previous, used, reset } = this.state(identifier);
    const base = { limit: this.tokens, reset, units, window };
    if (used + units > this.tokens) return { ...base, success: false, remaining: Math.max(0, this.tokens - used) };
    this.store(identifier, window, current + units, previous);
    return { ...base, success: true, remaining: Math.max(0, this.tokens - used - units) };
  }

  async release(identifier: string, reservation: Reservation): Promise<void> {
    const stored = this.counts.get(identifier);
    if (!reservation.success || !stored) return;
    const [storedWindow, current, previous] = stored;
    const take = (count: number) => count - Math.min(reservation.units, Math.max(0, count));
    // In place: a release is no charge and must not move the identifier to the back.
    if (storedWindow === reservation.window) this.counts.set(identifier, [storedWindow, take(current), previous]);
    else if (storedWindow === reservation.window + 1) this.counts.set(identifier, [storedWindow, current, take(previous)]);
  }

  /** The identifier's counts rolled forward to the current window. */
  private state(identifier: string) {
    const nowMs = this.now();
    const window = Math.floor(nowMs / this.windowMs);
    const stored = this.counts.get(identifier);
    let current = 0;
    let previous = 0;
    if (stored) {
      const [storedWindow, storedCurrent, storedPrevious] = stored;
      if (storedWindow === window) [current, previous] = [storedCurrent, storedPrevious];
      else if (storedWindow === window - 1) previous = storedCurrent;
    }
    const overlap = 1 - (nowMs % this.windowMs) / this.windowMs;
    const used = Math.floor(overlap * previous) + current;
    return { window, current, previous, used, reset: (window + 1) * this.windowMs };
  }

  /**
   * Entries are in charge order, so the stale ones (two windows old: they
   * weigh nothing any more) are at the front: dropping them costs one step
   * per entry dropped, never a scan of the live ones.
   */
  private store(identifier: string, window: number, current: number, previous: number): void {
    this.counts.delete(identifier);
    this.counts.set(identifier, [window, current, previous]);
    for (const [id, [storedWindow]] of this.counts) {
      if (storedWindow >= window - 1 && this.counts.size <= this.maxIdentifiers) break;
      this.counts.delete(id);
    }
  }
}
