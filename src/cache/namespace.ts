/**
 * The namespace makes `clear()` global and O(1): it is a number inside every
 * key, kept in the shared tier (Redis `ae:ns`, or memory), and a clear
 * increments it. Entries under older numbers are never read again and expire
 * by their TTL; nothing has to be enumerated or deleted, which the Cache API
 * could not do anyway (it only deletes one URL in one data centre).
 *
 * Each isolate keeps its copy for `refreshSec`, so a clear reaches every
 * isolate within that time at the cost of one small Redis GET per isolate per
 * `refreshSec`. Reads follow the tier's timeout and fail-open rules:
 *   - read fails, a value is known → keep using it (availability first; a
 *     clear made meanwhile reaches this isolate once Redis answers again);
 *   - read fails, nothing known yet → null: the caller bypasses the cache
 *     rather than guess a number and serve entries that were cleared.
 * Concurrent refreshes are not merged into one promise on purpose: in workerd
 * a promise fed by one request's I/O must not be awaited by another request.
 */
import type { SharedTier } from './shared-tier';

export class NamespaceCache {
  private value: number | null = null;
  private fetchedAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly tier: SharedTier,
    private readonly refreshSec: number,
    private readonly now: () => number,
  ) {}

  async current(timeoutMs: number): Promise<number | null> {
    if (this.value !== null && this.now() - this.fetchedAtMs < this.refreshSec * 1000) return this.value;
    const fresh = await this.tier.readNamespace(timeoutMs);
    if (fresh !== null) this.remember(fresh);
    return this.value;
  }

  /** Increments the shared counter; this isolate sees the new value at once. Throws CacheClearError. */
  async bump(): Promise<number> {
    const ns = await this.tier.bumpNamespace();
    this.remember(ns);
    return ns;
  }

  private remember(ns: number): void {
    // Redis is the truth: isolates must agree. A lost counter is re-seeded above every
    // earlier value (redis-tier.ts), so the truth never returns to a cleared number.
    this.value = ns;
    this.fetchedAtMs = this.now();
  }
}
