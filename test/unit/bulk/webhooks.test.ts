/**
 * Webhooks in embedded mode (memory store, inline dispatcher) against a real Node HTTP receiver:
 * a failing receiver is logged as `bulk_webhook_failed` (warn) once per attempt, exactly
 * INLINE_ATTEMPTS attempts, never as a chunk failure; a job the store lost is told once with a
 * signed `job_lost` webhook; an old-style job's webhook carries the caller's own signature too.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { abandonChunk, createBulkJob, processChunk, type ChunkDeps } from '../../../src/bulk';
import { InlineDispatcher } from '../../../src/bulk/inline-dispatcher';
import { MemoryJobStore } from '../../../src/bulk/memory-job-store';
import { INLINE_ATTEMPTS } from '../../../src/bulk/policy';
import { verifyWebhookSignature } from '../../../src/bulk/webhook-signature';
import type { ChunkMessage, QueuedItem } from '../../../src/bulk/types';
import { nodeEngine } from '../../support/node-engine';
import { CHENNAI, post, qstashSignature } from './support';

const SECRET = 'unit-webhook-secret-0123456789abcdef';
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let answer = 204;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(answer).end();
  });
});
let hookUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  received.length = 0;
  answer = 204;
  vi.restoreAllMocks();
});

/** Every log line written through console.* while `run` runs, as parsed objects. */
async function logsOf(run: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lines: Record<string, any>[] = [];
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((line: unknown) => {
      if (line && typeof line === 'object') lines.push(line as Record<string, any>);
    });
  }
  await run();
  vi.restoreAllMocks();
  return lines;
}

function embedded(store = new MemoryJobStore()) {
  const dispatcher = new InlineDispatcher({ pauseMs: 0 });
  const deps: ChunkDeps = { engine: nodeEngine(), store, dispatcher, webhookSecret: SECRET, baseUrl: 'https://api.test' };
  return { deps, store, dispatcher };
}

/** Creates a job and runs its chunks to the end (the waitUntil work awaited). */
async function runJob(deps: ChunkDeps, items: QueuedItem[], extra: { kind?: 'legacy_async'; callbackSecret?: string } = {}) {
  const pending: Promise<unknown>[] = [];
  const { job } = await createBulkJob(
    { store: deps.store, dispatcher: deps.dispatcher },
    { items, callbackUrl: hookUrl, baseUrl: 'https://api.test', bodyHash: 'h', idempotencyKeyHash: null, nowMs: Date.now(), ...extra },
    {
      chunkUrl: 'https://api.test/internal/bulk/chunk',
      abandonedUrl: 'https://api.test/internal/bulk/abandoned',
      runChunk: (m) => processChunk(deps, m),
      abandonChunk: (m, reason) => abandonChunk(deps, m, reason),
      waitUntil: { waitUntil: (p) => void pending.push(p) },
    },
  );
  await Promise.all(pending);
  return job.jobId;
}

const natalItem = (index: number): QueuedItem => ({ index, id: `n${index}`, type: 'natal', input: { ...CHENNAI, longitude: 80 + index } });

describe('a webhook the receiver refuses', () => {
  it(`is tried ${INLINE_ATTEMPTS} times, each logged as bulk_webhook_failed at warn with jobId, attempt and status; nothing at error level`, async () => {
    answer = 500;
    const { deps, store } = embedded();
    let jobId = '';
    const lines = await logsOf(async () => {
      jobId = await runJob(deps, [natalItem(0), natalItem(1)]);
    });
    expect(received).toHaveLength(INLINE_ATTEMPTS);
    const failures = lines.filter((l) => l.msg === 'bulk_webhook_failed');
    expect(failures.map((l) => [l.level, l.jobId, l.attempt, l.status, l.willRetry])).toEqual(
      Array.from({ length: INLINE_ATTEMPTS }, (_, i) => ['warn', jobId, i + 1, 500, i + 1 < INLINE_ATTEMPTS]),
    );
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([]);
    expect(lines.map((l) => l.msg)).not.toContain('bulk_chunk_lost');
    expect(lines.map((l) => l.msg)).not.toContain('bulk_webhook_sent');
    // The job itself is finished and true; only its webhook was not taken.
    expect(await store.getJob(jobId)).toMatchObject({ status: 'completed', succeeded: 2, webhookQueuedAt: null });
  });

  it('a receiver that is down (no HTTP response) is logged with status null and the network error', async () => {
    const { deps } = embedded();
    deps.dispatcher = new InlineDispatcher({ pauseMs: 0, fetch: async () => Promise.reject(new TypeError('connect ECONNREFUSED')) });
    const lines = await logsOf(() => runJob(deps, [natalItem(0)]));
    const failures = lines.filter((l) => l.msg === 'bulk_webhook_failed');
    expect(failures).toHaveLength(INLINE_ATTEMPTS);
    expect(failures[0]).toMatchObject({ level: 'warn', attempt: 1, status: null, error: 'connect ECONNREFUSED' });
  });
});

