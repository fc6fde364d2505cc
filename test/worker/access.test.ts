/**
 * In workerd: API keys from the API_KEYS secret (no Redis), plan rate
 * limits counted by the in-memory limiter, bulk items charged, the admin key
 * routes. Requests go straight to the Worker's fetch with an env of our own;
 * every test has its own keys or client address, so no test spends another's
 * quota (the limiter is shared per isolate and configuration).
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { SecretKeyStore } from '../../src/access/key-store';
import { generateApiKey, generateKeyId, sha256Hex } from '../../src/access/keys';
import { expectErrorShape } from './support';

const ADMIN_TOKEN = 'access-admin-token-0123456789';
const BIRTH = { datetime: '1987-03-21T06:45:00', timezone: 'Asia/Kolkata', latitude: 19.07609, longitude: 72.877426 };
const LEGACY_BIRTH = { user_name: 'x', birth_date: '1990-05-15', birth_time: '14:30:00', latitude: 28.6139, longitude: 77.209, timezone_offset: 5.5 };

interface TestKey {
  key: string;
  keyId: string;
  entry: Record<string, unknown>;
}

async function makeKey(plan: 'free' | 'pro' | 'enterprise', revokedAt: string | null = null): Promise<TestKey> {
  const key = generateApiKey();
  const keyId = generateKeyId();
  const entry = { keyId, name: `test ${plan}`, plan, sha256: await sha256Hex(key), createdAt: '2026-01-01T00:00:00.000Z', ...(revokedAt ? { revokedAt } : {}) };
  return { key, keyId, entry };
}

let PRO: TestKey;
let FREE: TestKey;
let ENTERPRISE: TestKey;
let REVOKED: TestKey;
let REQUIRED: Record<string, string>;
let OPTIONAL: Record<string, string>;

beforeAll(async () => {
  PRO = await makeKey('pro');
  FREE = await makeKey('free');
  ENTERPRISE = await makeKey('enterprise');
  REVOKED = await makeKey('pro', '2026-02-01T00:00:00.000Z');
  const API_KEYS = JSON.stringify([PRO, FREE, ENTERPRISE, REVOKED].map((k) => k.entry));
  // free: small and short, to reach the limit and see it recover; enterprise: room for the bulk arithmetic.
  const RATE_LIMITS = JSON.stringify({ anonymous: { requests: 1000, windowSec: 60 }, free: { requests: 3, windowSec: 2 }, enterprise: { requests: 10, windowSec: 60 } });
  REQUIRED = { REQUIRE_API_KEY: 'true', API_KEYS, RATE_LIMITS, ADMIN_TOKEN };
  OPTIONAL = { API_KEYS, RATE_LIMITS, ADMIN_TOKEN };
});

async function call(vars: Record<string, string>, path: string, init: RequestInit = {}, ctx = createExecutionContext()): Promise<Response> {
  const res = await worker.fetch(new Request(`https://api.test${path}`, init), { ...env, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const natal = (vars: Record<string, string>, headers: Record<string, string> = {}) =>
  call(vars, '/v1/charts/natal', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(BIRTH) });

const bearer = (k: TestKey) => ({ authorization: `Bearer ${k.key}` });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits for the start of a window when fewer than `neededMs` are left in it: the
 * sliding window carries part of the previous window's count over, so an
 * exact count needs all its requests inside one window.
 */
async function startOfWindow(windowSec: number, neededMs: number): Promise<void> {
  const windowMs = windowSec * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < neededMs) await sleep(left + 20);
}

function expectQuotaHeaders(res: Response, limit: number, remaining: number) {
  expect(res.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('ratelimit-remaining')).toBe(String(remaining));
  expect(res.headers.get('ratelimit-reset')).toMatch(/^\d+$/);
}

