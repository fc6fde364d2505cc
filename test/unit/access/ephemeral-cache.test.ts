/**
 * The map given to @upstash/ratelimit as its ephemeral cache (identifier →
 * blocked until): the library only drops an entry when that identifier comes
 * back, so the map bounds itself.
 */
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_CACHE, ExpiringBlockMap } from '../../../src/access/limiter';

function clock(startMs: number) {
  const c = { nowMs: startMs, now: () => c.nowMs };
  return c;
}

describe('ExpiringBlockMap', () => {
  it('is what the limiters share as their ephemeral cache', () => {
    expect(EPHEMERAL_CACHE).toBeInstanceOf(ExpiringBlockMap);
    expect(EPHEMERAL_CACHE).toBeInstanceOf(Map); // the library takes it only if it is a Map
  });

  it('drops expired blocks once it grows past pruneAt, keeping live ones', () => {
    const t = clock(1_000);
    const map = new ExpiringBlockMap(4, 100, t.now);
    for (let i = 0; i < 4; i++) map.set(`old${i}`, 2_000);
    map.set('live', 60_000);
    expect(map.size).toBe(5); // past 4, but nothing has expired yet
    t.nowMs = 3_000;
    for (let i = 0; i < 6; i++) map.set(`new${i}`, 60_000);
    expect([...map.keys()].filter((k) => k.startsWith('old'))).toEqual([]);
    expect(map.get('live')).toBe(60_000);
    expect(map.size).toBe(7);
  });

  it('never holds more than maxEntries, dropping the oldest blocks first', () => {
    const t = clock(0);
    const map = new ExpiringBlockMap(2, 3, t.now);
    for (const k of ['a', 'b', 'c']) map.set(k, 10_000);
    map.set('a', 20_000); // blocked again: now the newest
    map.set('d', 10_000);
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    for (let i = 0; i < 1_000; i++) map.set(`k${i}`, 10_000);
    expect(map.size).toBe(3);
  });

  it('blockedUntil answers while the block lasts and forgets it after', () => {
    const t = clock(0);
    const map = new ExpiringBlockMap(10, 10, t.now);
    map.set('a', 5_000);
    expect(map.blockedUntil('a')).toBe(5_000);
    expect(map.blockedUntil('b')).toBeNull();
    t.nowMs = 5_001;
    expect(map.blockedUntil('a')).toBeNull();
    expect(map.has('a')).toBe(false);
  });
});
