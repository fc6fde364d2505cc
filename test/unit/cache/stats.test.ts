import { describe, expect, it } from 'vitest';
import { CacheCounters, countsFromFields, summarise, zeroCounts } from '../../../src/cache/stats';

const context = { scope: 'isolate', note: '', sharedBackend: 'memory', redis: { configured: false, reachable: null }, edgeEnabled: true } as const;

describe('CacheCounters', () => {
  it('keeps pending increments until a flush succeeds, and puts back a failed one', () => {
    const c = new CacheCounters();
    c.count('edgeHits');
    c.count('misses');
    const batch = c.startFlush();
    expect(batch).toMatchObject({ edgeHits: 1, misses: 1 });
    expect(c.startFlush()).toBeNull(); // nothing new
    c.count('edgeHits');
    expect(c.unflushed()).toMatchObject({ edgeHits: 2, misses: 1 }); // in flight + pending
    c.finishFlush(batch!, false);
    expect(c.unflushed()).toMatchObject({ edgeHits: 2, misses: 1 });
    const retry = c.startFlush();
    expect(retry).toMatchObject({ edgeHits: 2, misses: 1 });
    c.finishFlush(retry!, true);
    expect(c.unflushed()).toEqual(zeroCounts());
    expect(c.local()).toMatchObject({ edgeHits: 2, misses: 1 }); // lifetime totals stay
  });
});

describe('summarise', () => {
  it('computes hit rates overall and per tier', () => {
    const counts = { ...zeroCounts(), edgeHits: 6, edgeMisses: 4, sharedHits: 1, sharedMisses: 3, misses: 3 };
    const s = summarise(counts, context);
    expect(s).toMatchObject({ lookups: 10, hits: 7, misses: 3, hitRate: 0.7 });
    expect(s.tiers.edge).toMatchObject({ enabled: true, hitRate: 0.6 });
    expect(s.tiers.shared.hitRate).toBe(0.25);
    expect(summarise(zeroCounts(), context).hitRate).toBeNull();
  });

  it('reads counters from a Redis hash, ignoring other fields', () => {
    expect(countsFromFields({ edgeHits: '5', lastClearAt: '2026-01-01T00:00:00Z', misses: 'junk' })).toMatchObject({ edgeHits: 5, misses: 0, sharedHits: 0 });
  });
});
