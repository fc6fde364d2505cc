/**
 * MemoryRatelimit on a clock of our own: the numbers @upstash/ratelimit's
 * sliding window gives (test/stack/access.test.ts checks those on Redis).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryRatelimit } from '../../../src/access/limiter';

function clock(startMs: number) {
  const c = { nowMs: startMs, now: () => c.nowMs };
  return c;
}

describe('MemoryRatelimit', () => {
  it('allows `tokens` per window, counting down, then refuses until the window ends', async () => {
    const t = clock(1_000_000); // a window boundary for 10 s windows
    const limiter = new MemoryRatelimit(3, 10, t.now);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.limit('a'));
    expect(results.map((r) => [r.success, r.remaining])).toEqual([[true, 2], [true, 1], [true, 0], [false, 0]]);
    for (const r of results) expect(r).toMatchObject({ limit: 3, reset: 1_010_000 });
    t.nowMs = 1_009_999;
    expect((await limiter.limit('a')).success).toBe(false);
  });

  it('keeps identifiers apart', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(1, 60, t.now);
    expect((await limiter.limit('a')).success).toBe(true);
    expect((await limiter.limit('a')).success).toBe(false);
    expect((await limiter.limit('b')).success).toBe(true);
  });

  it('weights the previous window by its overlap, rounded down (the sliding window)', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 10, t.now);
    for (let i = 0; i < 10; i++) await limiter.limit('a');
    t.nowMs = 10_000; // next window, 0 % in: the whole previous window still counts
    expect(await limiter.getRemaining('a')).toEqual({ remaining: 0, reset: 20_000, limit: 10 });
    t.nowMs = 12_500; // 25 % in: floor(0.75 × 10) = 7 used
    expect((await limiter.getRemaining('a')).remaining).toBe(3);
    expect((await limiter.limit('a')).remaining).toBe(2);
    t.nowMs = 20_000; // two windows later: only this window's 1 and the weighted previous (1 × 1.0)
    expect((await limiter.getRemaining('a')).remaining).toBe(9);
    t.nowMs = 30_000;
    expect((await limiter.getRemaining('a')).remaining).toBe(10);
  });

  it('charges `rate` units at once, and refuses a charge that does not fit without counting it', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 60, t.now);
    expect(await limiter.limit('a', { rate: 4 })).toMatchObject({ success: true, remaining: 6 });
    expect(await limiter.limit('a', { rate: 7 })).toMatchObject({ success: false, remaining: 6 });
    expect((await limiter.getRemaining('a')).remaining).toBe(6);
    expect(await limiter.limit('a', { rate: 6 })).toMatchObject({ success: true, remaining: 0 });
  });

  it('never lets more than `tokens` through in one window, whatever the charges (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 60 }), async (tokens, rates) => {
        const t = clock(5_000_000);
        const limiter = new MemoryRatelimit(tokens, 60, t.now);
        let granted = 0;
        for (const rate of rates) {
          const before = (await limiter.getRemaining('x')).remaining;
          const r = await limiter.limit('x', { rate });
          expect(r.success).toBe(rate <= before);
          if (r.success) granted += rate;
          expect(r.remaining).toBe(tokens - granted);
        }
        expect(granted).toBeLessThanOrEqual(tokens);
      }),
    );
  });
});
