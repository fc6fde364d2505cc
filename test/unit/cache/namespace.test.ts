import { describe, expect, it } from 'vitest';
import { NamespaceCache } from '../../../src/cache/namespace';
import { MemorySharedTier, type SharedTier } from '../../../src/cache/shared-tier';
import { manualClock } from './support';

/** A shared tier whose namespace reads can be made to fail, as an unreachable Redis's do. */
class FlakyTier extends MemorySharedTier {
  down = false;
  reads = 0;

  override async readNamespace(): Promise<number | null> {
    this.reads++;
    return this.down ? null : super.readNamespace();
  }
}

describe('NamespaceCache', () => {
  it('a clear in one isolate reaches another within the refresh interval', async () => {
    const shared = new MemorySharedTier(); // one counter, two isolates' copies
    const clock = manualClock();
    const a = new NamespaceCache(shared, 5, clock.now);
    const b = new NamespaceCache(shared, 5, clock.now);
    expect([await a.current(100), await b.current(100)]).toEqual([0, 0]);
    expect(await a.bump()).toBe(1);
    expect(await a.current(100)).toBe(1); // the clearing isolate at once
    clock.advanceSec(4.999);
    expect(await b.current(100)).toBe(0);
    clock.advanceSec(0.001);
    expect(await b.current(100)).toBe(1);
  });

  it('reads the shared tier once per interval', async () => {
    const tier = new FlakyTier();
    const clock = manualClock();
    const ns = new NamespaceCache(tier, 5, clock.now);
    for (let i = 0; i < 10; i++) await ns.current(100);
    expect(tier.reads).toBe(1);
    clock.advanceSec(5);
    await ns.current(100);
    expect(tier.reads).toBe(2);
  });

  it('keeps the last known value when a refresh fails, and is null when it never knew one', async () => {
    const tier = new FlakyTier();
    const clock = manualClock();
    const fresh = new NamespaceCache(tier, 5, clock.now);
    tier.down = true;
    expect(await fresh.current(100)).toBeNull();
    tier.down = false;
    expect(await fresh.current(100)).toBe(0); // retried at once: nothing known yet
    await tier.bumpNamespace();
    tier.down = true;
    clock.advanceSec(10);
    expect(await fresh.current(100)).toBe(0);
    tier.down = false;
    expect(await fresh.current(100)).toBe(1); // the failed refresh did not start a new interval
  });

  it('passes the remaining budget to the tier', async () => {
    const budgets: number[] = [];
    const tier = { kind: 'redis', readNamespace: async (timeoutMs: number) => (budgets.push(timeoutMs), 3) } as unknown as SharedTier;
    await new NamespaceCache(tier, 5, Date.now).current(42);
    expect(budgets).toEqual([42]);
  });
});
