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

  it('`limit` with a rate is the library script: counted even when it overshoots, refused uncounted only at the limit', async () => {
    // @upstash/ratelimit 2.2 (slidingWindowLimitScript): `if incrementBy > 0 and used >= limit then return -1`, else INCRBY.
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 60, t.now);
    expect(await limiter.limit('a', { rate: 4 })).toMatchObject({ success: true, remaining: 6 });
    expect(await limiter.limit('a', { rate: 7 })).toMatchObject({ success: false, remaining: 0 });
    expect((await limiter.getRemaining('a')).remaining).toBe(0); // 11 counted
    expect(await limiter.limit('a', { rate: 7 })).toMatchObject({ success: false, remaining: 0 });
    expect(await limiter.limit('a', { rate: -7 })).toMatchObject({ success: true, remaining: 6 }); // the 7 counted before, not the 7 refused at the limit
  });

  it('a negative rate is applied even at or over the limit, as the library script does', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(3, 60, t.now);
    for (let i = 0; i < 3; i++) await limiter.limit('a');
    expect((await limiter.limit('a')).success).toBe(false);
    expect(await limiter.limit('a', { rate: -2 })).toMatchObject({ success: true, remaining: 2 });
    expect((await limiter.limit('a')).success).toBe(true);
  });

  it('reserve is all or nothing: a reservation that does not fit counts nothing', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 60, t.now);
    expect(await limiter.reserve('a', 4)).toMatchObject({ success: true, remaining: 6, units: 4, window: 0 });
    expect(await limiter.reserve('a', 7)).toMatchObject({ success: false, remaining: 6 });
    expect((await limiter.getRemaining('a')).remaining).toBe(6);
    expect(await limiter.reserve('a', 6)).toMatchObject({ success: true, remaining: 0 });
    expect(await limiter.reserve('a', 1)).toMatchObject({ success: false, remaining: 0 });
  });

  it('release gives the units back, and only a successful reservation\'s', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 60, t.now);
    const kept = await limiter.reserve('a', 3);
    const given = await limiter.reserve('a', 5);
    const refused = await limiter.reserve('a', 5);
    await limiter.release('a', refused);
    expect((await limiter.getRemaining('a')).remaining).toBe(2);
    await limiter.release('a', given);
    expect((await limiter.getRemaining('a')).remaining).toBe(7);
    expect(kept.success).toBe(true);
  });

  it('release takes the units out of the window they were counted in, not the current one', async () => {
    const t = clock(59_000); // 1 s before the end of window 0 (60 s windows)
    const limiter = new MemoryRatelimit(100, 60, t.now);
    await limiter.limit('a', { rate: 40 });
    const reservation = await limiter.reserve('a', 50);
    expect(reservation).toMatchObject({ success: true, window: 0 });
    t.nowMs = 60_000; // window 1 begins: all of window 0 still weighs
    expect((await limiter.getRemaining('a')).remaining).toBe(10);
    await limiter.release('a', reservation);
    expect((await limiter.getRemaining('a')).remaining).toBe(60);
    t.nowMs = 90_000; // half way: half of window 0's 40 remains, and nothing of the released 50
    expect((await limiter.getRemaining('a')).remaining).toBe(80);
  });

  it('release after a charge in the next window still takes the units from the window they were counted in', async () => {
    const t = clock(59_000);
    const limiter = new MemoryRatelimit(100, 60, t.now);
    await limiter.limit('a', { rate: 40 });
    const reservation = await limiter.reserve('a', 50);
    t.nowMs = 90_000;
    expect((await limiter.limit('a')).remaining).toBe(100 - 45 - 1);
    await limiter.release('a', reservation);
    expect((await limiter.getRemaining('a')).remaining).toBe(100 - 20 - 1);
    // A negative rate, the library's refund, would have landed in window 1 and given back 25 units too many by now.
  });

  it('a release after the counted window has left the sliding window gives nothing', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 10, t.now);
    const reservation = await limiter.reserve('a', 5);
    t.nowMs = 25_000;
    await limiter.limit('a', { rate: 3 });
    await limiter.release('a', reservation);
    expect((await limiter.getRemaining('a')).remaining).toBe(7);
  });

  it('drops identifiers whose counts no longer weigh, as charges come, oldest first', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(10, 10, t.now);
    for (const id of ['a', 'b', 'c']) await limiter.limit(id);
    t.nowMs = 10_000; // window 1: window 0 still weighs
    await limiter.limit('d');
    expect(limiter.size).toBe(4);
    t.nowMs = 20_000; // window 2: a, b and c (window 0) weigh nothing; d (window 1) still does
    await limiter.limit('e');
    expect(limiter.size).toBe(2);
    expect((await limiter.getRemaining('d')).remaining).toBe(9);
  });

  it('holds at most maxIdentifiers, dropping the least recently charged first', async () => {
    const t = clock(0);
    const limiter = new MemoryRatelimit(2, 60, t.now, 3);
    for (const id of ['a', 'b', 'c']) await limiter.limit(id, { rate: 2 });
    await limiter.limit('a'); // a is charged again (refused at its limit, nothing counted) and stays where it was
    await limiter.limit('b', { rate: -1 }); // b moves to the back
    await limiter.limit('d');
    expect(limiter.size).toBe(3);
    // a, the least recently charged, lost its count; b, c and d kept theirs.
    expect((await limiter.getRemaining('a')).remaining).toBe(2);
    expect((await limiter.getRemaining('b')).remaining).toBe(1);
    expect((await limiter.getRemaining('c')).remaining).toBe(0);
    expect((await limiter.getRemaining('d')).remaining).toBe(1);
  });

  it('reserve never lets more than `tokens` through in one window, whatever the charges (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 60 }), async (tokens, rates) => {
        const t = clock(5_000_000);
        const limiter = new MemoryRatelimit(tokens, 60, t.now);
        let granted = 0;
        for (const rate of rates) {
          const before = (await limiter.getRemaining('x')).remaining;
          const r = await limiter.reserve('x', rate);
          expect(r.success).toBe(rate <= before);
          if (r.success) granted += rate;
          expect(r.remaining).toBe(r.success ? tokens - granted : before);
        }
        expect(granted).toBeLessThanOrEqual(tokens);
      }),
    );
  });

  it('limit follows the library script for any charges (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: -8, max: 8 }), { maxLength: 60 }), async (tokens, rates) => {
        const t = clock(5_000_000);
        const limiter = new MemoryRatelimit(tokens, 60, t.now);
        let count = 0;
        for (const rate of rates) {
          const r = await limiter.limit('x', { rate });
          const refusedUncounted = rate > 0 && count >= tokens;
          if (!refusedUncounted) count += rate;
          expect(r.success).toBe(!refusedUncounted && tokens - count >= 0);
          expect(r.remaining).toBe(refusedUncounted ? 0 : Math.max(0, tokens - count));
        }
      }),
    );
  });
});