describe('REQUIRE_API_KEY=true', () => {
  it('no key: 401 missing_api_key with WWW-Authenticate, standard shape', async () => {
    const res = await natal(REQUIRED);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(res.headers.get('ratelimit-limit')).toBeNull();
    const { body } = await expectErrorShape(res, 'missing');
    expect(body.error.code).toBe('missing_api_key');
  });

  it('unknown, malformed or conflicting keys: 401 invalid_api_key', async () => {
    const other = await makeKey('pro'); // well formed, never registered
    const cases: Record<string, string>[] = [
      bearer(other),
      { 'x-api-key': other.key },
      { authorization: 'Bearer not-a-key' },
      { authorization: `Basic ${btoa('user:pass')}` },
      { authorization: `Bearer ${PRO.key.slice(0, -1)}x` },
      { authorization: `Bearer ${PRO.key}`, 'x-api-key': FREE.key },
    ];
    for (const headers of cases) {
      const res = await natal(REQUIRED, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      const { body, text } = await expectErrorShape(res, JSON.stringify(headers));
      expect(body.error.code).toBe('invalid_api_key');
      expect(text).not.toContain(other.key);
    }
  });

  it('revoked key: 403 revoked_api_key naming the key id, never the key', async () => {
    for (const headers of [bearer(REVOKED), { 'x-api-key': REVOKED.key }]) {
      const res = await natal(REQUIRED, headers);
      expect(res.status).toBe(403);
      const { body, text } = await expectErrorShape(res, 'revoked');
      expect(body.error.code).toBe('revoked_api_key');
      expect(body.error.message).toContain(REVOKED.keyId);
      expect(text).not.toContain(REVOKED.key);
    }
  });

  it('a valid key in either header: 200 with the plan quota headers', async () => {
    const first = await natal(REQUIRED, bearer(PRO));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('600');
    const remaining = Number(first.headers.get('ratelimit-remaining'));
    expect(remaining).toBeLessThan(600);
    const second = await natal(REQUIRED, { 'x-api-key': PRO.key });
    expect(second.status).toBe(200);
    // Same key, same quota, whichever header carried it.
    expect(Number(second.headers.get('ratelimit-remaining'))).toBeLessThan(remaining);
    const same = await natal(REQUIRED, { ...bearer(PRO), 'x-api-key': PRO.key });
    expect(same.status).toBe(200);
  });

  it('keyed GET responses are cacheable privately only; anonymous ones publicly', async () => {
    const query = `/v1/charts/natal?${new URLSearchParams({ ...BIRTH, latitude: '19.07609', longitude: '72.877426' })}`;
    const keyed = await call(REQUIRED, query, { headers: bearer(PRO) });
    expect(keyed.status).toBe(200);
    expect(keyed.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    const keyedOptional = await call(OPTIONAL, query, { headers: bearer(PRO) });
    expect(keyedOptional.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    const anonymous = await call(OPTIONAL, query, { headers: { 'cf-connecting-ip': '198.51.100.77' } });
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  });

  it('operational routes, docs and preflights need no key and carry no quota', async () => {
    for (const [method, path] of [
      ['GET', '/health'],
      ['GET', '/openapi.json'],
      ['GET', '/docs'],
      ['GET', '/cache/stats'],
      ['GET', '/metrics'],
      ['OPTIONS', '/v1/charts/natal'],
    ]) {
      const res = await call(REQUIRED, path, { method, headers: { origin: 'https://example.com', 'access-control-request-method': 'POST' } });
      expect(res.status, `${method} ${path}`).not.toBe(401);
      expect(res.headers.get('ratelimit-limit'), `${method} ${path}`).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('unknown /v1 paths ask for a key before saying 404', async () => {
    expect((await call(REQUIRED, '/v1/nothing-here')).status).toBe(401);
    expect((await call(REQUIRED, '/v1/nothing-here', { headers: bearer(PRO) })).status).toBe(404);
  });

  it('the old routes refuse in their own shape: error as a string, code and requestId beside it', async () => {
    const paths = ['/lahiri/natal', '/raman/navamsha_d9', '/batch/calculate'];
    for (const path of paths) {
      const body = path === '/batch/calculate' ? { requests: [] } : LEGACY_BIRTH;
      for (const [headers, status, code] of [
        [{}, 401, 'missing_api_key'],
        [{ authorization: 'Bearer nope' }, 401, 'invalid_api_key'],
        [bearer(REVOKED), 403, 'revoked_api_key'],
      ] as const) {
        const res = await call(REQUIRED, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
        expect(res.status, `${path} ${code}`).toBe(status);
        const json = (await res.json()) as any;
        expect(json, path).toMatchObject({ error: expect.any(String), code, requestId: res.headers.get('x-request-id') });
      }
    }
    const ok = await call(REQUIRED, '/lahiri/natal', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(PRO) }, body: JSON.stringify(LEGACY_BIRTH) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBe('600');
  });
});

describe('keys optional (REQUIRE_API_KEY unset)', () => {
  it('no key: anonymous, limited per client address', async () => {
    const a = await natal(OPTIONAL, { 'cf-connecting-ip': '192.0.2.10' });
    expect(a.status).toBe(200);
    expectQuotaHeaders(a, 1000, 999);
    const again = await natal(OPTIONAL, { 'cf-connecting-ip': '192.0.2.10' });
    expectQuotaHeaders(again, 1000, 998);
    const other = await natal(OPTIONAL, { 'cf-connecting-ip': '2001:db8::77' });
    expectQuotaHeaders(other, 1000, 999);
  });

  it('IPv6 callers share one quota per /64; an IPv4-mapped address is its IPv4 client', async () => {
    const sequence: Array<[string, number]> = [
      ['2001:db8:64:1::1', 999],
      ['2001:db8:64:1:ffff:ffff:ffff:fffe', 998], // same /64, another address: same quota
      ['2001:0DB8:0064:0001:0:0:0:2', 997], // same /64, written out
      ['2001:db8:64:2::1', 999], // the next /64
      ['192.0.2.64', 999],
      ['::ffff:192.0.2.64', 998], // the same IPv4 client
      ['::ffff:c000:240', 997],
    ];
    for (const [ip, remaining] of sequence) {
      const res = await natal(OPTIONAL, { 'cf-connecting-ip': ip });
      expect(res.status, ip).toBe(200);
      expectQuotaHeaders(res, 1000, remaining);
    }
  });

  it('a key that is sent is still checked', async () => {
    const invalid = await natal(OPTIONAL, { authorization: 'Bearer ae_live_nope' });
    expect(invalid.status).toBe(401);
    expect((await expectErrorShape(invalid, 'invalid')).body.error.code).toBe('invalid_api_key');
    const revoked = await natal(OPTIONAL, bearer(REVOKED));
    expect(revoked.status).toBe(403);
    expect((await expectErrorShape(revoked, 'revoked')).body.error.code).toBe('revoked_api_key');
    const valid = await natal(OPTIONAL, bearer(PRO));
    expect(valid.status).toBe(200);
    expect(valid.headers.get('ratelimit-limit')).toBe('600');
  });

  it('wrangler.toml alone (SELF-like env) lets anonymous calls through', async () => {
    const res = await natal({});
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toMatch(/^\d+$/);
  });
});

describe('failed authentications', () => {
  afterEach(() => vi.restoreAllMocks());

  it('30 per address (an IPv6 /64) per minute; beyond, 429 before any key lookup, whatever key is sent', async () => {
    const finds = vi.spyOn(SecretKeyStore.prototype, 'find');
    // Every failure from another address of one /64: they count together.
    const from = (i: number) => ({ 'cf-connecting-ip': `2001:db8:fa11:1::${(i + 1).toString(16)}` });
    await startOfWindow(60, 10_000);
    for (let i = 0; i < 30; i++) {
      const headers = i % 3 === 0 ? { authorization: 'Bearer not-a-key' } : bearer(await makeKey('pro'));
      const res = await natal(REQUIRED, { ...headers, ...from(i) });
      expect(res.status, `failure ${i + 1}`).toBe(401);
      expect((await res.json()) as any).toMatchObject({ error: { code: 'invalid_api_key' } });
    }
    expect(finds).toHaveBeenCalledTimes(20); // the well-formed ones; `not-a-key` needs no lookup

    const over = await natal(REQUIRED, { ...bearer(await makeKey('pro')), ...from(30) });
    expect(over.status).toBe(429);
    const retryAfterSec = Number(over.headers.get('retry-after'));
    expect(retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(retryAfterSec).toBeLessThanOrEqual(60);
    expect(over.headers.get('www-authenticate')).toBeNull();
    const { body } = await expectErrorShape(over, 'over the failure limit');
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toMatch(/invalid API key.*30 per 60 s/);
    expect(finds).toHaveBeenCalledTimes(21);

    // From now on this isolate refuses the /64 without looking anything up, a valid key included.
    for (const headers of [bearer(await makeKey('pro')), bearer(PRO), { 'x-api-key': PRO.key }, { authorization: 'Bearer nope' }]) {
      const res = await natal(REQUIRED, { ...headers, ...from(99) });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      await res.arrayBuffer();
    }
    const legacy = await call(REQUIRED, '/lahiri/natal', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(PRO), ...from(5) }, body: JSON.stringify(LEGACY_BIRTH) });
    expect(legacy.status).toBe(429);
    expect((await legacy.json()) as any).toMatchObject({ error: expect.stringContaining('invalid API key'), code: 'rate_limited' });
    expect(finds).toHaveBeenCalledTimes(21);

    // Another /64, and an IPv4 address, have their own budget; the key itself is fine elsewhere.
    expect((await natal(REQUIRED, { ...bearer(await makeKey('pro')), 'cf-connecting-ip': '2001:db8:fa11:2::1' })).status).toBe(401);
    expect((await natal(REQUIRED, { ...bearer(PRO), 'cf-connecting-ip': '2001:db8:fa11:2::1' })).status).toBe(200);
    expect((await natal(REQUIRED, { ...bearer(PRO), 'cf-connecting-ip': '192.0.2.250' })).status).toBe(200);
  });

  it('revoked keys and missing keys are not failures of this kind; calls without a key are not blocked', async () => {
    const ip = { 'cf-connecting-ip': '192.0.2.251' };
    for (let i = 0; i < 35; i++) expect((await natal(REQUIRED, { ...bearer(REVOKED), ...ip })).status).toBe(403);
    for (let i = 0; i < 35; i++) expect((await natal(REQUIRED, ip)).status).toBe(401);
    expect((await natal(REQUIRED, { ...bearer(PRO), ...ip })).status).toBe(200);

    const blocked = { 'cf-connecting-ip': '192.0.2.252' };
    for (let i = 0; i < 31; i++) await (await natal(OPTIONAL, { authorization: 'Bearer nope', ...blocked })).arrayBuffer();
    expect((await natal(OPTIONAL, { authorization: 'Bearer nope', ...blocked })).status).toBe(429);
    const anonymous = await natal(OPTIONAL, blocked);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('ratelimit-limit')).toBe('1000');
  });
});

describe('plan limits', () => {
  it('429 with Retry-After and RateLimit-* once the plan limit is reached, then recovery after the window', async () => {
    // free: 3 per 2 s
    await startOfWindow(2, 1_200);
    for (let i = 0; i < 3; i++) {
      const res = await natal(REQUIRED, bearer(FREE));
      expect(res.status, `request ${i + 1}`).toBe(200);
      expectQuotaHeaders(res, 3, 2 - i);
    }
    const refused = await natal(REQUIRED, bearer(FREE));
    expect(refused.status).toBe(429);
    expectQuotaHeaders(refused, 3, 0);
    const retryAfterSec = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfterSec)).toBe(true);
    expect(retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(retryAfterSec);
    const { body } = await expectErrorShape(refused, '429');
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toContain(FREE.keyId);

    // The old routes say it in their shape, with the same headers.
    const legacy = await call(REQUIRED, '/lahiri/natal', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(FREE) }, body: JSON.stringify(LEGACY_BIRTH) });
    expect(legacy.status).toBe(429);
    expect(legacy.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await legacy.json()) as any).toMatchObject({ error: expect.any(String), code: 'rate_limited' });

    await sleep(retryAfterSec * 1000 + 100);
    const recovered = await natal(REQUIRED, bearer(FREE));
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('ratelimit-limit')).toBe('3');
  });

  it('another key of the same plan has its own quota', async () => {
    const keyA = await makeKey('free');
    const keyB = await makeKey('free');
    const vars = { ...REQUIRED, API_KEYS: JSON.stringify([keyA.entry, keyB.entry]) };
    await startOfWindow(2, 1_200);
    for (let i = 0; i < 3; i++) expect((await natal(vars, bearer(keyA))).status).toBe(200);
    expect((await natal(vars, bearer(keyA))).status).toBe(429);
    const b = await natal(vars, bearer(keyB));
    expect(b.status).toBe(200);
    expectQuotaHeaders(b, 3, 2);
  });
});

