/** Cursor pagination over stored results: item order, limits, a running job's gap, and settled jobs' placeholders. */
import { describe, expect, it } from 'vitest';
import { MemoryJobStore } from '../../../src/bulk/memory-job-store';
import { BULK_TTL_SEC } from '../../../src/bulk/policy';
import { resultsPageText } from '../../../src/bulk/results-page';
import type { JobState, StoredResult } from '../../../src/bulk/types';

function job(total: number, status: JobState['status'] = 'completed'): JobState {
  const createdAt = new Date().toISOString();
  return {
    jobId: 'jr', status, total, chunks: 1, chunksDone: 1, succeeded: total, failed: 0, createdAt, updatedAt: createdAt, completedAt: createdAt,
    expiresAtSec: Math.floor(Date.now() / 1000) + BULK_TTL_SEC, baseUrl: 'https://api.test', callbackUrl: null, bodyHash: 'h', dispatched: true, webhookQueuedAt: null,
  };
}

const result = (index: number): StoredResult => ({
  index,
  status: index % 7 === 3 ? 'failed' : 'succeeded',
  text: JSON.stringify(index % 7 === 3 ? { id: `r${index}`, index, status: 'failed', error: { code: 'x', message: 'y' } } : { id: `r${index}`, index, status: 'succeeded', result: { n: index } }),
});

async function storeWith(state: JobState, indexes: number[]) {
  const store = new MemoryJobStore();
  await store.createJob(state, null);
  await store.putResults(state, indexes.map(result));
  return store;
}

async function page(store: MemoryJobStore, state: JobState, cursor: number, limit: number) {
  return JSON.parse(await resultsPageText(store, state, cursor, limit));
}

describe('resultsPageText', () => {
  it('walks every item once, in order, following nextCursor', async () => {
    const state = job(250);
    const store = await storeWith(state, Array.from({ length: 250 }, (_, i) => 249 - i)); // stored in reverse: order comes from the index
    const seen: number[] = [];
    const cursors: (string | null)[] = [];
    let cursor = 0;
    for (;;) {
      const p = await page(store, state, cursor, 100);
      expect(p.jobId).toBe('jr');
      seen.push(...p.items.map((it: any) => it.index));
      cursors.push(p.nextCursor);
      if (p.nextCursor === null) break;
      cursor = Number(p.nextCursor);
    }
    expect(cursors).toEqual(['100', '200', null]);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('returns the stored items as they are, succeeded and failed', async () => {
    const state = job(5);
    const store = await storeWith(state, [0, 1, 2, 3, 4]);
    const p = await page(store, state, 2, 2);
    expect(p).toEqual({
      jobId: 'jr',
      items: [
        { id: 'r2', index: 2, status: 'succeeded', result: { n: 2 } },
        { id: 'r3', index: 3, status: 'failed', error: { code: 'x', message: 'y' } },
      ],
      nextCursor: '4',
    });
    expect(await page(store, state, 4, 100)).toMatchObject({ items: [{ index: 4 }], nextCursor: null });
    expect(await page(store, state, 5, 100)).toEqual({ jobId: 'jr', items: [], nextCursor: null });
  });

  it('stops at the first item not computed yet while the job runs', async () => {
    const state = job(6, 'running');
    const store = await storeWith(state, [0, 1, 3, 4]);
    expect(await page(store, state, 0, 100)).toMatchObject({ items: [{ index: 0 }, { index: 1 }], nextCursor: '2' });
    expect(await page(store, state, 2, 100)).toMatchObject({ items: [], nextCursor: '2' });
  });

  it('fills never-processed items of a failed job with a placeholder, so the walk ends', async () => {
    const state = job(4, 'failed');
    const store = await storeWith(state, [0, 1]);
    const p = await page(store, state, 0, 100);
    expect(p.nextCursor).toBeNull();
    expect(p.items[2]).toEqual({ id: null, index: 2, status: 'failed', error: { code: 'not_processed', message: expect.any(String) } });
  });
});
