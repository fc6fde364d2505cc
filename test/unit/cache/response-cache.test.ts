import { describe, expect, it } from 'vitest';
import { CacheValueError, EDGE_CACHE_ORIGIN, ResponseCache, type ResponseCacheOptions } from '../../../src/cache';
import { Collector, MapCache, manualClock } from './support';
import { CACHE_POLICY } from '../../../src/cache/policy';

const input = { utc: '2026-11-29T00:00:00Z', latDeg: 13.0878, lonDeg: 80.2785 };

function setup(options: Partial<ResponseCacheOptions> = {}) {
  const clock = manualClock();
  const cache = new ResponseCache({ edge: null, now: clock.now, ...options });
  const ctx = new Collector();
  let computes = 0;
  const compute = () => ({ n: ++computes, planets: { Sun: 231.5595027 } });
  return { cache, ctx, clock, compute, computes: () => computes };
}

describe('ResponseCache without Redis (memory stand-in, no edge)', () => {
  it('MISS, then the shared tier answers as HIT-REDIS for a shared resource', async () => {
    const { cache, ctx, compute } = setup();
    const first = await cache.getOrCompute('transits', input, compute, ctx);
    expect(first).toMatchObject({ source: 'MISS', value: { n: 1 } });
    expect(first.computeMs).toBeGreaterThanOrEqual(0);
    await ctx.settle();
    const second = await cache.getOrCompute('transits', { ...input }, compute, ctx);
    expect(second).toMatchObject({ source: 'HIT-REDIS', value: { n: 1, planets: { Sun: 231.5595027 } }, key: first.key, computeMs: 0 });
    expect(cache.sharedBackend).toBe('memory');
  });

  it('skips the shared tier for resources whose policy says so (natal: edge → compute)', async () => {
    const { cache, ctx, compute, computes } = setup();
    await cache.getOrCompute('natal', input, compute, ctx);
    await ctx.settle();
    expect((await cache.getOrCompute('natal', input, compute, ctx)).source).toBe('MISS');
    expect(computes()).toBe(2);
  });

  it('schedules the fill through waitUntil', async () => {
    const { cache, ctx, compute } = setup();
    await cache.getOrCompute('transits', input, compute, ctx);
    expect(ctx.promises.length).toBe(1);
  });

  it('does not cache a failed compute', async () => {
    const { cache, ctx, compute } = setup();
    const boom = () => {
      throw new Error('engine down');
    };
    await expect(cache.getOrCompute('transits', input, boom, ctx)).rejects.toThrow('engine down');
    await expect(cache.getOrCompute('transits', input, async () => Promise.reject(new Error('again')), ctx)).rejects.toThrow('again');
    expect(ctx.promises).toHaveLength(0);
    expect((await cache.getOrCompute('transits', input, compute, ctx)).source).toBe('MISS');
    expect((await cache.stats()).computeErrors).toBe(2);
  });

  it('refuses a value JSON cannot carry', async () => {
    const { cache, ctx } = setup();
    await expect(cache.getOrCompute('transits', input, () => ({ big: 1n }), ctx)).rejects.toBeInstanceOf(CacheValueError);
    await expect(cache.getOrCompute('transits', input, () => undefined, ctx)).rejects.toBeInstanceOf(CacheValueError);
  });

  it('clear() bumps the namespace: the next read is a MISS under a new key', async () => {
    const { cache, ctx, compute } = setup();
    const before = await cache.getOrCompute('transits', input, compute, ctx);
    await ctx.settle();
    expect(await cache.clear(ctx)).toEqual({ namespace: 1, edgeStaleForSec: 0, scope: 'isolate' });
    const after = await cache.getOrCompute('transits', input, compute, ctx);
    expect(after.source).toBe('MISS');
    expect(after.key).not.toBe(before.key);
    expect(after.key).toMatch(/^ae:v\d+:1:transits:/);
    expect(before.key.split(':').pop()).toBe(after.key.split(':').pop());
  });

  it('counts hits and misses per tier and reports the isolate scope', async () => {
    const { cache, ctx, compute } = setup();
    await cache.getOrCompute('transits', input, compute, ctx); // miss
    await ctx.settle();
    await cache.getOrCompute('transits', input, compute, ctx); // hit
    await cache.getOrCompute('transits', input, compute, ctx); // hit
    await cache.getOrCompute('natal', input, compute, ctx); // miss, shared not consulted
    const stats = await cache.stats();
    expect(stats).toMatchObject({
      scope: 'isolate',
      sharedBackend: 'memory',
      redis: { configured: false, reachable: null },
      lookups: 4,
      hits: 2,
      misses: 2,
      hitRate: 0.5,
      tiers: { edge: { enabled: false, hits: 0, misses: 0, hitRate: null }, shared: { hits: 2, misses: 1, errors: 0 } },
    });
    expect(stats.tiers.shared.hitRate).toBeCloseTo(2 / 3);
    expect(await cache.health()).toEqual({ redis: 'not_configured' });
  });

  it('expires shared entries by the policy TTL', async () => {
    const { cache, ctx, clock, compute } = setup({ policy: { natal: { ttlSec: 60, shared: true }, divisional: { ttlSec: 60, shared: false }, transits: { ttlSec: 60, shared: true }, legacy: { ttlSec: 60, shared: false }, dashas: { ttlSec: 60, shared: false }, panchang: { ttlSec: 60, shared: true } } });
    await cache.getOrCompute('natal', input, compute, ctx);
    await ctx.settle();
    clock.advanceSec(59);
    expect((await cache.getOrCompute('natal', input, compute, ctx)).source).toBe('HIT-REDIS');
    clock.advanceSec(1);
    expect((await cache.getOrCompute('natal', input, compute, ctx)).source).toBe('MISS');
  });
});