describe('bulk items count towards the quota', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, type: 'natal', input: { ...BIRTH, latitude: 10 + i } }));
  const bulk = (n: number) =>
    call(REQUIRED, '/v1/bulk', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(ENTERPRISE) }, body: JSON.stringify({ items: items(n) }) });

  it('1 unit for the request plus 1 per item; a job that does not fit is refused whole, before it is queued', async () => {
    // enterprise: 10 per 60 s
    await startOfWindow(60, 10_000);
    const first = await bulk(4); // 1 + 4
    expect(first.status).toBe(202);
    expectQuotaHeaders(first, 10, 5);

    const tooBig = await bulk(6); // 1 charged, 4 left, 6 items do not fit
    expect(tooBig.status).toBe(429);
    expectQuotaHeaders(tooBig, 10, 4);
    expect(Number(tooBig.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { body } = await expectErrorShape(tooBig, 'bulk 429');
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toContain('6 items');
    expect(body.error.message).toContain('only 4 fit');
    expect(JSON.stringify(body)).not.toContain('jobId');

    const fits = await bulk(3); // 1 charged, 3 left, 3 items fit
    expect(fits.status).toBe(202);
    expectQuotaHeaders(fits, 10, 0);

    const none = await bulk(1);
    expect(none.status).toBe(429);
    expect(((await none.json()) as any).error.code).toBe('rate_limited');
  });

  it('an Idempotency-Key replay costs only its request\'s unit, and so does a 409', async () => {
    const key = await makeKey('enterprise');
    const vars = { ...REQUIRED, API_KEYS: JSON.stringify([key.entry]), RATE_LIMITS: JSON.stringify({ enterprise: { requests: 12, windowSec: 3600 } }) };
    const send = (n: number, idempotencyKey: string) =>
      call(vars, '/v1/bulk', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...bearer(key) }, body: JSON.stringify({ items: items(n) }) });
    await startOfWindow(3600, 10_000);
    const first = await send(4, 'job-1'); // 1 + 4
    expect(first.status).toBe(202);
    expectQuotaHeaders(first, 12, 7);
    const { jobId } = (await first.json()) as any;

    for (const remaining of [6, 5]) {
      const replay = await send(4, 'job-1');
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replay.json()) as any).jobId).toBe(jobId);
      expectQuotaHeaders(replay, 12, remaining);
    }

    const conflict = await send(3, 'job-1'); // another body: 409, its items given back
    expect(conflict.status).toBe(409);
    expectQuotaHeaders(conflict, 12, 4);
    expect(((await conflict.json()) as any).error.code).toBe('idempotency_conflict');
    expectQuotaHeaders(await natal(vars, bearer(key)), 12, 3);
  });

  it('a job whose dispatch fails gets its items back; the retry that queues it pays for them', async () => {
    const key = await makeKey('enterprise');
    const vars = { ...REQUIRED, API_KEYS: JSON.stringify([key.entry]), RATE_LIMITS: JSON.stringify({ enterprise: { requests: 20, windowSec: 3600 } }) };
    const send = (ctx?: ExecutionContext) =>
      call(vars, '/v1/bulk', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'job-503', ...bearer(key) }, body: JSON.stringify({ items: items(5) }) }, ctx);
    await startOfWindow(3600, 10_000);
    // Without QStash the chunks are handed to waitUntil: refusing it is a dispatch failure.
    const real = createExecutionContext();
    const failing = Object.assign(Object.create(real), {
      waitUntil: () => {
        throw new Error('waitUntil refused');
      },
    }) as ExecutionContext;
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failed = await send(failing);
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as any).error.code).toBe('dispatch_failed');
    expectQuotaHeaders(failed, 20, 19);

    const resumed = await send(); // same key: resumes the job, queues its items
    expect(resumed.status).toBe(200);
    expectQuotaHeaders(resumed, 20, 13); // 1 + 5
    const replay = await send(); // queued already: 1
    expect(replay.status).toBe(200);
    expectQuotaHeaders(replay, 20, 12);
    vi.restoreAllMocks();
  });

  it('invalid jobs are not charged for their items', async () => {
    const key = await makeKey('enterprise');
    const vars = { ...REQUIRED, API_KEYS: JSON.stringify([key.entry]) };
    await startOfWindow(60, 10_000);
    const bad = await call(vars, '/v1/bulk', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({ items: [...items(5), { id: 'bad', type: 'natal', input: { ...BIRTH, latitude: 91 } }] }),
    });
    expect(bad.status).toBe(422);
    expectQuotaHeaders(bad, 10, 9);
  });
});

