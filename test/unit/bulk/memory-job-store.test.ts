/**
 * The memory job store's chunk recording: a chunk counts once however often it
 * is delivered (sequentially or concurrently), and completion is reported
 * exactly once; through processChunk too, with real calculations.
 */
import { describe, expect, it } from 'vitest';
import { MemoryJobStore } from '../../../src/bulk/memory-job-store';
import { InlineDispatcher } from '../../../src/bulk/inline-dispatcher';
import { chunkMessages } from '../../../src/bulk/create-job';
import { abandonChunk, processChunk } from '../../../src/bulk/process-chunk';
import { BULK_TTL_SEC } from '../../../src/bulk/policy';
import type { JobState, QueuedItem } from '../../../src/bulk/types';
import { nodeEngine } from '../../support/node-engine';
import { CHENNAI } from './support';

const NOW_MS = Date.parse('2026-11-29T00:00:00Z');

function job(jobId: string, chunks: number, total = chunks * 2): JobState {
  const createdAt = new Date(NOW_MS).toISOString();
  return {
    jobId, status: 'queued', total, chunks, chunksDone: 0, succeeded: 0, failed: 0, createdAt, updatedAt: createdAt,
    completedAt: null, expiresAtSec: NOW_MS / 1000 + BULK_TTL_SEC, baseUrl: 'https://api.test', callbackUrl: null,
    bodyHash: 'h', dispatched: true, webhookQueuedAt: null,
  };
}

describe('MemoryJobStore.recordChunk', () => {
  it('counts a chunk once and moves queued → running', async () => {
    const store = new MemoryJobStore({ now: () => NOW_MS });
    await store.createJob(job('j1', 3), null);
    const first = await store.recordChunk('j1', 0, { succeeded: 2, failed: 0 }, 't1');
    const again = await store.recordChunk('j1', 0, { succeeded: 2, failed: 0 }, 't2');
    expect(first.outcome).toBe('recorded');
    expect(again.outcome).toBe('duplicate');
    expect(again.job).toMatchObject({ status: 'running', succeeded: 2, failed: 0, chunksDone: 1, updatedAt: 't1' });
  });

  it('reports completion exactly once when every chunk is delivered twice, concurrently', async () => {
    const store = new MemoryJobStore({ now: () => NOW_MS });
    await store.createJob(job('j2', 4), null);
    const deliveries = [0, 1, 2, 3, 3, 2, 1, 0, 3].map((chunk) =>
      store.recordChunk('j2', chunk, { succeeded: chunk === 2 ? 1 : 2, failed: chunk === 2 ? 1 : 0 }, `t${chunk}`),
    );
    const outcomes = (await Promise.all(deliveries)).map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(5);
    expect(await store.getJob('j2')).toMatchObject({ status: 'completed_with_errors', succeeded: 7, failed: 1, chunksDone: 4, completedAt: 't3' });
  });

  it('answers unknown_job for a job that never existed or has expired', async () => {
    let nowMs = NOW_MS;
    const store = new MemoryJobStore({ now: () => nowMs });
    expect((await store.recordChunk('nope', 0, { succeeded: 1, failed: 0 }, 't')).outcome).toBe('unknown_job');
    await store.createJob(job('j3', 1), null);
    nowMs += BULK_TTL_SEC * 1000;
    expect(await store.getJob('j3')).toBeNull();
    expect((await store.recordChunk('j3', 0, { succeeded: 1, failed: 0 }, 't')).outcome).toBe('unknown_job');
  });

  it('claims an idempotency key once and names its job afterwards', async () => {
    const store = new MemoryJobStore({ now: () => NOW_MS });
    expect(await store.createJob(job('j4', 1), { keyHash: 'k', bodyHash: 'b1' })).toEqual({ created: true });
    expect(await store.createJob(job('j5', 1), { keyHash: 'k', bodyHash: 'b2' })).toEqual({ created: false, existingJobId: 'j4', existingBodyHash: 'b1' });
    expect(await store.getJob('j5')).toBeNull();
  });

  it('drops older jobs, then stores a failure, when results exceed maxBytes', async () => {
    const store = new MemoryJobStore({ now: () => NOW_MS, maxBytes: 1000 });
    const text = (index: number) => JSON.stringify({ id: `i${index}`, index, status: 'succeeded', result: { pad: 'x'.repeat(300) } });
    await store.createJob(job('old', 1), null);
    await store.putResults(job('old', 1), [{ index: 0, status: 'succeeded', text: text(0) }]);
    await store.createJob(job('new', 1), null);
    const stored = await store.putResults(job('new', 1), [0, 1, 2, 3].map((index) => ({ index, status: 'succeeded' as const, text: text(index) })));
    expect(await store.getJob('old')).toBeNull();
    expect(stored.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'failed', 'failed']);
    expect(JSON.parse(stored[3].text)).toMatchObject({ id: 'i3', index: 3, status: 'failed', error: { code: 'result_not_stored' } });
    // The small failure records are kept even past the cap: the item must say why it has no result.
    expect(store.bytes).toBeLessThanOrEqual(1000 + 2 * stored[3].text.length);
  });
});