describe('ResponseCache with an edge tier', () => {
  it('reads edge → shared → compute and refills the edge from the shared tier', async () => {
    const edge = new MapCache();
    const { cache, ctx, compute, computes } = setup({ edge: edge.asCache() });
    const miss = await cache.getOrCompute('transits', input, compute, ctx);
    await ctx.settle();
    expect(edge.puts[0].url).toBe(`${EDGE_CACHE_ORIGIN}/${miss.key}`);
    expect(edge.puts[0].method).toBe('GET');
    expect(edge.entries.get(edge.puts[0].url)?.headers.get('cache-control')).toBe('public, max-age=3600');

    expect((await cache.getOrCompute('transits', input, compute, ctx)).source).toBe('HIT-EDGE');
    edge.entries.clear(); // another data centre: nothing at the edge, Redis has it
    expect((await cache.getOrCompute('transits', input, compute, ctx)).source).toBe('HIT-REDIS');
    await ctx.settle();
    expect((await cache.getOrCompute('transits', input, compute, ctx)).source).toBe('HIT-EDGE');
    expect(computes()).toBe(1);
    expect((await cache.stats()).tiers).toMatchObject({ edge: { hits: 2, misses: 2 }, shared: { hits: 1, misses: 1 } });
  });

  it('answers before the edge fill completes', async () => {
    const edge = new MapCache();
    const { cache, ctx, compute } = setup({ edge: edge.asCache() });
    edge.holdPuts();
    const result = await cache.getOrCompute('natal', input, compute, ctx);
    expect(result.source).toBe('MISS');
    expect(edge.entries.size).toBe(0); // fill still pending in waitUntil
    edge.releasePuts();
    await ctx.settle();
    expect(edge.entries.size).toBe(1);
    expect((await cache.getOrCompute('natal', input, compute, ctx)).source).toBe('HIT-EDGE');
  });

  it('reads a corrupt edge entry as an error and a miss', async () => {
    const edge = new MapCache();
    const { cache, ctx, compute } = setup({ edge: edge.asCache() });
    const { key } = await cache.getOrCompute('natal', input, compute, ctx);
    await ctx.settle();
    edge.entries.set(`${EDGE_CACHE_ORIGIN}/${key}`, { body: '{not json', headers: new Headers() });
    expect((await cache.getOrCompute('natal', input, compute, ctx)).source).toBe('MISS');
    expect((await cache.stats()).tiers.edge.errors).toBe(1);
  });

  it('fails open when the Cache API throws', async () => {
    const broken = { match: async () => Promise.reject(new Error('cache down')), put: async () => Promise.reject(new Error('cache down')) };
    const { cache, ctx, compute } = setup({ edge: broken as unknown as Cache });
    expect((await cache.getOrCompute('natal', input, compute, ctx)).value).toMatchObject({ n: 1 });
    await ctx.settle();
    expect((await cache.stats()).tiers.edge).toMatchObject({ errors: 2, misses: 1 });
  });

  it('without Redis a clear only reaches this isolate, so edge entries elsewhere last their (longest) TTL', async () => {
    const { cache } = setup({ edge: new MapCache().asCache() });
    const longestTtlSec = Math.max(...Object.values(CACHE_POLICY).map((p) => p.ttlSec));
    expect(await cache.clear()).toEqual({ namespace: 1, edgeStaleForSec: longestTtlSec, scope: 'isolate' });
  });
});