describe('POST /batch/calculate charges every request of the batch', () => {
  const request = (type: string) => ({ type, data: LEGACY_BIRTH });
  it('1 unit per item, valid or not, as rate_limit_impact says; a batch that does not fit is refused whole in the old shape; a malformed one costs 1', async () => {
    const key = await makeKey('pro');
    const vars = { ...REQUIRED, API_KEYS: JSON.stringify([key.entry]), RATE_LIMITS: JSON.stringify({ pro: { requests: 10, windowSec: 3600 } }) };
    const batch = (requests: unknown) =>
      call(vars, '/batch/calculate', { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(key) }, body: JSON.stringify({ requests }) });
    await startOfWindow(3600, 10_000);
    const three = await batch([request('natal'), request('navamsa'), request('no_such_type')]);
    expect(three.status).toBe(200);
    const body = (await three.json()) as any;
    expect(body.results.map((r: any) => r.status)).toEqual(['success', 'success', 'failed']);
    expect(body.rate_limit_impact).toMatchObject({ items_in_batch: 3, requests_consumed: 3 });
    expectQuotaHeaders(three, 10, 7);

    const malformed = await batch([]);
    expect(malformed.status).toBe(400);
    expectQuotaHeaders(malformed, 10, 6);

    const tooMany = await batch(Array.from({ length: 10 }, () => request('natal'))); // 1 charged, 5 left, 9 more do not fit
    expect(tooMany.status).toBe(429);
    expectQuotaHeaders(tooMany, 10, 5);
    expect(tooMany.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const refused = (await tooMany.json()) as any;
    expect(refused).toMatchObject({ error: expect.stringContaining('10 requests'), code: 'rate_limited', requestId: tooMany.headers.get('x-request-id') });
    expect(refused.error).toContain('send at most 6 requests');

    const fits = await batch(Array.from({ length: 5 }, () => request('natal'))); // 1 charged, 4 left, 4 more
    expect(fits.status).toBe(200);
    expect(((await fits.json()) as any).rate_limit_impact.requests_consumed).toBe(5);
    expectQuotaHeaders(fits, 10, 0);
  });
});