describe('processChunk is idempotent', () => {
  const items: QueuedItem[] = [
    { index: 0, id: 'a', type: 'natal', input: CHENNAI },
    { index: 1, id: 'b', type: 'divisional', input: { ...CHENNAI, divisions: ['D9', 'D10'] } },
    { index: 2, id: 'c', type: 'natal', input: { ...CHENNAI, houseSystem: 'placidus', latitude: 78 } }, // polar: fails alone
    { index: 3, id: 'd', type: 'transits', input: { ...CHENNAI, at: '2026-01-01T00:00:00Z' } },
  ];

  it('processing each chunk twice, concurrently, changes nothing and completes once', async () => {
    const store = new MemoryJobStore();
    const deps = { engine: nodeEngine(), store, dispatcher: new InlineDispatcher(), webhookSecret: null };
    const messages = chunkMessages('jp', items, 2);
    await store.createJob({ ...job('jp', messages.length, items.length), expiresAtSec: Math.floor(Date.now() / 1000) + BULK_TTL_SEC }, null);
    const outcomes = await Promise.all([...messages, ...messages].map((m) => processChunk(deps, m)));
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(2);
    const final = await store.getJob('jp');
    expect(final).toMatchObject({ status: 'completed_with_errors', succeeded: 3, failed: 1, chunksDone: 2 });
    const texts = await store.readResults('jp', 0, 5);
    expect(texts[4]).toBeNull();
    const results = texts.slice(0, 4).map((t) => JSON.parse(t!));
    expect(results.map((r) => [r.id, r.index, r.status])).toEqual([['a', 0, 'succeeded'], ['b', 1, 'succeeded'], ['c', 2, 'failed'], ['d', 3, 'succeeded']]);
    expect(results[2].error).toMatchObject({ code: 'house_system_unavailable' });
    // A third delivery after completion: still nothing changes.
    expect(await processChunk(deps, messages[0])).toBe('duplicate');
    expect(await store.getJob('jp')).toEqual(final);
  });

  it('an abandoned chunk fails its items once and never overwrites what a delivery recorded', async () => {
    const store = new MemoryJobStore();
    const deps = { engine: nodeEngine(), store, dispatcher: new InlineDispatcher(), webhookSecret: null };
    const messages = chunkMessages('ja', items, 2);
    await store.createJob({ ...job('ja', messages.length, items.length), expiresAtSec: Math.floor(Date.now() / 1000) + BULK_TTL_SEC }, null);
    expect(await processChunk(deps, messages[0])).toBe('recorded');
    const before = await store.readResults('ja', 0, 2);
    // QStash gave up on chunk 1, and (late, duplicated) reports chunk 0 too.
    expect(await abandonChunk(deps, messages[0], 'test')).toBe('duplicate');
    expect(await store.readResults('ja', 0, 2)).toEqual(before);
    expect(await abandonChunk(deps, messages[1], 'QStash gave up')).toBe('completed');
    expect(await abandonChunk(deps, messages[1], 'QStash gave up')).toBe('duplicate');
    expect(await store.getJob('ja')).toMatchObject({ status: 'completed_with_errors', succeeded: 2, failed: 2, chunksDone: 2 });
    const abandoned = (await store.readResults('ja', 2, 2)).map((t) => JSON.parse(t!));
    expect(abandoned).toEqual([
      { id: 'c', index: 2, status: 'failed', error: { code: 'chunk_failed', message: 'Not computed: QStash gave up' } },
      { id: 'd', index: 3, status: 'failed', error: { code: 'chunk_failed', message: 'Not computed: QStash gave up' } },
    ]);
  });

  it('the inline dispatcher abandons a chunk after its attempts, so the job still finishes', async () => {
    const pending: Promise<unknown>[] = [];
    const abandoned: [number, string][] = [];
    const dispatcher = new InlineDispatcher({ attempts: 2, pauseMs: 0 });
    let calls = 0;
    await dispatcher.dispatchChunks(chunkMessages('ji', items, 2), {
      chunkUrl: 'x',
      abandonedUrl: 'y',
      runChunk: async (m) => {
        calls++;
        if (m.chunk === 1) throw new Error('store down');
      },
      abandonChunk: async (m, reason) => abandoned.push([m.chunk, reason]),
      waitUntil: { waitUntil: (p) => pending.push(p) },
    });
    await Promise.all(pending);
    expect(calls).toBe(3);
    expect(abandoned).toEqual([[1, 'processing failed 2 times (last: store down)']]);
  });
});
