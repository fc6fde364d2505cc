/**
 * Bulk jobs end to end through the real local stack: one `wrangler dev` Worker (workerd) with every
 * bulk variable, the QStash emulator batch-publishing chunks back to the Worker's
 * `POST /internal/bulk/chunk` with signed, retried, at-least-once deliveries, redis-server behind
 * the Upstash REST emulator holding the jobs, and a Node HTTP server receiving the webhooks.
 *
 * Every job uses its own inputs (random latitudes, printed seed) and its own callback path. QStash
 * faults are always reset and Redis always restarted in `finally` blocks; each test starts with the
 * emulator idle so that its message log can be read per test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomSigningKey, signDelivery } from '../../scripts/stack/qstash.mjs';
import {
  CHUNK_PATH,
  SYNC_PATH,
  TERMINAL,
  WebhookReceiver,
  checkAstroSignature,
  fetchAllResults,
  makeItems,
  messageIds,
  newMessages,
  resetFaults,
  setFaults,
  sleep,
  startBulkWorker,
  waitForJob,
  waitQStashIdle,
  type BulkItem,
  type BulkWorker,
  type JobStatusBody,
  type Reply,
  type ResultItem,
} from './bulk-support';
import { controlRedis, stackRedisUp } from './worker-pair';

const upstash = inject('upstash');

let W: BulkWorker | undefined;
let noLoopback: BulkWorker | undefined;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
  W = await startBulkWorker(upstash, { allowLoopbackCallbacks: true });
}, 240_000);

afterAll(async () => {
  const errors = W?.dev.output().filter((l) => /error/i.test(l)) ?? [];
  if (errors.length) console.log(`bulk-e2e: wrangler dev output lines mentioning errors (last ${errors.length} of its tail):\n  ${errors.join('\n  ')}`);
  await Promise.allSettled([W?.stop(), noLoopback?.stop(), receiver.stop(), resetFaults(upstash)]);
}, 60_000);

afterEach(async () => {
  // Whatever a test did, the next one starts without faults and with Redis up.
  await resetFaults(upstash);
  if (!(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
});

const worker = () => W!;
/** How long a webhook may still arrive after the emulator went idle. */
const GRACE_MS = 1_500;

/** Submits a job; expects 202 and the accepted shape. */
async function submit(items: BulkItem[], callbackUrl?: string, headers?: Record<string, string>) {
  const started = Date.now();
  const r = await worker().post('/v1/bulk', { items, ...(callbackUrl ? { callbackUrl } : {}) }, headers);
  expect(r.status, r.text.slice(0, 2000)).toBe(202);
  const { jobId } = r.body;
  expect(r.body).toEqual({
    jobId: expect.any(String),
    status: 'queued',
    total: items.length,
    statusUrl: `${worker().base}/v1/bulk/${jobId}`,
    resultsUrl: `${worker().base}/v1/bulk/${jobId}/results`,
  });
  return { jobId: jobId as string, submittedAt: started, accepted: r };
}

/** Status timestamps are ISO instants in order; completedAt set exactly when finished. */
function expectTimestamps(s: JobStatusBody, submittedAt: number) {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  expect(s.createdAt).toMatch(iso);
  expect(s.updatedAt).toMatch(iso);
  expect(Date.parse(s.createdAt)).toBeGreaterThanOrEqual(submittedAt - 5_000);
  expect(Date.parse(s.updatedAt)).toBeGreaterThanOrEqual(Date.parse(s.createdAt));
  if (s.status === 'completed' || s.status === 'completed_with_errors') {
    expect(s.completedAt).toMatch(iso);
    expect(Date.parse(s.completedAt!)).toBeGreaterThanOrEqual(Date.parse(s.createdAt));
    expect(Date.parse(s.completedAt!)).toBeLessThanOrEqual(Date.now() + 5_000);
  } else {
    expect(s.completedAt).toBeNull();
  }
}

/** Results are complete, unique and in item order: index i is items[i], with its id. */
function expectOrderedResults(results: ResultItem[], items: BulkItem[]) {
  expect(results.length).toBe(items.length);
  const seen = new Set<number>();
  results.forEach((r, i) => {
    expect(r.index, `position ${i}`).toBe(i);
    expect(r.id, `position ${i}`).toBe(items[i].id);
    seen.add(r.index);
  });
  expect(seen.size).toBe(items.length);
}

