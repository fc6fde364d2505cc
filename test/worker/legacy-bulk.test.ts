/**
 * The old service's `POST /batch/calculate`, `POST /async/calculate` and `GET /async/job/{id}` in
 * workerd, straight to the Worker's fetch with an env of our own (memory store, inline
 * dispatcher: the async job runs in the request's waitUntil). Outgoing webhook requests are
 * captured at `fetch` (the network edge of the isolate) and answered 200 or 500 as a test asks;
 * the real network path (QStash emulator, a receiving server) is in
 * test/stack/legacy-async-e2e.test.ts.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { generateApiKey, generateKeyId, sha256Hex } from '../../src/access/keys';
import { verifyWebhookSignature } from '../../src/bulk/webhook-signature';
import { INLINE_ATTEMPTS } from '../../src/bulk/policy';
import { expectLegacyErrorShape } from './support';

const WEBHOOK_SECRET = 'worker-test-webhook-secret-0123456789';
const HOOKS = 'https://hooks.example.com';
// Birth B of the old service's captures (/work/shared/old-service/README.md): shapes only.
const B = { user_name: 'B', birth_date: '1998-10-15', birth_time: '10:40:30', latitude: 17.385, longitude: 78.4867, timezone_offset: 5.5 };

let VARS: Record<string, string>;
let KEY = '';
beforeAll(async () => {
  KEY = generateApiKey();
  const entry = { keyId: generateKeyId(), name: 'legacy bulk', plan: 'pro', sha256: await sha256Hex(KEY), createdAt: '2026-01-01T00:00:00.000Z' };
  VARS = { WEBHOOK_SECRET, API_KEYS: JSON.stringify([entry]), RATE_LIMITS: JSON.stringify({ pro: { requests: 1000, windowSec: 3600 } }) };
});

async function call(path: string, init: RequestInit = {}, vars: Record<string, string> = VARS): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://api.test${path}`, init), { ...env, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx); // the inline dispatcher's chunk and webhook
  return res;
}
const post = (path: string, body: unknown, vars?: Record<string, string>) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) }, vars);
const get = (path: string) => call(path, { headers: { authorization: `Bearer ${KEY}` } });

interface Hook {
  url: string;
  headers: Headers;
  body: string;
}
/** Captures POSTs to HOOKS (answered with `status`); everything else goes out as usual. */
function captureHooks(status = 200): Hook[] {
  const hooks: Hook[] = [];
  const original = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(HOOKS)) return original(input, init);
    hooks.push({ url: request.url, headers: request.headers, body: await request.text() });
    return new Response(null, { status });
  });
  return hooks;
}
afterEach(() => vi.restoreAllMocks());

describe('POST /batch/calculate', () => {
  it('a mixed batch: valid items answered as their old routes answer, invalid ones failed alone; every item counted', async () => {
    const requests = [
      { type: 'natal', data: B },
      { type: 'd10', data: { ...B, birth_time: '25:00:00' } },
      { type: 'd60', data: B, ayanamsa: 'raman' },
      { type: 'dasha', data: B },
    ];
    const res = await post('/batch/calculate', { requests });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body).toMatchObject({ total_requests: 4, successful: 2, failed: 2, processing_time: 'synchronous', rate_limit_impact: { items_in_batch: 4, requests_consumed: 4 } });
    expect(body.results.map((r: any) => r.status)).toEqual(['success', 'failed', 'success', 'failed']);
    expect(body.results[0].data).toEqual(await (await post('/lahiri/natal', B)).json());
    expect(body.results[2].data).toEqual(await (await post('/raman/calculate_d60', B)).json());
    expect(body.results[1].error).toMatchObject({ type: 'validation_error', details: [expect.objectContaining({ path: expect.stringMatching(/^data\./), message: expect.stringContaining('hour 25') })] });
    expect(body.results[3].error).toMatchObject({ type: 'validation_error', message: expect.stringContaining("unknown type 'dasha'") });
    // Counted as the body says: the next call sees 4 fewer (then its own 1).
    const before = Number(res.headers.get('ratelimit-remaining'));
    const next = await post('/batch/calculate', { requests: [{ type: 'natal', data: B }] });
    expect(Number(next.headers.get('ratelimit-remaining'))).toBe(before - 1 - 2); // the two single-route calls above, then this one
  });

  it('a malformed envelope is the old 400', async () => {
    for (const body of [{}, { requests: [] }, { requests: Array.from({ length: 11 }, () => ({ type: 'natal', data: B })) }, { requests: 'natal' }]) {
      const res = await post('/batch/calculate', body);
      const { body: error, where } = await expectLegacyErrorShape(res, JSON.stringify(body).slice(0, 80));
      expect(res.status, where).toBe(400);
      expect(error.code, where).toBe('validation_error');
    }
  });
});

