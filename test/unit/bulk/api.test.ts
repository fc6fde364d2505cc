/**
 * The bulk API end to end in Node, in its embedded mode (no QStash, no Redis):
 * chunks run in-process, state in memory, the webhook sent with fetch.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../src/bulk/webhook-signature';
import { BULK_BODY_LIMIT_BYTES } from '../../../src/bulk/policy';
import { BULK_ITEM_TYPES } from '../../../src/bulk/types';
import { CHENNAI, get, post, qstashSignature, waitForJob } from './support';

const AT = '2026-01-01T00:00:00Z';
const ITEMS = [
  { id: 'n', type: 'natal', input: CHENNAI },
  { id: 'd', type: 'divisional', input: { ...CHENNAI, divisions: ['D9', 'D30'], methods: { D30: 'parivritti' } } },
  { id: 't', type: 'transits', input: { ...CHENNAI, at: AT } },
  { id: 'p', type: 'natal', input: { ...CHENNAI, latitude: 78, houseSystem: 'placidus' } }, // valid, but fails when computed
];

async function results(jobId: string, query = ''): Promise<any> {
  const res = await get(`/v1/bulk/${jobId}/results${query}`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('POST /v1/bulk (embedded mode)', () => {
  it('queues, completes and returns each result exactly as the sync route does', async () => {
    const res = await post('/v1/bulk', { items: ITEMS });
    expect(res.status).toBe(202);
    const accepted: any = await res.json();
    expect(accepted).toEqual({
      jobId: expect.stringMatching(/^[0-9a-z]{9}-[0-9a-f]{20}$/),
      status: 'queued',
      total: 4,
      statusUrl: `https://api.test/v1/bulk/${accepted.jobId}`,
      resultsUrl: `https://api.test/v1/bulk/${accepted.jobId}/results`,
    });
    expect(res.headers.get('location')).toBe(accepted.statusUrl);
    const done = await waitForJob(accepted.jobId);
    expect(done).toMatchObject({ status: 'completed_with_errors', total: 4, succeeded: 3, failed: 1, completedAt: expect.any(String) });

    const page = await results(accepted.jobId);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((it: any) => [it.id, it.index, it.status])).toEqual([['n', 0, 'succeeded'], ['d', 1, 'succeeded'], ['t', 2, 'succeeded'], ['p', 3, 'failed']]);
    const sync = await Promise.all([
      post('/v1/charts/natal', ITEMS[0].input),
      post('/v1/charts/divisional', ITEMS[1].input),
      post('/v1/transits', ITEMS[2].input),
      post('/v1/charts/natal', ITEMS[3].input),
    ]);
    for (let i = 0; i < 3; i++) expect(page.items[i].result).toEqual(await sync[i].json());
    const syncError: any = await sync[3].json();
    expect(page.items[3].error).toMatchObject({ code: syncError.error.code, message: syncError.error.message });
  });

  it('pages by cursor and limit', async () => {
    const items = Array.from({ length: 7 }, (_, i) => ({ id: `i${i}`, type: 'natal', input: { ...CHENNAI, longitude: 70 + i } }));
    const { jobId }: any = await (await post('/v1/bulk', { items })).json();
    await waitForJob(jobId);
    const first = await results(jobId, '?limit=3');
    const second = await results(jobId, `?limit=3&cursor=${first.nextCursor}`);
    const last = await results(jobId, `?limit=3&cursor=${second.nextCursor}`);
    expect([first.nextCursor, second.nextCursor, last.nextCursor]).toEqual(['3', '6', null]);
    expect([...first.items, ...second.items, ...last.items].map((it: any) => it.id)).toEqual(items.map((it) => it.id));
    for (const q of ['?limit=0', '?limit=1001', '?cursor=abc', '?cursor=8', '?other=1']) {
      const res = await get(`/v1/bulk/${jobId}/results${q}`);
      expect(res.status, q).toBe(422);
      expect(((await res.json()) as any).error.code).toBe('validation_error');
    }
  });

  it('returns the same job for the same Idempotency-Key and body, 409 for another body', async () => {
    const key = { 'idempotency-key': `k-${crypto.randomUUID()}` };
    const body = { items: ITEMS.slice(0, 2) };
    const first = await post('/v1/bulk', body, {}, key);
    expect(first.status).toBe(202);
    const { jobId }: any = await first.json();
    // Same content, other key order and spacing: the same body.
    const again = await post('/v1/bulk', JSON.stringify({ items: body.items.map(({ input, type, id }) => ({ input, type, id })) }, null, 2), {}, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as any).jobId).toBe(jobId);
    const other = await post('/v1/bulk', { items: ITEMS.slice(0, 1) }, {}, key);
    expect(other.status).toBe(409);
    expect(((await other.json()) as any).error).toMatchObject({ code: 'idempotency_conflict', message: expect.stringContaining(jobId) });
  });

  it('refuses the whole batch with 422 listing each bad item, and queues nothing', async () => {
    const res = await post('/v1/bulk', { items: [ITEMS[0], { id: 'bad', type: 'natal', input: { ...CHENNAI, latitude: 91 } }] });
    expect(res.status).toBe(422);
    const body: any = await res.json();
    expect(body.error).toMatchObject({ code: 'validation_error', details: [{ path: 'items.1.input.latitude', message: 'Too big: expected number to be <=90' }] });
    expect(body.error.message).toMatch(/1 of 2 items are invalid and nothing was queued$/);
    expect(body.items).toEqual([{ index: 1, id: 'bad', errors: [{ path: 'input.latitude', message: 'Too big: expected number to be <=90', code: 'validation_error' }] }]);
    expect(body.invalidItems).toBe(1);
  });

  it('checks the envelope: items 1–10,000, no unknown fields, JSON only, 5 MiB', async () => {
    for (const body of [{ items: [] }, { items: Array(10_001).fill(0) }, { item: [] }, { items: [ITEMS[0]], callback: 'x' }]) {
      expect((await post('/v1/bulk', body)).status).toBe(422);
    }
    const big = { items: Array.from({ length: 300 }, (_, i) => ({ id: `b${i}`, type: 'natal', input: CHENNAI })) }; // > 16 KiB, fine here
    expect(JSON.stringify(big).length).toBeGreaterThan(16 * 1024);
    expect((await post('/v1/bulk', big)).status).toBe(202);
    const huge = JSON.stringify({ items: [{ id: 'x'.repeat(BULK_BODY_LIMIT_BYTES), type: 'natal', input: CHENNAI }] });
    const tooLarge = await post('/v1/bulk', huge);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as any).error.code).toBe('payload_too_large');
    expect((await post('/v1/bulk', 'items=1', {}, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post('/v1/charts/natal', { ...CHENNAI, pad: 'x'.repeat(17 * 1024) })).status).toBe(413); // the chart routes keep 16 KiB
  });

  it('answers 404 job_not_found or results_expired', async () => {
    const unknown = await get('/v1/bulk/0mx1g7v8y-00000000000000000000');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('job_not_found');
    const old = `${(Date.now() - 8 * 86_400_000).toString(36).padStart(9, '0')}-00000000000000000000`;
    const expired = await get(`/v1/bulk/${old}/results`);
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as any).error).toMatchObject({ code: 'results_expired', message: expect.stringContaining('kept for 7 days') });
    expect((await get('/v1/bulk/not-a-job-id')).status).toBe(404);
  });
});

describe('documentation', () => {
  it('lists the bulk routes in the OpenAPI document, not the internal one', async () => {
    const doc: any = await (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/bulk', '/v1/bulk/{jobId}', '/v1/bulk/{jobId}/results', '/batch/calculate']));
    expect(Object.keys(doc.paths)).not.toContain('/internal/bulk/chunk');
    expect(doc.components.schemas.BulkRequest.properties.items.items).toEqual({ $ref: '#/components/schemas/BulkItem' });
    expect(doc.components.schemas.BulkItem.oneOf).toHaveLength(BULK_ITEM_TYPES.length);
  });
});

describe('callbackUrl and the webhook (embedded mode)', () => {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  let hookUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const SECRET = 'test-webhook-secret-0123456789';
  const DEV = { ALLOW_LOOPBACK_CALLBACKS: 'true', WEBHOOK_SECRET: SECRET };

  it('refuses a loopback callback unless ALLOW_LOOPBACK_CALLBACKS, and needs WEBHOOK_SECRET', async () => {
    const refused = await post('/v1/bulk', { items: [ITEMS[0]], callbackUrl: hookUrl });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as any).error.details).toEqual([{ path: 'callbackUrl', message: 'the callback must use https' }]);
    const unsigned = await post('/v1/bulk', { items: [ITEMS[0]], callbackUrl: hookUrl }, { ALLOW_LOOPBACK_CALLBACKS: 'true' });
    expect(unsigned.status).toBe(503);
    expect(((await unsigned.json()) as any).error.code).toBe('webhooks_disabled');
  });

  it('POSTs the signed completion webhook once', async () => {
    const res = await post('/v1/bulk', { items: ITEMS.slice(0, 2), callbackUrl: hookUrl }, DEV);
    expect(res.status).toBe(202);
    const { jobId }: any = await res.json();
    await waitForJob(jobId, DEV);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(1);
    const [hook] = received;
    expect(JSON.parse(hook.body)).toEqual({ jobId, status: 'completed', total: 2, succeeded: 2, failed: 0, resultsUrl: `https://api.test/v1/bulk/${jobId}/results` });
    expect(hook.headers['content-type']).toBe('application/json');
    const verdict = await verifyWebhookSignature(SECRET, hook.headers['x-astro-signature'] as string, hook.body, Date.now() / 1000);
    expect(verdict.ok).toBe(true);
  });
});

describe('POST /internal/bulk/chunk', () => {
  const KEYS = { QSTASH_CURRENT_SIGNING_KEY: 'sig_current_test_key', QSTASH_NEXT_SIGNING_KEY: 'sig_next_test_key' };
  const URL = 'https://api.test/internal/bulk/chunk';

  it('refuses deliveries without a verifiable Upstash-Signature (401), before parsing', async () => {
    const body = '{"not":"even a chunk"';
    expect((await post('/internal/bulk/chunk', body)).status).toBe(401); // no keys configured
    const missing = await post('/internal/bulk/chunk', body, KEYS);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).error.code).toBe('invalid_signature');
    const forged = await qstashSignature('some-other-key', URL, body);
    expect((await post('/internal/bulk/chunk', body, KEYS, { 'upstash-signature': forged })).status).toBe(401);
    const otherUrl = await qstashSignature(KEYS.QSTASH_CURRENT_SIGNING_KEY, 'https://evil.test/internal/bulk/chunk', body);
    expect((await post('/internal/bulk/chunk', body, KEYS, { 'upstash-signature': otherUrl })).status).toBe(401);
    const otherBody = await qstashSignature(KEYS.QSTASH_CURRENT_SIGNING_KEY, URL, '{}');
    expect((await post('/internal/bulk/chunk', body, KEYS, { 'upstash-signature': otherBody })).status).toBe(401);
    // Signed correctly but not JSON: only now is it parsed.
    const signed = await qstashSignature(KEYS.QSTASH_NEXT_SIGNING_KEY, URL, body);
    expect((await post('/internal/bulk/chunk', body, KEYS, { 'upstash-signature': signed })).status).toBe(400);
  });

  it('processes a signed delivery; a redelivery of a recorded chunk changes nothing', async () => {
    const res = await post('/v1/bulk', { items: ITEMS.slice(0, 2) }, KEYS);
    const { jobId }: any = await res.json();
    const before = await waitForJob(jobId, KEYS);
    const body = JSON.stringify({ v: 1, jobId, chunk: 0, items: [{ index: 0, id: 'n', type: 'natal', input: CHENNAI }] });
    const signature = await qstashSignature(KEYS.QSTASH_CURRENT_SIGNING_KEY, URL, body);
    const redelivered = await post('/internal/bulk/chunk', body, KEYS, { 'upstash-signature': signature });
    expect(redelivered.status).toBe(200);
    expect(await redelivered.json()).toEqual({ jobId, chunk: 0, outcome: 'duplicate' });
    expect(await (await get(`/v1/bulk/${jobId}`, KEYS)).json()).toEqual(before);

    // QStash's failure callback for a chunk that was in fact recorded: nothing changes either.
    const abandonedUrl = 'https://api.test/internal/bulk/abandoned';
    const callback = JSON.stringify({ status: 500, retried: 3, maxRetries: 3, sourceBody: Buffer.from(body).toString('base64'), url: URL });
    const unsignedCallback = await post('/internal/bulk/abandoned', callback, KEYS);
    expect(unsignedCallback.status).toBe(401);
    const callbackSigned = await qstashSignature(KEYS.QSTASH_CURRENT_SIGNING_KEY, abandonedUrl, callback);
    const late = await post('/internal/bulk/abandoned', callback, KEYS, { 'upstash-signature': callbackSigned });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ jobId, chunk: 0, outcome: 'duplicate' });
    expect(await (await get(`/v1/bulk/${jobId}`, KEYS)).json()).toEqual(before);

    const stray = JSON.stringify({ v: 1, jobId: '0mx1g7v8y-11111111111111111111', chunk: 0, items: [{ index: 0, id: 'n', type: 'natal', input: CHENNAI }] });
    const straySigned = await qstashSignature(KEYS.QSTASH_CURRENT_SIGNING_KEY, URL, stray);
    expect(await (await post('/internal/bulk/chunk', stray, KEYS, { 'upstash-signature': straySigned })).json()).toMatchObject({ outcome: 'unknown_job' });
  });
});

