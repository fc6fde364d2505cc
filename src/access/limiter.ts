/**
 * Rate limiters, one per plan: @upstash/ratelimit's sliding window on Redis,
 * or, without Redis, MemoryRatelimit, the same algorithm in one isolate's
 * memory with the same method and result shapes, so the middleware cannot
 * tell them apart.
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';
import type { PlanLimit, PlanName } from './plans';

export interface LimitResult {
  success: boolean;
  limit: number;
  remaining: number;
  /** Unix time, milliseconds, at which the current window ends. */
  reset: number;
  /** @upstash/ratelimit's: `timeout` (no answer within its budget: allowed), `cacheBlock` (refused from the isolate's memory). */
  reason?: 'timeout' | 'cacheBlock' | 'denyList';
}

/** The part of @upstash/ratelimit's `Ratelimit` we use. */
export interface RateLimiter {
  limit(identifier: string, req?: { rate?: number }): Promise<LimitResult>;
  getRemaining(identifier: string): Promise<{ remaining: number; reset: number; limit: number }>;
}

export const RATELIMIT_REDIS_PREFIX = 'ae:ratelimit:v1';

/**
 * Identifiers already over their limit, with the end of their window: such a
 * caller is refused without a Redis call until then. Module level so it
 * outlives requests (one map per isolate, shared by every plan's limiter; the
 * prefix keeps their identifiers apart).
 */
const EPHEMERAL_CACHE = new Map<string, number>();

export function upstashLimiter(redis: Redis, plan: PlanName, limit: PlanLimit, timeoutMs: number): RateLimiter {
  return new Ratelimit({
    // The Cloudflare and Node clients share one class; the package types name the Node entry.
    redis: redis as unknown as ConstructorParameters<typeof Ratelimit>[0]['redis'],
    limiter: Ratelimit.slidingWindow(limit.requests, `${limit.windowSec} s`),
    prefix: `${RATELIMIT_REDIS_PREFIX}:${plan}`,
    ephemeralCache: EPHEMERAL_CACHE,
    timeout: timeoutMs,
    analytics: false,
  });
}

/** Identifiers are swept once the map holds this many (each costs two numbers). */
const MEMORY_SWEEP_AT = 10_000;

/**
 * @upstash/ratelimit's single-region sliding window: counts per fixed window,
 * the previous one weighted by how much of it still overlaps the sliding
 * window (rounded down, as its Lua script does). One difference, on purpose:
 * a charge that does not fit is refused without being counted, where the Lua
 * script counts an over-the-limit charge of more than one unit.
 */
export class MemoryRatelimit implements RateLimiter {
  private readonly windowMs: number;
  /** identifier → [window number, count in it, count in the window before]. */
  private readonly counts = new Map<string, [number, number, number]>();

  constructor(
    private readonly tokens: number,
    windowSec: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = windowSec * 1000;
  }

  async limit(identifier: string, req: { rate?: number } = {}): Promise<LimitResult> {
    const rate = req.rate ?? 1;
    const { window, current, previous, used, reset } = this.state(identifier);
    if (rate > 0 && used + rate > this.tokens) return { success: false, limit: this.tokens, remaining: Math.max(0, this.tokens - used), reset };
    this.counts.set(identifier, [window, Math.max(0, current + rate), previous]);
    if (this.counts.size > MEMORY_SWEEP_AT) this.sweep(window);
    return { success: true, limit: this.tokens, remaining: Math.max(0, this.tokens - used - rate), reset };
  }

  async getRemaining(identifier: string): Promise<{ remaining: number; reset: number; limit: number }> {
    const { used, reset } = this.state(identifier);
    return { remaining: Math.max(0, this.tokens - used), reset, limit: this.tokens };
  }

  /** Rolls the identifier's counts forward to the current window. */
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
      this.counts.set(identifier, [window, current, previous]);
    }
    const overlap = 1 - (nowMs % this.windowMs) / this.windowMs;
    const used = Math.floor(overlap * previous) + current;
    return { window, current, previous, used, reset: (window + 1) * this.windowMs };
  }

  private sweep(window: number): void {
    for (const [identifier, [storedWindow]] of this.counts) {
      if (storedWindow < window - 1) this.counts.delete(identifier);
    }
  }
}