describe('admin key routes', () => {
  it('refuse without the admin token, with a wrong one, and when operations are disabled', async () => {
    for (const [method, path] of [
      ['GET', '/admin/keys'],
      ['POST', '/admin/keys'],
      ['DELETE', `/admin/keys/${PRO.keyId}`],
    ]) {
      const init = { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ name: 'x', plan: 'pro' }) : undefined };
      const none = await call(REQUIRED, path, init);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect((await expectErrorShape(none, 'no token')).body.error.code).toBe('unauthorized');
      // An API key is not the admin token.
      const apiKey = await call(REQUIRED, path, { ...init, headers: { ...init.headers, ...bearer(PRO) } });
      expect(apiKey.status, `${method} ${path}`).toBe(403);
      expect((await expectErrorShape(apiKey, 'api key')).body.error.code).toBe('forbidden');
      const disabled = await call({ ...REQUIRED, ADMIN_TOKEN: '' }, path, { ...init, headers: { ...init.headers, authorization: 'Bearer anything' } });
      expect(disabled.status).toBe(403);
      expect((await expectErrorShape(disabled, 'disabled')).body.error.code).toBe('admin_disabled');
    }
  });

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

  it('without Redis: listing shows the API_KEYS entries without hashes; writes answer 409 key_store_read_only', async () => {
    const list = await call(REQUIRED, '/admin/keys', { headers: admin });
    expect(list.status).toBe(200);
    const text = await list.text();
    const body = JSON.parse(text);
    expect(body.store).toBe('secret');
    expect(body.keys.map((k: any) => k.keyId).sort()).toEqual([PRO, FREE, ENTERPRISE, REVOKED].map((k) => k.keyId).sort());
    expect(body.keys.find((k: any) => k.keyId === REVOKED.keyId).revokedAt).toBe('2026-02-01T00:00:00.000Z');
    for (const k of body.keys) expect(Object.keys(k).sort()).toEqual(['createdAt', 'keyId', 'name', 'plan', 'revokedAt']);
    expect(text).not.toContain(PRO.entry.sha256 as string);

    const create = await call(REQUIRED, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'acme', plan: 'pro' }) });
    expect(create.status).toBe(409);
    const created = await expectErrorShape(create, 'create');
    expect(created.body.error.code).toBe('key_store_read_only');
    expect(created.body.error.message).toContain('--offline');
    const revoke = await call(REQUIRED, `/admin/keys/${PRO.keyId}`, { method: 'DELETE', headers: admin });
    expect(revoke.status).toBe(409);
    expect((await expectErrorShape(revoke, 'revoke')).body.error.code).toBe('key_store_read_only');
  });

  it('validates the create body strictly', async () => {
    for (const [body, path] of [
      [{ name: 'acme', plan: 'gold' }, 'plan'],
      [{ name: 'acme', plan: 'anonymous' }, 'plan'],
      [{ name: '', plan: 'pro' }, 'name'],
      [{ name: 'x'.repeat(101), plan: 'pro' }, 'name'],
      [{ name: 'acme', plan: 'pro', limit: 5 }, 'limit'],
      [{ plan: 'pro' }, 'name'],
    ] as const) {
      const res = await call(REQUIRED, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(422);
      const err = await expectErrorShape(res, JSON.stringify(body));
      expect(err.body.error.details.map((d: any) => d.path)).toContain(path);
    }
    const form = await call(REQUIRED, '/admin/keys', { method: 'POST', headers: { ...admin, 'content-type': 'text/plain' }, body: 'name=acme' });
    expect(form.status).toBe(415);
  });

  it('are in the OpenAPI document under operations', async () => {
    const doc = (await (await call(REQUIRED, '/openapi.json')).json()) as any;
    expect(doc.paths['/admin/keys'].post.tags).toEqual(['operations']);
    expect(doc.paths['/admin/keys'].get.tags).toEqual(['operations']);
    expect(doc.paths['/admin/keys/{keyId}'].delete.tags).toEqual(['operations']);
    expect(Object.keys(doc.paths['/admin/keys'].post.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '409', '422']));
  });
});

