/**
 * Failed authentications per client address. Every request with an unknown
 * key costs a key-store lookup (a Redis call), and random keys never repeat,
 * so without a bound one client could make unlimited lookups. Failures are
 * counted by a rate limiter (shared by every isolate on Redis); once an
 * address is over, this isolate refuses its keyed requests from memory until
 * the window ends, before any lookup. Another isolate learns it at that
 * address's next failure there: one more lookup, then it refuses too.
 */
import { ExpiringBlockMap, type RateLimiter } from './limiter';
import type { PlanLimit } from './plans';

export class AuthFailureGuard {
  private readonly blocks: ExpiringBlockMap;

  constructor(
    private readonly limiter: RateLimiter,
    readonly limit: Readonly<PlanLimit>,
    now: () => number = Date.now,
  ) {
    this.blocks = new ExpiringBlockMap(1_000, 10_000, now);
  }

  /** Unix ms until which `address` (an addressKey) is refused, or null. */
  blockedUntil(address: string): number | null {
    return this.blocks.blockedUntil(address);
  }

  /**
   * Counts one failure of `address`; returns the end of its block when this
   * failure is over the limit, else null. Throws when the limiter cannot be
   * asked (the caller fails open, as for quotas).
   */
  async fail(address: string): Promise<number | null> {
    const result = await this.limiter.limit(`ip:${address}`);
    if (result.success || result.reason === 'timeout') return null;
    this.blocks.set(address, result.reset);
    return result.reset;
  }
}