/** The shape of a succeeded item's result, and that it was computed for this item's own input. */
function expectResultShape(r: ResultItem, item: BulkItem) {
  const where = `item ${r.index} (${item.type})`;
  expect(r.status, `${where}: ${JSON.stringify(r.error)}`).toBe('succeeded');
  expect(r.error, where).toBeUndefined();
  const res = r.result!;
  expect(res, where).toEqual(expect.any(Object));
  expect(res.meta.latitude, where).toBe(item.input.latitude);
  expect(res.meta.longitude, where).toBe(item.input.longitude);
  expect(res.meta.ayanamsa, where).toBe(item.input.ayanamsa ?? 'lahiri');
  expect(res.meta.houseSystem, where).toBe(item.input.houseSystem ?? 'whole_sign');
  expect(res.meta.utc, where).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  if (item.type === 'natal') {
    expect(Object.keys(res).sort(), where).toEqual(['ascendant', 'houses', 'meta', 'planets']);
    expect(Object.keys(res.planets), where).toHaveLength(12);
    expect(res.houses, where).toHaveLength(12);
    expect(res.ascendant.sign, where).toEqual(expect.any(String));
  } else if (item.type === 'divisional') {
    expect(Object.keys(res).sort(), where).toEqual(['charts', 'meta']);
    const expected = (item.input.divisions as string[] | undefined) ?? ['D1', 'D2', 'D3', 'D4', 'D7', 'D9', 'D10', 'D12', 'D16', 'D20', 'D24', 'D27', 'D30', 'D40', 'D45', 'D60'];
    expect(Object.keys(res.charts).sort(), where).toEqual([...expected].sort());
  } else {
    expect(Object.keys(res).sort(), where).toEqual(['meta', 'natal', 'planets']);
    expect(res.meta.at, where).toBe(item.input.at);
    expect(res.natal.ascendantSign, where).toEqual(expect.any(String));
    expect(Object.keys(res.planets).length, where).toBeGreaterThanOrEqual(9);
  }
}

/**
 * Waits for QStash to go idle and a grace period, then expects exactly one webhook on `path`
 * with the job's final numbers, signed with the Worker's secret over the raw body.
 */
async function expectOneWebhook(path: string, final: JobStatusBody, submittedAt: number) {
  await waitQStashIdle(upstash);
  await sleep(GRACE_MS);
  await waitQStashIdle(upstash);
  const hooks = receiver.on(path);
  expect(hooks.map((h) => h.rawBody), 'webhook deliveries').toHaveLength(1);
  const hook = hooks[0];
  expect(hook.method).toBe('POST');
  expect(hook.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(hook.rawBody)).toEqual({
    jobId: final.jobId,
    status: final.status,
    total: final.total,
    succeeded: final.succeeded,
    failed: final.failed,
    resultsUrl: `${worker().base}/v1/bulk/${final.jobId}/results`,
  });
  const header = hook.headers['x-astro-signature'];
  expect(typeof header).toBe('string');
  expect(header as string).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  const verdict = checkAstroSignature(worker().webhookSecret, header as string, hook.rawBody);
  expect(verdict, `X-Astro-Signature ${header}`).toMatchObject({ ok: true });
  // Signed after the job was submitted, not long before it arrived.
  expect(verdict.t!).toBeGreaterThanOrEqual(Math.floor(submittedAt / 1000) - 2);
  expect(verdict.t!).toBeLessThanOrEqual(Math.ceil(hook.at / 1000) + 1);
  expect(hook.at / 1000 - verdict.t!).toBeLessThan(300);
  // And it is the body that is signed: another secret or one changed byte fails.
  expect(checkAstroSignature('0'.repeat(64), header as string, hook.rawBody).ok).toBe(false);
  expect(checkAstroSignature(worker().webhookSecret, header as string, hook.rawBody.replace(/"total":\d+/, '"total":1')).ok).toBe(false);
  return hook;
}

/** Chunk messages among `messages`: those published to the Worker's chunk route. */
const chunkMessagesOf = <T extends { destination: string; kind: string }>(messages: T[]) =>
  messages.filter((m) => m.kind === 'message' && m.destination === worker().chunkUrl);

