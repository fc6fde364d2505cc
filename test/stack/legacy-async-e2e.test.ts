/**
 * Through the real local stack (one `wrangler dev` Worker, the QStash emulator delivering chunks
 * and webhooks, redis-server behind the Upstash REST emulator, a Node server receiving webhooks):
 *
 * 1. the old service's `POST /async/calculate` ends in one webhook carrying the old route's answer,
 *    signed with X-Astro-Signature (WEBHOOK_SECRET) and X-Webhook-Signature (the caller's
 *    `webhook_secret`), both checked here independently of src/ (HMAC-SHA256 with node:crypto);
 * 2. a job whose Redis data is lost mid-job (redis-server restarted empty while its chunks wait in
 *    QStash) is told with exactly one signed `job_lost` webhook, however many chunks find it gone.
 *
 * QStash faults are reset and Redis restarted in `finally` blocks; each test starts with the
 * emulator idle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CHUNK_PATH,
  WebhookReceiver,
  checkAstroSignature,
  makeItems,
  messageIds,
  resetFaults,
  setFaults,
  sleep,
  startBulkWorker,
  waitQStashIdle,
  type BulkWorker,
} from './bulk-support';
import { controlRedis, stackRedisUp } from './worker-pair';

const upstash = inject('upstash');

let W: BulkWorker | undefined;
const receiver = new WebhookReceiver();
const worker = () => W!;
/** How long a webhook may still arrive after the emulator went idle. */
const GRACE_MS = 1_500;

beforeAll(async () => {
  await receiver.start();
  W = await startBulkWorker(upstash, { allowLoopbackCallbacks: true });
}, 240_000);

afterAll(async () => {
  await Promise.allSettled([W?.stop(), receiver.stop(), resetFaults(upstash)]);
}, 60_000);

afterEach(async () => {
  await resetFaults(upstash);
  if (!(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
});

// Birth B of the old service's captures (/work/shared/old-service/README.md): shapes only.
const B = { user_name: 'B', birth_date: '1998-10-15', birth_time: '10:40:30', latitude: 17.385, longitude: 78.4867, timezone_offset: 5.5 };

/** Waits for QStash to go idle and a grace period, then returns what arrived on `path`. */
async function settledDeliveries(path: string) {
  await waitQStashIdle(upstash, 90_000);
  await sleep(GRACE_MS);
  await waitQStashIdle(upstash, 90_000);
  return receiver.on(path);
}

describe('the old service’s async route and lost jobs, end to end', () => {
  it('POST /async/calculate → 202, then one webhook with the old route’s answer, signed with both keys; GET /async/job shows the same', async () => {
    await waitQStashIdle(upstash);
    const hook = receiver.freshUrl('async');
    const callerSecret = `caller-${Math.random().toString(36).slice(2)}-secret`;
    const data = { ...B, latitude: Math.round(Math.random() * 60_000) / 1000 }; // its own input
    const submittedAt = Date.now();
    const res = await worker().post('/async/calculate', { type: 'd9', data, webhook_url: hook.url, webhook_secret: callerSecret });
    expect(res.status, res.text).toBe(202);
    const jobId = res.body.job_id as string;
    expect(res.body).toEqual({ job_id: jobId, status: 'queued', webhook_url: hook.url, estimated_time: expect.any(String), check_status: `${worker().base}/async/job/${jobId}` });

    const hooks = await settledDeliveries(hook.path);
    expect(hooks.map((h) => h.rawBody), 'webhook deliveries').toHaveLength(1);
    const [delivery] = hooks;
    const body = JSON.parse(delivery.rawBody);
    const single = await worker().post('/lahiri/navamsa', data);
    expect(single.status).toBe(200);
    expect(body).toEqual({
      job_id: jobId,
      status: 'completed',
      type: 'd9',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      completed_at: expect.any(String),
      result: single.body,
    });
    const ours = checkAstroSignature(worker().webhookSecret, delivery.headers['x-astro-signature'] as string, delivery.rawBody);
    expect(ours, 'X-Astro-Signature').toMatchObject({ ok: true });
    const theirs = checkAstroSignature(callerSecret, delivery.headers['x-webhook-signature'] as string, delivery.rawBody);
    expect(theirs, 'X-Webhook-Signature').toMatchObject({ ok: true });
    expect(ours.t).toBe(theirs.t);
    expect(ours.t!).toBeGreaterThanOrEqual(Math.floor(submittedAt / 1000) - 2);
    // Each header holds only its own key's signature.
    expect(checkAstroSignature(callerSecret, delivery.headers['x-astro-signature'] as string, delivery.rawBody).ok).toBe(false);

    const status = await worker().get(`/async/job/${jobId}`);
    expect(status.status, status.text).toBe(200);
    expect(status.body).toEqual(body);
  }, 120_000);

  it('Redis restarted empty while a job’s chunks wait in QStash: one signed job_lost webhook, then 404 job_not_found', async () => {
    await waitQStashIdle(upstash);
    const items = makeItems(150, 'lost'); // 3 chunks: each finds the job gone
    const hook = receiver.freshUrl('lost');
    const before = await messageIds(upstash);
    let stopped = false;
    try {
      // Chunks wait 4 s in QStash: the restart happens while the job is queued there.
      await setFaults(upstash, { delayMs: 4_000, match: CHUNK_PATH });
      const submittedAt = Date.now();
      const res = await worker().post('/v1/bulk', { items, callbackUrl: hook.url });
      expect(res.status, res.text.slice(0, 500)).toBe(202);
      const jobId = res.body.jobId as string;
      await controlRedis(upstash, 'stop'); // without keepData: the data is gone
      stopped = true;
      await controlRedis(upstash, 'start');
      stopped = false;
      expect(Date.now() - submittedAt, 'Redis must be back (empty) before the first chunk is delivered').toBeLessThan(4_000);

      const hooks = await settledDeliveries(hook.path);
      expect(hooks.map((h) => h.rawBody), 'webhook deliveries').toHaveLength(1);
      const [delivery] = hooks;
      const body = JSON.parse(delivery.rawBody);
      expect(body).toEqual({ jobId, status: 'job_lost', createdAt: expect.any(String), message: expect.stringContaining('submit it again') });
      expect(Date.parse(body.createdAt)).toBeGreaterThanOrEqual(submittedAt - 5_000);
      const verdict = checkAstroSignature(worker().webhookSecret, delivery.headers['x-astro-signature'] as string, delivery.rawBody);
      expect(verdict, `X-Astro-Signature ${delivery.headers['x-astro-signature']}`).toMatchObject({ ok: true });

      // Every chunk was delivered (and acknowledged), and only one of them sent the webhook.
      const settled = await waitQStashIdle(upstash);
      const fresh = settled.messages.filter((m) => !before.has(m.messageId));
      const chunks = fresh.filter((m) => m.kind === 'message' && m.destination === worker().chunkUrl);
      expect(chunks.map((m) => `${m.state} ${m.status}`)).toEqual(['delivered 200', 'delivered 200', 'delivered 200']);
      expect(fresh.filter((m) => m.destination === hook.url)).toHaveLength(1);

      const status = await worker().get(`/v1/bulk/${jobId}`);
      expect(status.status, status.text).toBe(404);
      expect(status.body.error.code).toBe('job_not_found');
    } finally {
      await resetFaults(upstash);
      if (stopped || !(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
    }
  }, 150_000);
});
