import { describe, expect, it } from 'vitest';
import { MemoryLru, utf8Length } from '../../../src/cache/memory-lru';
import { manualClock } from './support';

describe('MemoryLru', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const lru = new MemoryLru({ maxEntries: 3 });
    lru.set('a', '1', 60);
    lru.set('b', '2', 60);
    lru.set('c', '3', 60);
    expect(lru.get('a')).toBe('1'); // a is now the most recent; b the oldest
    lru.set('d', '4', 60);
    expect(lru.size).toBe(3);
    expect(lru.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => lru.get(k))).toEqual(['1', '3', '4']);
  });

  it('evicts by total bytes of keys and values', () => {
    const lru = new MemoryLru({ maxEntries: 100, maxBytes: 30 });
    lru.set('k1', 'x'.repeat(8), 60); // 10 bytes
    lru.set('k2', 'x'.repeat(8), 60); // 20
    lru.set('k3', 'x'.repeat(8), 60); // 30: at the bound, kept
    expect(lru.bytes).toBe(30);
    lru.set('k4', 'x'.repeat(8), 60); // 40 → k1 goes
    expect(lru.bytes).toBe(30);
    expect(lru.get('k1')).toBeUndefined();
    lru.set('k5', 'x'.repeat(18), 60); // 20 bytes → k2 and k3 go
    expect(lru.size).toBe(2);
    expect(lru.get('k4')).toBeDefined();
    expect(lru.get('k5')).toBeDefined();
  });

  it('counts bytes as UTF-8 and refuses a value larger than maxBytes', () => {
    const lru = new MemoryLru({ maxBytes: 10 });
    expect(lru.set('k', 'é'.repeat(5), 60)).toBe(false); // 1 + 10 bytes
    expect(lru.size).toBe(0);
    expect(lru.set('k', 'é'.repeat(4), 60)).toBe(true); // 1 + 8 bytes
    expect(lru.bytes).toBe(9);
  });

  it('replacing a key keeps the byte count exact', () => {
    const lru = new MemoryLru();
    lru.set('k', 'short', 60);
    lru.set('k', 'a longer value', 60);
    expect(lru.size).toBe(1);
    expect(lru.bytes).toBe(1 + 14);
    lru.delete('k');
    expect(lru.bytes).toBe(0);
  });

  it('expires entries by their own TTL on the injected clock', () => {
    const clock = manualClock();
    const lru = new MemoryLru({ now: clock.now });
    lru.set('short', 's', 10);
    lru.set('long', 'l', 100);
    clock.advanceSec(9.999);
    expect(lru.get('short')).toBe('s');
    clock.advanceSec(0.001);
    expect(lru.get('short')).toBeUndefined();
    expect(lru.size).toBe(1); // the expired entry was dropped, its bytes returned
    expect(lru.get('long')).toBe('l');
    clock.advanceSec(90);
    expect(lru.get('long')).toBeUndefined();
    expect(lru.bytes).toBe(0);
  });

  it('utf8Length matches TextEncoder, surrogate pairs and lone surrogates included', () => {
    for (const s of ['', 'abc', 'Jyeshtha ♈ 21°33′', '𝔸𝕤𝕥𝕣𝕠', 'lone \ud800 high', 'lone \udc00 low', 'end \ud83d']) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