describe('configuration and outages', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a malformed RATE_LIMITS, REQUIRE_API_KEY or API_KEYS is a 503 access_misconfigured on keyed routes, never an open door; /health still answers', async () => {
    const warnings: unknown[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void warnings.push(args[0]));
    for (const [vars, variable] of [
      [{ ...REQUIRED, RATE_LIMITS: '{"gold":{"requests":1}}' }, 'RATE_LIMITS'],
      [{ ...REQUIRED, REQUIRE_API_KEY: 'yes' }, 'REQUIRE_API_KEY'],
      [{ ...REQUIRED, API_KEYS: '[{"keyId":"x"}]' }, 'API_KEYS'],
    ] as const) {
      for (const headers of [bearer(PRO), {}]) {
        const res = await natal(vars, headers);
        expect(res.status, variable).toBe(503);
        const { body, text } = await expectErrorShape(res, 'config');
        expect(body.error.code).toBe('access_misconfigured');
        expect(body.error.message).toContain(variable);
        expect(text).not.toContain(PRO.key);
      }
      expect((await call(vars, '/health')).status).toBe(200);
    }
    // Logged once per isolate and mistake, at warn: an operator's problem, not a crash.
    const lines = warnings.filter((line: any) => line?.msg === 'config_unusable') as any[];
    expect(lines.map((line) => line.variables)).toEqual([['RATE_LIMITS'], ['REQUIRE_API_KEY'], ['API_KEYS']]);
    expect(JSON.stringify(lines)).not.toContain(PRO.key);
  });

  it('Redis unreachable: rate limits fail open with one warn line; keys cannot be checked (503), anonymous calls still pass', async () => {
    const warnings: any[] = [];
    vi.spyOn(console, 'warn').mockImplementation((line) => void warnings.push(line));
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const vars = { ...OPTIONAL, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: 'x', REDIS_TIMEOUT_MS: '300' };
    const anonymous = await natal(vars, { 'cf-connecting-ip': '198.51.100.7' });
    expect(anonymous.status).toBe(200);
    expectQuotaHeaders(anonymous, 1000, 1000);
    const unavailable = warnings.filter((line) => line?.msg === 'ratelimit_unavailable');
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]).toMatchObject({ level: 'warn', plan: 'anonymous' });

    const keyed = await natal(vars, bearer(PRO));
    expect(keyed.status).toBe(503);
    const { body, text } = await expectErrorShape(keyed, 'key store down');
    expect(body.error.code).toBe('key_store_unavailable');
    expect(text).not.toContain(PRO.key);
    expect(JSON.stringify(warnings)).not.toContain(PRO.key);
  });
});