describe('bulk jobs end to end: wrangler dev + QStash emulator + redis-server', () => {
  it('1. a 1,000-item job completes with every result, in order, equal to the sync routes, and one signed webhook', async () => {
    await waitQStashIdle(upstash);
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`bulk-e2e test 1: input seed ${seed}`);
    const items = makeItems(1000, 't1', seed);
    const hook = receiver.freshUrl('t1');
    const before = await messageIds(upstash);

    const { jobId, submittedAt } = await submit(items, hook.url);
    // While it runs, a results page is an in-order prefix and its cursor points at the first missing item.
    const partialAsked = Date.now() - submittedAt;
    const partial = await worker().get(`/v1/bulk/${jobId}/results?limit=1000`);
    const partialAnswered = Date.now() - submittedAt;
    expect(partial.status, partial.text.slice(0, 300)).toBe(200);
    const prefix = partial.body.items as ResultItem[];
    expect(prefix.map((r) => r.index)).toEqual(prefix.map((_, i) => i));
    expect(partial.body.nextCursor).toBe(prefix.length === 1000 ? null : String(prefix.length));
    console.log(`bulk-e2e test 1: a results page asked ${partialAsked} ms after submit (answered at ${partialAnswered} ms) held ${prefix.length} items`);

    const first = await worker().get(`/v1/bulk/${jobId}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(['queued', 'running', 'completed']).toContain(first.body.status);

    const final = await waitForJob(worker(), jobId, { timeoutMs: 60_000 });
    expect(final).toMatchObject({ jobId, status: 'completed', total: 1000, succeeded: 1000, failed: 0 });
    expectTimestamps(final, submittedAt);

    // Pages of 100 through the cursor, then the default page size: the same 1,000 items in order.
    const paged = await fetchAllResults(worker(), jobId, 100);
    expect(paged.pages).toBe(10);
    expectOrderedResults(paged.items, items);
    paged.items.forEach((r, i) => expectResultShape(r, items[i]));
    const byDefault = await fetchAllResults(worker(), jobId);
    expect(byDefault.items).toEqual(paged.items);

    // Bad paging parameters are refused.
    for (const q of ['cursor=1001', 'limit=0', 'limit=1001', 'cursor=abc']) {
      const r = await worker().get(`/v1/bulk/${jobId}/results?${q}`);
      expect(r.status, `${q}: ${r.text}`).toBe(422);
    }
    const end = await worker().get(`/v1/bulk/${jobId}/results?cursor=1000`);
    expect(end.status).toBe(200);
    expect(end.body).toMatchObject({ items: [], nextCursor: null });

    // A page from the middle.
    const mid = await worker().get(`/v1/bulk/${jobId}/results?cursor=500&limit=7`);
    expect(mid.status).toBe(200);
    expect(mid.body.items.map((r: ResultItem) => r.index)).toEqual([500, 501, 502, 503, 504, 505, 506]);
    expect(mid.body.nextCursor).toBe('507');

    // ~20 items (all three types) against their sync routes: equal bodies.
    const sample = Array.from({ length: 21 }, (_, k) => k * 48 + (k % 3)); // 7 of each type
    for (const i of sample) {
      const item = items[i];
      const sync = await worker().post(SYNC_PATH[item.type], item.input);
      expect(sync.status, `sync ${item.type} for item ${i}: ${sync.text.slice(0, 300)}`).toBe(200);
      expect(paged.items[i].result, `item ${i} (${item.type}) vs ${SYNC_PATH[item.type]}`).toEqual(sync.body);
    }

    // Chunks went through QStash, each delivered, signed and accepted by the Worker.
    const hookMsg = await expectOneWebhook(hook.path, final, submittedAt);
    const mine = await newMessages(upstash, before);
    const chunks = chunkMessagesOf(mine);
    expect(chunks.length).toBeGreaterThan(1);
    for (const m of chunks) expect(m, m.messageId).toMatchObject({ state: 'delivered', status: 200 });
    const webhookMsgs = mine.filter((m) => m.destination === hook.url);
    expect(webhookMsgs).toHaveLength(1);
    expect(webhookMsgs[0]).toMatchObject({ kind: 'message', state: 'delivered', status: 200 });
    console.log(
      `bulk-e2e test 1: ${chunks.length} chunk messages; webhook ${hookMsg.at - submittedAt} ms after submit; ` +
        `job ${Date.parse(final.completedAt!) - Date.parse(final.createdAt)} ms from createdAt to completedAt`,
    );
  }, 180_000);

  it('2. duplicate (concurrent) chunk deliveries do not double count or duplicate results; one webhook', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(400, 't2');
    const hook = receiver.freshUrl('t2');
    const before = await messageIds(upstash);
    try {
      await setFaults(upstash, { duplicateDeliveries: 2, duplicateConcurrently: true, match: CHUNK_PATH });
      const { jobId, submittedAt } = await submit(items, hook.url);
      const final = await waitForJob(worker(), jobId);
      expect(final).toMatchObject({ jobId, status: 'completed', total: 400, succeeded: 400, failed: 0 });

      // The duplicates really happened, and the Worker answered each.
      await waitQStashIdle(upstash);
      const chunks = chunkMessagesOf(await newMessages(upstash, before));
      expect(chunks.length).toBeGreaterThan(1);
      for (const m of chunks) {
        expect(m.state).toBe('delivered');
        // At least the 2 injected copies; under load the emulator has been seen to inject more
        // (6 once, all at retried 0): an emulator detail, noted for planning. What this test is
        // about — exact counts and no duplicate results however many copies arrive — is below.
        const dupes = m.attempts.filter((a) => a.duplicate);
        expect(dupes.length, `${m.messageId} duplicates`).toBeGreaterThanOrEqual(2);
        expect(m.attempts.some((a) => a.status === 200), `${m.messageId} attempts ${JSON.stringify(m.attempts)}`).toBe(true);
      }

      // Counts stay exact once every copy has been processed.
      const after = await worker().get(`/v1/bulk/${jobId}`);
      expect(after.body).toMatchObject({ status: 'completed', total: 400, succeeded: 400, failed: 0, completedAt: final.completedAt });
      const { items: results } = await fetchAllResults(worker(), jobId, 1000);
      expectOrderedResults(results, items);
      results.forEach((r, i) => expectResultShape(r, items[i]));
      await expectOneWebhook(hook.path, final, submittedAt);
    } finally {
      await resetFaults(upstash);
    }
  }, 120_000);

  it('3. chunks that fail twice (no response) then succeed complete the job', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(150, 't3');
    const hook = receiver.freshUrl('t3');
    const before = await messageIds(upstash);
    try {
      await setFaults(upstash, { failFirst: 2, match: CHUNK_PATH });
      const { jobId, submittedAt } = await submit(items, hook.url);
      const final = await waitForJob(worker(), jobId);
      expect(final).toMatchObject({ jobId, status: 'completed', total: 150, succeeded: 150, failed: 0 });

      await waitQStashIdle(upstash);
      const chunks = chunkMessagesOf(await newMessages(upstash, before));
      expect(chunks.length).toBeGreaterThan(1);
      for (const m of chunks) {
        expect(m.state).toBe('delivered');
        expect(m.attempts.map((a) => [a.retried, a.injected ?? false, a.status ?? null])).toEqual([
          [0, true, null],
          [1, true, null],
          [2, false, 200],
        ]);
      }
      const { items: results } = await fetchAllResults(worker(), jobId);
      expectOrderedResults(results, items);
      results.forEach((r, i) => expectResultShape(r, items[i]));
      await expectOneWebhook(hook.path, final, submittedAt);
    } finally {
      await resetFaults(upstash);
    }
  }, 120_000);

  it('4. an item whose calculation fails is that item’s error; the others succeed (completed_with_errors)', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(120, 't4');
    // Placidus / KP cusps do not exist inside the polar circles: the input passes validation
    // (time and fields are fine) and the engine refuses it when the houses are computed.
    const polar: Record<number, Record<string, unknown>> = {
      6: { datetime: '1990-05-15T14:30:00', utcOffset: '+01:00', latitude: 80.123456, longitude: 15.6, houseSystem: 'placidus' },
      49: { datetime: '1985-01-02T03:04:05', utcOffset: '-03:00', latitude: -75.5, longitude: -60.25, houseSystem: 'kp', divisions: ['D9'] },
      101: { datetime: '2001-07-08T09:10:11', utcOffset: '+03:00', latitude: 85.1, longitude: 30, houseSystem: 'placidus', at: '2030-01-01T00:00:00Z' },
    };
    for (const [i, input] of Object.entries(polar)) items[Number(i)].input = input;
    expect(items[6].type).toBe('natal');
    expect(items[49].type).toBe('divisional');
    expect(items[101].type).toBe('transits');
    // The sync routes refuse these inputs with 422 house_system_unavailable: a compute-time error.
    for (const i of Object.keys(polar).map(Number)) {
      const sync = await worker().post(SYNC_PATH[items[i].type], items[i].input);
      expect(sync.status, sync.text).toBe(422);
      expect(sync.body.error.code).toBe('house_system_unavailable');
    }

    const hook = receiver.freshUrl('t4');
    const { jobId, submittedAt } = await submit(items, hook.url);
    const final = await waitForJob(worker(), jobId);
    expect(final).toMatchObject({ jobId, status: 'completed_with_errors', total: 120, succeeded: 117, failed: 3 });
    expectTimestamps(final, submittedAt);

    const { items: results } = await fetchAllResults(worker(), jobId, 50);
    expectOrderedResults(results, items);
    results.forEach((r, i) => {
      if (polar[i]) {
        expect(r.status, `item ${i}`).toBe('failed');
        expect(r.result, `item ${i}`).toBeUndefined();
        expect(r.error, `item ${i}`).toMatchObject({ code: 'house_system_unavailable', message: expect.stringMatching(/latitude/) });
      } else {
        expectResultShape(r, items[i]);
      }
    });
    await expectOneWebhook(hook.path, final, submittedAt);
  }, 120_000);

  it('5. deliveries to /internal/bulk/chunk without a valid Upstash-Signature are refused (401) and change nothing', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(60, 't5');
    const { jobId } = await submit(items);
    const final = await waitForJob(worker(), jobId);
    expect(final).toMatchObject({ status: 'completed', succeeded: 60, failed: 0 });
    const statusBefore = (await worker().get(`/v1/bulk/${jobId}`)).text;
    const resultsBefore = (await worker().get(`/v1/bulk/${jobId}/results?limit=1000`)).text;
    const url = worker().chunkUrl;

    // Harmful if accepted: a chunk never recorded (counts would move) overwriting item 0's result.
    const forged = JSON.stringify({
      v: 1,
      jobId,
      chunk: 99,
      items: [{ index: 0, id: items[0].id, type: items[0].type, input: { ...items[0].input, latitude: 1.5 } }],
    });
    const genuine = JSON.stringify({ v: 1, jobId, chunk: 0, items: items.slice(0, 3).map((it, index) => ({ index, id: it.id, type: it.type, input: it.input })) });
    const send = (body: string, signature?: string) =>
      worker().request('POST', CHUNK_PATH, { body, headers: { 'content-type': 'application/json', ...(signature ? { 'upstash-signature': signature } : {}) } });
    const expect401 = (r: Reply, what: string) => {
      expect(r.status, `${what}: ${r.text}`).toBe(401);
      expect(r.body?.error?.code, what).toBe('invalid_signature');
    };

    expect401(await send(forged), 'no Upstash-Signature');
    expect401(await send(forged, 'not-a-jwt'), 'garbage signature');
    expect401(await send(forged, signDelivery(randomSigningKey(), url, forged)), 'JWT signed with a wrong key');
    expect401(await send(forged, signDelivery(upstash.qstash.currentSigningKey, url, genuine)), 'valid JWT for another body (tampered body)');
    expect401(await send(forged, signDelivery(upstash.qstash.currentSigningKey, `${worker().base}/internal/bulk/other`, forged)), 'JWT for another URL');
    expect401(await send(forged, signDelivery(upstash.qstash.currentSigningKey, url, forged, Date.now() - 15 * 60_000)), 'expired JWT');

    // Control: the same route takes a properly signed delivery. A repeat of chunk 0 (items as
    // queued) is a duplicate: it changes nothing, as at-least-once delivery requires.
    const ok = await send(genuine, signDelivery(upstash.qstash.currentSigningKey, url, genuine));
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ jobId, chunk: 0, outcome: 'duplicate' });
    const okNext = await send(genuine, signDelivery(upstash.qstash.nextSigningKey, url, genuine));
    expect(okNext.status, `signed with the next key: ${okNext.text}`).toBe(200);

    // QStash's failure callback for a chunk (the route that marks a chunk's items failed once QStash
    // gives up on it; its path is the implementation's, see src/routes/bulk.ts) is just as guarded:
    // accepted, a forged one would record chunk 99 as failed and overwrite item 0.
    const abandonedPath = '/internal/bulk/abandoned';
    const abandonedUrl = `${worker().base}${abandonedPath}`;
    const failureCallback = (chunkBody: string) =>
      JSON.stringify({
        status: 500,
        header: {},
        body: '',
        retried: 3,
        maxRetries: 3,
        dlqId: `${Date.now()}-0`,
        sourceMessageId: 'msg_forged',
        url: url,
        method: 'POST',
        sourceHeader: { 'Content-Type': ['application/json'] },
        sourceBody: Buffer.from(chunkBody).toString('base64'),
        notBefore: Date.now(),
        createdAt: Date.now(),
        callerIP: '127.0.0.1',
      });
    const forgedCallback = failureCallback(forged);
    const sendCallback = (body: string, signature?: string) =>
      worker().request('POST', abandonedPath, { body, headers: { 'content-type': 'application/json', ...(signature ? { 'upstash-signature': signature } : {}) } });
    expect401(await sendCallback(forgedCallback), 'failure callback without Upstash-Signature');
    expect401(await sendCallback(forgedCallback, signDelivery(randomSigningKey(), abandonedUrl, forgedCallback)), 'failure callback signed with a wrong key');
    expect401(await sendCallback(forgedCallback, signDelivery(upstash.qstash.currentSigningKey, url, forgedCallback)), 'failure callback with a JWT for the chunk URL');
    expect401(
      await sendCallback(forgedCallback, signDelivery(upstash.qstash.currentSigningKey, abandonedUrl, failureCallback(genuine))),
      'failure callback with a JWT for another body',
    );
    // Control: a genuine-looking failure callback for chunk 0, which was recorded, changes nothing.
    const lateCallback = failureCallback(genuine);
    const late = await sendCallback(lateCallback, signDelivery(upstash.qstash.currentSigningKey, abandonedUrl, lateCallback));
    expect(late.status, late.text).toBe(200);
    expect(late.body).toMatchObject({ jobId, chunk: 0, outcome: 'duplicate' });

    expect((await worker().get(`/v1/bulk/${jobId}`)).text).toBe(statusBefore);
    expect((await worker().get(`/v1/bulk/${jobId}/results?limit=1000`)).text).toBe(resultsBefore);
  }, 120_000);

  it('6. Redis restarted (data lost) while a 1,000-item job is in flight: the job ends honestly, within bounds', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(1000, 't6');
    const hook = receiver.freshUrl('t6');
    const before = await messageIds(upstash);
    const log: string[] = [];
    const note = (s: string) => {
      log.push(s);
      console.log(`bulk-e2e test 6: ${s}`);
    };
    let stopped = false;
    let stoppedAt = 0;
    let jobId = '';
    let t0 = 0;
    try {
      await setFaults(upstash, { delayMs: 1_000, match: CHUNK_PATH });
      const sub = await submit(items, hook.url);
      jobId = sub.jobId;
      t0 = sub.submittedAt;
      // Chunks are first delivered ~1 s after the publish (delayMs) and then take seconds to compute
      // on one workerd: stop Redis 0.7 s into that. (A status poll would not do as the trigger: its
      // request waits behind the chunk deliveries in the same single-threaded workerd.)
      await sleep(Math.max(0, t0 + 1_700 - Date.now()));
      note(`stopping redis-server ${Date.now() - t0} ms after submit`);
      const probe = worker().get(`/v1/bulk/${jobId}`).catch((err: Error) => ({ status: 0, text: err.message }) as Reply);
      await controlRedis(upstash, 'stop');
      stopped = true;
      const seen = await probe;
      note(`status asked just before the stop: ${seen.status} ${seen.text.slice(0, 200)}`);
      stoppedAt = Date.now();
      note(`redis-server stopped at ${stoppedAt - t0} ms after submit`);

      // While Redis is down the status cannot be known: an error, never a made-up answer.
      const outage: string[] = [];
      const downUntil = Date.now() + 3_000;
      while (Date.now() < downUntil) {
        const r = await worker().get(`/v1/bulk/${jobId}`);
        outage.push(`${r.status} ${r.body?.error?.code ?? r.body?.status ?? ''}`);
        // 503 with its own code: "try again", not a 404 ("no such job") nor a bare 500.
        expect(r.status, `status during the outage: ${r.text}`).toBe(503);
        expect(r.body?.error?.code).not.toBe('internal_error');
        await sleep(300);
      }
      note(`status during the outage: ${[...new Set(outage)].join(', ')} (e.g. ${JSON.stringify((await worker().get(`/v1/bulk/${jobId}`)).body)})`);
    } finally {
      if (stopped || !(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
    }
    const restartedAt = Date.now();
    note(`redis-server started again (empty) at ${restartedAt - t0} ms after submit`);

    try {
      // Within a bounded time: a terminal status, or a clear error.
      const deadline = Date.now() + 60_000;
      let last: Reply | undefined;
      const trail: string[] = [];
      for (;;) {
        last = await worker().get(`/v1/bulk/${jobId}`);
        const line = last.status === 200 ? `200 ${last.body.status} ${last.body.succeeded}+${last.body.failed}/${last.body.total}` : `${last.status} ${last.body?.error?.code}`;
        if (trail.at(-1) !== line) trail.push(line);
        if (last.status === 200 && TERMINAL.includes(last.body.status)) break;
        if (last.status === 404) break;
        if (Date.now() > deadline) break;
        await sleep(200);
      }
      note(`status after the restart: ${trail.join(' → ')}; final body ${last!.text}`);
      expect(
        (last!.status === 200 && TERMINAL.includes(last!.body.status)) || (last!.status === 404 && typeof last!.body?.error?.message === 'string'),
        `no terminal status or clear error within 60 s: ${trail.join(' → ')}`,
      ).toBe(true);

      const results = await worker().get(`/v1/bulk/${jobId}/results?limit=1000`);
      if (last!.status === 200) {
        const s = last!.body as JobStatusBody;
        expect(s.succeeded + s.failed).toBeLessThanOrEqual(s.total);
        expect(s.succeeded).toBeGreaterThanOrEqual(0);
        expect(s.failed).toBeGreaterThanOrEqual(0);
        // Every result the API claims is fetchable, and "completed" means all of them.
        const { items: got } = await fetchAllResults(worker(), jobId, 1000);
        expect(got).toHaveLength(s.total);
        const succeeded = got.filter((r) => r.status === 'succeeded');
        expect(succeeded.length).toBe(s.succeeded);
        for (const r of succeeded) expectResultShape(r, items[r.index]);
        if (s.status === 'completed') {
          expect(s.succeeded).toBe(s.total);
          expectOrderedResults(got, items);
        }
      } else {
        // The job's state went with Redis: the results must not pretend otherwise.
        expect(last!.body.error.code).toMatch(/^(job_not_found|job_lost|results_expired)$/);
        expect(results.status, results.text).toBe(404);
      }

      // QStash settles: nothing is stuck retrying forever.
      const settled = await waitQStashIdle(upstash, 90_000);
      const chunks = chunkMessagesOf(settled.messages.filter((m) => !before.has(m.messageId)));
      const states: Record<string, number> = {};
      for (const m of chunks) states[`${m.state} ${m.status}`] = (states[`${m.state} ${m.status}`] ?? 0) + 1;
      await sleep(GRACE_MS);
      const hooks = receiver.on(hook.path);
      note(`chunk messages: ${JSON.stringify(states)}; webhooks received: ${hooks.map((h) => h.rawBody).join(' | ') || 'none'}`);
      // At most one completion webhook, and only for a state that existed: a completion can be
      // recorded only while Redis holds the job, so it must have been queued before Redis came back
      // empty. (A job that completed just before the stop loses its results with the data: its
      // webhook said "completed" truthfully, and both job endpoints now answer 404 alike.) A chunk
      // delivered after the loss tells the caller with one signed `job_lost` webhook instead.
      const lost = hooks.filter((h) => JSON.parse(h.rawBody).status === 'job_lost');
      const done = hooks.filter((h) => JSON.parse(h.rawBody).status !== 'job_lost');
      expect(done.length).toBeLessThanOrEqual(1);
      expect(lost.length).toBeLessThanOrEqual(1);
      const hookMsgs = settled.messages.filter((m) => m.destination === hook.url);
      expect(hookMsgs.length).toBe(hooks.length);
      const queuedAfter = hookMsgs.filter((m) => m.createdAt >= restartedAt).length;
      expect(queuedAfter, 'only a job_lost webhook may be queued after Redis restarted empty').toBeLessThanOrEqual(lost.length);
      for (const h of lost) {
        expect(checkAstroSignature(worker().webhookSecret, h.headers['x-astro-signature'] as string, h.rawBody).ok).toBe(true);
        expect(JSON.parse(h.rawBody).jobId).toBe(jobId);
      }
      for (const h of done) {
        const body = JSON.parse(h.rawBody);
        expect(body.jobId).toBe(jobId);
        expect(body.succeeded + body.failed).toBeLessThanOrEqual(body.total);
        if (last!.status === 200) expect(body.status).toBe(last!.body.status);
      }
      note(
        done.length === 0
          ? `outcome: Redis lost the job before it completed; ${lost.length} job_lost webhook; status and results 404`
          : `outcome: the job completed (webhook '${JSON.parse(done[0].rawBody).status}') and then Redis lost it; status/results now ${last!.status}`,
      );
    } finally {
      await resetFaults(upstash);
      // The next test starts with the stack settled.
      await waitQStashIdle(upstash, 90_000).catch(() => undefined);
      console.log(`bulk-e2e test 6 summary:\n  ${log.join('\n  ')}`);
    }
  }, 240_000);

  it('6c. Redis down during a job and back with its data (an outage, as on durable Upstash): the job completes, nothing lost, one webhook', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(300, 't6c');
    const hook = receiver.freshUrl('t6c');
    let stopped = false;
    try {
      // Chunks wait in QStash for 4 s: the outage happens while the job is queued there, as a real
      // outage does with QStash's backoff of seconds to minutes (the emulator's is 100 ms · 2^n,
      // which would exhaust the retries within one outage and test the abandon path instead: 6b).
      await setFaults(upstash, { delayMs: 4_000, match: CHUNK_PATH });
      const { jobId, submittedAt } = await submit(items, hook.url);
      await controlRedis(upstash, 'stop', { keepData: true });
      stopped = true;
      const during = await worker().get(`/v1/bulk/${jobId}`);
      expect(during.status, during.text).toBe(503);
      expect(during.body.error.code).toBe('job_store_unavailable');
      await controlRedis(upstash, 'start');
      stopped = false;
      expect(Date.now() - submittedAt, 'the outage must end before the first chunk is delivered').toBeLessThan(4_000);

      const final = await waitForJob(worker(), jobId, { timeoutMs: 90_000 });
      expect(final).toMatchObject({ jobId, status: 'completed', total: 300, succeeded: 300, failed: 0 });
      const { items: results } = await fetchAllResults(worker(), jobId, 1000);
      expectOrderedResults(results, items);
      results.forEach((r, i) => expectResultShape(r, items[i]));
      await expectOneWebhook(hook.path, final, submittedAt);
    } finally {
      await resetFaults(upstash);
      if (stopped || !(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
    }
  }, 150_000);

  it('6b. a chunk QStash gives up on (every delivery fails) does not leave the job running forever', async () => {
    // The same question as 6 without the data loss (a real Upstash outage keeps the data): when
    // QStash has exhausted a chunk's retries, nothing will ever record it. The job must then end
    // (failed, or completed_with_errors with those items failed) instead of staying queued/running.
    await waitQStashIdle(upstash);
    const items = makeItems(120, 't6b');
    const hook = receiver.freshUrl('t6b');
    const before = await messageIds(upstash);
    try {
      await setFaults(upstash, { failFirst: 1000, match: CHUNK_PATH });
      const { jobId, submittedAt } = await submit(items, hook.url);
      const settled = await waitQStashIdle(upstash, 120_000);
      const chunks = chunkMessagesOf(settled.messages.filter((m) => !before.has(m.messageId)));
      expect(chunks.length).toBeGreaterThan(0);
      for (const m of chunks) expect(m.state, `${m.messageId}: ${JSON.stringify(m.attempts)}`).toBe('failed');
      const gaveUpAt = Date.now();
      console.log(`bulk-e2e test 6b: QStash gave up on ${chunks.length} chunk(s) after ${chunks[0].attempts.length} attempts each`);

      // Bounded: 30 s after QStash gave up, the job has a terminal status.
      const trail: string[] = [];
      let s: JobStatusBody | undefined;
      while (Date.now() - gaveUpAt < 30_000) {
        const r = await worker().get(`/v1/bulk/${jobId}`);
        expect(r.status, r.text).toBe(200);
        s = r.body;
        const line = `${s!.status} ${s!.succeeded}+${s!.failed}/${s!.total}`;
        if (trail.at(-1) !== line) trail.push(line);
        if (TERMINAL.includes(s!.status)) break;
        await sleep(500);
      }
      console.log(`bulk-e2e test 6b: statuses after QStash gave up: ${trail.join(' → ')}`);
      expect(TERMINAL, `job still '${s!.status}' 30 s after every chunk delivery was abandoned: ${trail.join(' → ')}`).toContain(s!.status);
      expect(s!.status).not.toBe('completed');
      expect(s!.succeeded + s!.failed).toBeLessThanOrEqual(s!.total);
      const { items: got } = await fetchAllResults(worker(), jobId, 1000);
      expect(got).toHaveLength(120);
      expect(got.filter((r) => r.status === 'succeeded')).toHaveLength(s!.succeeded);
      for (const r of got.filter((x) => x.status === 'failed')) expect(r.error?.code, `item ${r.index}`).toEqual(expect.any(String));
      console.log(`bulk-e2e test 6b: item 0 now reads ${JSON.stringify(got[0])}`);
      // The caller hears about it as about any finished job.
      await expectOneWebhook(hook.path, s!, submittedAt);
    } finally {
      await resetFaults(upstash);
    }
  }, 240_000);

  it('7. validation: bad items listed (nothing queued), Idempotency-Key, the item limit, callback policy', async () => {
    await waitQStashIdle(upstash);
    const w = worker();

    // 3 bad items among 10 → 422 listing exactly those 3; nothing reaches QStash.
    const items = makeItems(10, 't7');
    items[2] = { ...items[2], input: { ...items[2].input, latitude: 123 } };
    items[5] = { ...items[5], input: { ...items[5].input, timezone: 'Mars/Olympus_Mons', utcOffset: undefined } };
    delete items[5].input.utcOffset;
    const noAt = { ...items[8].input };
    delete noAt.at;
    expect(items[8].type).toBe('transits');
    items[8] = { ...items[8], input: noAt };
    const before = await messageIds(upstash);
    const bad = await w.post('/v1/bulk', { items, callbackUrl: receiver.freshUrl('t7').url });
    expect(bad.status, bad.text).toBe(422);
    expect(bad.body.error.code).toBe('validation_error');
    expect(bad.body.error.requestId).toEqual(expect.any(String));
    expect(bad.body.items.map((x: { index: number }) => x.index)).toEqual([2, 5, 8]);
    expect(bad.body.invalidItems).toBe(3);
    for (const x of bad.body.items) {
      expect(x.id).toBe(items[x.index].id);
      expect(x.errors.length).toBeGreaterThan(0);
      for (const e of x.errors) expect(e).toEqual({ path: expect.any(String), message: expect.any(String), code: expect.any(String) });
    }
    const errorsOf = (i: number) => bad.body.items.find((x: { index: number }) => x.index === i).errors;
    expect(errorsOf(2)).toContainEqual(expect.objectContaining({ path: 'input.latitude', code: 'validation_error' }));
    expect(errorsOf(5)).toContainEqual(expect.objectContaining({ code: 'unknown_timezone' }));
    expect(errorsOf(8)).toContainEqual(expect.objectContaining({ path: 'input.at' }));
    await sleep(500);
    expect(await newMessages(upstash, before)).toEqual([]);

    // Idempotency-Key: same key + same body → the same job (queued once); other body → 409.
    const key = `idem-${crypto.randomUUID()}`;
    const small = makeItems(5, 't7i');
    const first = await w.post('/v1/bulk', { items: small }, { 'idempotency-key': key });
    expect(first.status, first.text).toBe(202);
    await waitForJob(w, first.body.jobId);
    const afterFirst = await messageIds(upstash);
    const again = await w.post('/v1/bulk', { items: small }, { 'idempotency-key': key });
    expect([200, 202]).toContain(again.status);
    expect(again.body.jobId).toBe(first.body.jobId);
    expect(again.body.statusUrl).toBe(first.body.statusUrl);
    // The same JSON with its keys in another order is the same body.
    const reordered = `{"items":${JSON.stringify(small.map((it) => ({ input: it.input, type: it.type, id: it.id })))}}`;
    const again2 = await w.request('POST', '/v1/bulk', { body: reordered, headers: { 'content-type': 'application/json', 'idempotency-key': key } });
    expect([200, 202]).toContain(again2.status);
    expect(again2.body.jobId).toBe(first.body.jobId);
    const other = await w.post('/v1/bulk', { items: small.slice(0, 4) }, { 'idempotency-key': key });
    expect(other.status, other.text).toBe(409);
    expect(other.body.error.code).toEqual(expect.any(String));
    await sleep(500);
    expect(chunkMessagesOf(await newMessages(upstash, afterFirst)), 'a replay queues nothing again').toEqual([]);

    // Unknown jobs.
    const unknownId = `${Date.now().toString(36).padStart(9, '0')}-${'ab'.repeat(10)}`;
    for (const path of [`/v1/bulk/${unknownId}`, `/v1/bulk/${unknownId}/results`, '/v1/bulk/not-a-job-id']) {
      const r = await w.get(path);
      expect(r.status, `${path}: ${r.text}`).toBe(404);
      expect(r.body.error.code, path).toBe('job_not_found');
    }

    // 10,001 items → 4xx, nothing queued.
    const beforeBig = await messageIds(upstash);
    const big = makeItems(10_001, 't7big');
    const tooMany = await w.post('/v1/bulk', { items: big });
    expect(tooMany.status, tooMany.text.slice(0, 500)).toBeGreaterThanOrEqual(400);
    expect(tooMany.status).toBeLessThan(500);
    expect(tooMany.text).toMatch(/10,?000|items/);
    console.log(`bulk-e2e test 7: 10,001 items → ${tooMany.status} ${tooMany.text.slice(0, 300)}`);
    console.log(`bulk-e2e test 7: Idempotency-Key with another body → ${other.status} ${other.text}`);
    await sleep(500);
    expect(await newMessages(upstash, beforeBig)).toEqual([]);

    // Callback policy with ALLOW_LOOPBACK_CALLBACKS=true: still https-only for other hosts.
    const plainHttp = await w.post('/v1/bulk', { items: small, callbackUrl: 'http://example.com/hook' });
    expect(plainHttp.status, plainHttp.text).toBe(422);
    expect(plainHttp.body.error.details).toContainEqual(expect.objectContaining({ path: 'callbackUrl' }));
    const privateHost = await w.post('/v1/bulk', { items: small, callbackUrl: 'https://10.0.0.1/hook' });
    expect(privateHost.status, privateHost.text).toBe(422);

    // A second Worker without the flag: loopback and plain http callbacks are refused.
    noLoopback = await startBulkWorker(upstash, { allowLoopbackCallbacks: false });
    const beforeNo = await messageIds(upstash);
    for (const callbackUrl of [`${receiver.base}/hook/x`, 'https://127.0.0.1/hook', 'https://localhost/hook', 'http://example.com/hook']) {
      const r = await noLoopback.post('/v1/bulk', { items: small, callbackUrl });
      expect(r.status, `${callbackUrl}: ${r.text}`).toBe(422);
      expect(r.body.error.details, callbackUrl).toContainEqual(expect.objectContaining({ path: 'callbackUrl' }));
    }
    await sleep(500);
    expect(await newMessages(upstash, beforeNo)).toEqual([]);
  }, 240_000);
});