describe('a job the store lost', () => {
  it('is told once, with a signed job_lost webhook, however many of its chunks arrive', async () => {
    const { deps } = embedded();
    const jobId = await runJob(deps, [natalItem(0)]);
    received.length = 0;
    // The store restarted empty: later deliveries of this job's chunks find nothing.
    const lost = embedded(new MemoryJobStore());
    const chunk = (n: number): ChunkMessage => ({ v: 1, jobId, chunk: n, items: [natalItem(n)], callbackUrl: hookUrl });
    const lines = await logsOf(async () => {
      expect(await processChunk(lost.deps, chunk(1))).toBe('unknown_job');
      expect(await processChunk(lost.deps, chunk(2))).toBe('unknown_job');
      expect(await abandonChunk(lost.deps, chunk(3), 'test')).toBe('unknown_job');
    });
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0].body);
    expect(body).toEqual({ jobId, status: 'job_lost', createdAt: expect.any(String), message: expect.stringContaining('submit it again') });
    const verdict = await verifyWebhookSignature(SECRET, received[0].headers['x-astro-signature'] as string, received[0].body, Date.now() / 1000);
    expect(verdict.ok).toBe(true);
    expect(lines.filter((l) => l.msg === 'bulk_job_lost_notified')).toHaveLength(1);
  });

  it('is not told without a callback URL in the message, nor when the id is older than the retention (expired, not lost)', async () => {
    const lost = embedded(new MemoryJobStore());
    const { jobId } = await createBulkJob(
      { store: new MemoryJobStore(), dispatcher: lost.dispatcher },
      { items: [natalItem(0)], callbackUrl: null, baseUrl: 'https://api.test', bodyHash: 'h', idempotencyKeyHash: null, nowMs: Date.now() - 8 * 86_400_000 },
      { chunkUrl: '', abandonedUrl: '', runChunk: async () => undefined, abandonChunk: async () => undefined, waitUntil: { waitUntil: () => undefined } },
    ).then((c) => c.job);
    await processChunk(lost.deps, { v: 1, jobId, chunk: 0, items: [natalItem(0)], callbackUrl: hookUrl });
    await processChunk(lost.deps, { v: 1, jobId: '0000000aa-00000000000000000000', chunk: 0, items: [natalItem(0)] });
    expect(received).toHaveLength(0);
  });
});

describe('an old-style (/async/calculate) job', () => {
  it('sends the old-style body, signed with WEBHOOK_SECRET and with the caller’s webhook_secret', async () => {
    const { deps, store } = embedded();
    const callerSecret = 'caller-secret-0123456789';
    const data = { user_name: 'B', birth_date: '1998-10-15', birth_time: '10:40:30', latitude: 17.385, longitude: 78.4867, timezone_offset: 5.5 };
    const jobId = await runJob(deps, [{ index: 0, id: 'natal', type: 'legacy', input: { type: 'natal', data } }], { kind: 'legacy_async', callbackSecret: callerSecret });
    expect(received).toHaveLength(1);
    const [hook] = received;
    const body = JSON.parse(hook.body);
    expect(body).toMatchObject({ job_id: jobId, status: 'completed', type: 'natal', result: { user_name: 'B', birth_details: expect.any(Object), planetary_positions: expect.any(Object) } });
    const now = Date.now() / 1000;
    expect((await verifyWebhookSignature(SECRET, hook.headers['x-astro-signature'] as string, hook.body, now)).ok).toBe(true);
    expect((await verifyWebhookSignature(callerSecret, hook.headers['x-webhook-signature'] as string, hook.body, now)).ok).toBe(true);
    // Each header verifies only with its own key.
    expect((await verifyWebhookSignature(callerSecret, hook.headers['x-astro-signature'] as string, hook.body, now)).ok).toBe(false);
    // The caller's secret is not kept once its webhook is handed over.
    expect((await store.getJob(jobId))?.callbackSecret ?? null).toBeNull();
  });
});

describe('POST /internal/bulk/webhook-failed (QStash gave up on a webhook)', () => {
  const KEYS = { QSTASH_CURRENT_SIGNING_KEY: 'sig_current_test_key', QSTASH_NEXT_SIGNING_KEY: 'sig_next_test_key' };
  const URL = 'https://api.test/internal/bulk/webhook-failed';

  it('logs bulk_webhook_failed at warn with the job, the attempts made and the last status; unsigned calls are 401', async () => {
    const webhook = JSON.stringify({ jobId: '0mx9kdroi-4ae02f612ab2ffca19ff', status: 'completed', total: 1, succeeded: 1, failed: 0, resultsUrl: 'https://api.test/x' });
    // The failure-callback body as QStash sends it (scripts/stack/qstash.mjs documents the fields).
    const callback = JSON.stringify({ status: 500, retried: 3, maxRetries: 3, sourceBody: Buffer.from(webhook).toString('base64'), url: 'https://example.com/hook', header: {}, body: '' });
    expect((await post('/internal/bulk/webhook-failed', callback, KEYS)).status).toBe(401);
    const signature = await qstashSignature(KEYS.QSTASH_CURRENT_SIGNING_KEY, URL, callback);
    let status = 0;
    const lines = await logsOf(async () => {
      status = (await post('/internal/bulk/webhook-failed', callback, KEYS, { 'upstash-signature': signature })).status;
    });
    expect(status).toBe(200);
    const failed = lines.filter((l) => l.msg === 'bulk_webhook_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'warn', jobId: '0mx9kdroi-4ae02f612ab2ffca19ff', event: 'completed', via: 'qstash', attempt: 4, maxAttempts: 4, status: 500, willRetry: false });
  });
});