describe('POST /async/calculate and GET /async/job/{id}', () => {
  it('queues one item, POSTs its old-style result signed as our webhooks are, and shows it at check_status', async () => {
    const hooks = captureHooks();
    const callerSecret = 'my-own-webhook-secret-42';
    const res = await post('/async/calculate', { type: 'navamsa', data: B, webhook_url: `${HOOKS}/astro`, webhook_secret: callerSecret });
    expect(res.status).toBe(202);
    const accepted: any = await res.json();
    expect(accepted).toEqual({
      job_id: expect.stringMatching(/^[0-9a-z]{9}-[0-9a-f]{20}$/),
      status: 'queued',
      webhook_url: `${HOOKS}/astro`,
      estimated_time: expect.any(String),
      check_status: `https://api.test/async/job/${accepted.job_id}`,
    });
    const single = await (await post('/lahiri/navamsa', B)).json();

    expect(hooks).toHaveLength(1);
    const [hook] = hooks;
    const body = JSON.parse(hook.body);
    expect(body).toEqual({
      job_id: accepted.job_id,
      status: 'completed',
      type: 'navamsa',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      completed_at: expect.any(String),
      result: single,
    });
    const nowSec = Date.now() / 1000;
    expect(await verifyWebhookSignature(WEBHOOK_SECRET, hook.headers.get('x-astro-signature'), hook.body, nowSec)).toMatchObject({ ok: true });
    expect(await verifyWebhookSignature(callerSecret, hook.headers.get('x-webhook-signature'), hook.body, nowSec)).toMatchObject({ ok: true });
    expect(await verifyWebhookSignature(callerSecret, hook.headers.get('x-astro-signature'), hook.body, nowSec)).toMatchObject({ ok: false });

    const status = await get(`/async/job/${accepted.job_id}`);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual(body);
    // The same job through the bulk API: one item, whose result is the old envelope.
    const page: any = await (await get(`/v1/bulk/${accepted.job_id}/results`)).json();
    expect(page.items).toEqual([{ id: 'navamsa', index: 0, status: 'succeeded', result: single }]);
  });

  it('refuses bad input in the old 400 shape naming each field; without WEBHOOK_SECRET 503; unknown ids 404', async () => {
    const bad = await post('/async/calculate', { type: 'navamsha', data: { ...B, timezone_offset: 30 }, webhook_url: 'http://hooks.example.com/x' });
    const { body, where } = await expectLegacyErrorShape(bad, 'bad async');
    expect(bad.status, where).toBe(400);
    expect(body.details.map((d: any) => d.path).sort(), where).toEqual(['data.timezone_offset']);
    const badType = await post('/async/calculate', { type: 'navamsha', data: B, webhook_url: 'http://hooks.example.com/x' });
    const typed = await expectLegacyErrorShape(badType, 'bad type');
    expect(typed.body.details.map((d: any) => d.path), typed.where).toEqual(['type', 'webhook_url']);
    expect(typed.body.details[0].message, typed.where).toContain("did you mean 'navamsa'");
    expect((await post('/async/calculate', { type: 'natal', data: B })).status).toBe(400);

    const { WEBHOOK_SECRET: _, ...withoutSecret } = VARS;
    const disabled = await post('/async/calculate', { type: 'natal', data: B, webhook_url: `${HOOKS}/x` }, withoutSecret);
    const off = await expectLegacyErrorShape(disabled, 'no secret');
    expect(disabled.status, off.where).toBe(503);
    expect(off.body.code, off.where).toBe('webhooks_disabled');

    const unknown = await get('/async/job/0mx0000aa-0123456789abcdef0123');
    const missing = await expectLegacyErrorShape(unknown, 'unknown job');
    expect(unknown.status, missing.where).toBe(404);
    expect(missing.body.code, missing.where).toBe('job_not_found');
    const bulkJob: any = await (await post('/v1/bulk', { items: [{ id: 'a', type: 'natal', input: { datetime: '1998-10-15T10:40:30', utcOffset: '+05:30', latitude: 17.385, longitude: 78.4867 } }] })).json();
    expect((await get(`/async/job/${bulkJob.jobId}`)).status).toBe(404);
  });

  it(`a receiver answering 500: ${INLINE_ATTEMPTS} attempts, each logged as bulk_webhook_failed at warn (jobId, attempt, status), none as a chunk failure`, async () => {
    const hooks = captureHooks(500);
    const lines: Record<string, any>[] = [];
    for (const method of ['log', 'warn', 'error'] as const) {
      const original = console[method];
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        if (args[0] && typeof args[0] === 'object') lines.push(args[0] as Record<string, any>);
        else original(...args);
      });
    }
    const res = await post('/async/calculate', { type: 'natal', data: B, webhook_url: `${HOOKS}/down` });
    expect(res.status).toBe(202);
    const { job_id: jobId }: any = await res.json();
    expect(hooks).toHaveLength(INLINE_ATTEMPTS);
    const failures = lines.filter((l) => l.msg === 'bulk_webhook_failed');
    expect(failures.map((l) => [l.level, l.jobId, l.attempt, l.status])).toEqual(Array.from({ length: INLINE_ATTEMPTS }, (_, i) => ['warn', jobId, i + 1, 500]));
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([]);
    expect(lines.map((l) => l.msg)).not.toContain('bulk_chunk_lost');
    vi.restoreAllMocks();
    expect(await (await get(`/async/job/${jobId}`)).json()).toMatchObject({ job_id: jobId, status: 'completed', type: 'natal' });
  });
});
