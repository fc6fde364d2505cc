/**
 * API keys and rate limits end to end: two real `wrangler dev` Workers (A and B: two workerd
 * processes, two sets of isolates) with REQUIRE_API_KEY=true, sharing the stack's Upstash REST
 * emulator + redis-server (test/stack/global-setup.ts). Proves on the real client settings
 * (automaticDeserialization off, no retries, a timeout per call) that keys created on one Worker
 * work on the other, revocation reaches both, and @upstash/ratelimit's sliding window counts one
 * quota across Workers, bulk items included.
 *
 * Every test creates its own keys, so no test spends another's quota. Redis is always restarted.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEY_CACHE_TTL_SEC } from '../../src/access/key-store';
import { MemoryRatelimit, UpstashRatelimit, type RateLimiter } from '../../src/access/limiter';
import { AUTH_FAILURE_LIMIT } from '../../src/access/plans';
import { createUpstashRedis } from '../../src/platform/upstash-redis';
import { ROOT, controlRedis, redisCommand, sleep, stackRedisUp, startWorkerPair, type Reply, type Worker, type WorkerPair } from './worker-pair';

const upstash = inject('upstash');
const exec = promisify(execFile);

const RATE_LIMITS = {
  free: { requests: 1000, windowSec: 60 },
  pro: { requests: 5, windowSec: 10 },
  enterprise: { requests: 8, windowSec: 10 },
};

let pair: WorkerPair | undefined;
let A: Worker;
let B: Worker;

beforeAll(async () => {
  pair = await startWorkerPair(upstash, { REQUIRE_API_KEY: 'true', RATE_LIMITS: JSON.stringify(RATE_LIMITS) });
  ({ a: A, b: B } = pair);
}, 240_000);

afterAll(async () => {
  await pair?.stop();
}, 60_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    for (const w of [pair?.a, pair?.b]) if (w) console.log(`access: wrangler dev ${w.name}, last lines:\n  ${w.dev.output().slice(-40).join('\n  ')}`);
  }
  if (!(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
});

const BIRTH = { datetime: '1990-05-15T14:30:00', utcOffset: '+05:30', latitude: 28.6139, longitude: 77.209 };
const natal = (w: Worker, key: string) => w.post('/v1/charts/natal', BIRTH, { authorization: `Bearer ${key}` });
const admin = () => ({ authorization: `Bearer ${pair!.adminToken}` });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Created {
  keyId: string;
  key: string;
  plan: string;
  name: string;
  createdAt: string;
}

/** scripts/keys.mjs against a Worker, as an operator runs it; returns its --json output. */
async function keysScript(w: Worker, ...args: string[]): Promise<any> {
  const { stdout } = await exec(process.execPath, ['scripts/keys.mjs', ...args, '--url', w.base, '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ADMIN_TOKEN: pair!.adminToken },
  });
  return JSON.parse(stdout);
}

async function createKey(w: Worker, plan: 'free' | 'pro' | 'enterprise'): Promise<Created> {
  const res = await w.post('/admin/keys', { name: `stack ${plan} ${crypto.randomUUID()}`, plan }, admin());
  expect(res.status, res.text).toBe(201);
  return res.body as Created;
}

/** Waits for the start of a window when fewer than `neededMs` are left in it (see test/worker/access.test.ts). */
async function startOfWindow(windowSec: number, neededMs: number): Promise<void> {
  const windowMs = windowSec * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < neededMs) await sleep(left + 50);
}

function expectQuota(reply: Reply, limit: number, remaining: number, label: string) {
  expect(reply.headers.get('ratelimit-limit'), label).toBe(String(limit));
  expect(reply.headers.get('ratelimit-remaining'), label).toBe(String(remaining));
  expect(reply.headers.get('ratelimit-reset'), label).toMatch(/^\d+$/);
}

function expectError(reply: Reply, status: number, code: string) {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body?.error?.code, reply.text).toBe(code);
  expect(reply.body.error.requestId).toBe(reply.headers.get('x-request-id'));
}

describe('admin key routes', () => {
  it('refuse without the admin token or with a wrong one', async () => {
    for (const w of [A, B]) {
      expectError(await w.request('GET', '/admin/keys'), 401, 'unauthorized');
      expectError(await w.post('/admin/keys', { name: 'x', plan: 'pro' }), 401, 'unauthorized');
      expectError(await w.request('DELETE', '/admin/keys/key_000000000000'), 401, 'unauthorized');
      expectError(await w.request('GET', '/admin/keys', { headers: { authorization: 'Bearer wrong' } }), 403, 'forbidden');
    }
  });

  it('a key created on A by scripts/keys.mjs works on B; it is stored and listed without the key or its hash', async () => {
    const created = (await keysScript(A, 'create', '--plan', 'free', '--name', `script ${crypto.randomUUID()}`)) as Created;
    expect(created.key).toMatch(/^ae_live_[0-9A-Za-z]{32}$/);

    const onB = await natal(B, created.key);
    expect(onB.status, onB.text).toBe(200);
    expectQuota(onB, 1000, 999, 'first call on B');
    const viaHeader = await B.post('/v1/charts/natal', BIRTH, { 'x-api-key': created.key });
    expect(viaHeader.status).toBe(200);

    const listed = await keysScript(B, 'list');
    expect(listed.store).toBe('redis');
    const mine = listed.keys.find((k: { keyId: string }) => k.keyId === created.keyId);
    expect(mine).toEqual({ keyId: created.keyId, name: created.name, plan: 'free', createdAt: created.createdAt, revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(JSON.stringify(listed)).not.toContain(sha256(created.key));

    // In Redis: the digest, never the key.
    const stored = (await redisCommand(upstash, 'HGETALL', `ae:apikey:v1:digest:${sha256(created.key)}`)) as string[];
    expect(stored).toContain(created.keyId);
    expect(await redisCommand(upstash, 'HGET', 'ae:apikey:v1:ids', created.keyId)).toBe(sha256(created.key));
    const allKeys = (await redisCommand(upstash, 'KEYS', 'ae:apikey:*')) as string[];
    for (const k of allKeys) {
      const type = await redisCommand(upstash, 'TYPE', k);
      const dump = type === 'hash' ? await redisCommand(upstash, 'HGETALL', k) : await redisCommand(upstash, 'GET', k);
      expect(JSON.stringify(dump)).not.toContain(created.key);
    }
  });

  it('revocation: at once on the Worker that revoked and on one without a copy; within KEY_CACHE_TTL_SEC on one holding a copy', async () => {
    const held = await createKey(A, 'free');
    const unseen = await createKey(B, 'free'); // A never sees this one before it is revoked
    expect((await natal(A, held.key)).status).toBe(200);
    expect((await natal(B, held.key)).status).toBe(200); // B now holds a copy of `held`

    const revoked = await keysScript(A, 'revoke', held.keyId);
    expect(revoked).toMatchObject({ keyId: held.keyId, plan: 'free' });
    expect(Date.parse(revoked.revokedAt)).not.toBeNaN();
    const onA = await natal(A, held.key);
    expectError(onA, 403, 'revoked_api_key');
    expect(onA.body.error.message).toContain(held.keyId);
    expect(onA.text).not.toContain(held.key);

    // Created and revoked through B, refused on A, which holds no copy.
    expect((await B.request('DELETE', `/admin/keys/${unseen.keyId}`, { headers: admin() })).status).toBe(200);
    expectError(await natal(A, unseen.key), 403, 'revoked_api_key');

    // Revoking again keeps the first revokedAt; an unknown id is a 404.
    const again = await A.request('DELETE', `/admin/keys/${held.keyId}`, { headers: admin() });
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.revokedAt);
    expectError(await A.request('DELETE', '/admin/keys/key_000000000000', { headers: admin() }), 404, 'key_not_found');
    expectError(await A.request('DELETE', '/admin/keys/not-an-id', { headers: admin() }), 404, 'key_not_found');

    // B answers from its copy until that expires, then asks Redis and refuses.
    const deadline = Date.now() + (KEY_CACHE_TTL_SEC + 10) * 1000;
    let last = await natal(B, held.key);
    while (last.status === 200 && Date.now() < deadline) {
      await sleep(1_000);
      last = await natal(B, held.key);
    }
    expectError(last, 403, 'revoked_api_key');
  }, 90_000);

  it('missing and unknown keys: 401 in the standard shape on both Workers', async () => {
    for (const w of [A, B]) {
      const missing = await w.post('/v1/charts/natal', BIRTH);
      expectError(missing, 401, 'missing_api_key');
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expectError(await natal(w, `ae_live_${'x'.repeat(32)}`), 401, 'invalid_api_key');
    }
  });
});

describe('rate limits on Redis (@upstash/ratelimit with our client settings)', () => {
  it('one quota across A and B: 3 on A + 2 on B, the 6th is a 429 with headers, and it recovers after the window', async () => {
    const key = await createKey(A, 'pro'); // 5 per 10 s
    await startOfWindow(10, 5_000);
    const replies: Reply[] = [];
    for (const w of [A, A, A, B, B]) replies.push(await natal(w, key.key));
    replies.forEach((r, i) => {
      expect(r.status, r.text).toBe(200);
      expectQuota(r, 5, 4 - i, `call ${i + 1}`);
    });

    const refused = await natal(A, key.key);
    expectError(refused, 429, 'rate_limited');
    expectQuota(refused, 5, 0, '6th');
    const retryAfterSec = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfterSec)).toBe(true);
    expect(retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(retryAfterSec).toBeLessThanOrEqual(10);
    expect(refused.body.error.message).toContain(key.keyId);
    expectError(await natal(B, key.key), 429, 'rate_limited');

    // The counters live in Redis under the plan's prefix (the window number last).
    const counters = (await redisCommand(upstash, 'KEYS', `ae:ratelimit:v1:pro:key:${key.keyId}:*`)) as string[];
    expect(counters.length).toBeGreaterThanOrEqual(1);

    await sleep(retryAfterSec * 1000 + 200);
    const recoveredB = await natal(B, key.key);
    expect(recoveredB.status, recoveredB.text).toBe(200);
    expect(recoveredB.headers.get('ratelimit-limit')).toBe('5');
    // A refused from its in-isolate cache until the reset it was told; past it, Redis decides again.
    const recoveredA = await natal(A, key.key);
    expect([200, 429]).toContain(recoveredA.status);
    if (recoveredA.status === 429) expect(recoveredA.body.error.code).toBe('rate_limited');
  }, 60_000);

  it('bulk items are charged on the shared quota; a job that does not fit is refused before it is queued', async () => {
    const key = await createKey(A, 'enterprise'); // 8 per 10 s
    const auth = { authorization: `Bearer ${key.key}` };
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, type: 'natal', input: { ...BIRTH, latitude: 10 + i } }));
    await startOfWindow(10, 6_000);

    const first = await A.post('/v1/bulk', { items: items(3) }, auth); // 1 + 3
    expect(first.status, first.text).toBe(202);
    expectQuota(first, 8, 4, 'first job');

    // Job hashes only: the first job's chunk and result keys keep appearing while it runs.
    const jobs = async () => ((await redisCommand(upstash, 'KEYS', 'ae:bulk:v1:job:*')) as string[]).filter((k) => /^ae:bulk:v1:job:[^:]+$/.test(k));
    const jobsBefore = new Set(await jobs());
    const tooBig = await B.post('/v1/bulk', { items: items(5) }, auth); // 1 charged, 3 left
    expectError(tooBig, 429, 'rate_limited');
    expectQuota(tooBig, 8, 3, 'refused job');
    expect(Number(tooBig.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(tooBig.body.error.message).toContain('only 3 fit');
    expect((await jobs()).filter((k) => !jobsBefore.has(k))).toEqual([]);

    const fits = await B.post('/v1/bulk', { items: items(2) }, auth); // 1 charged, 2 left, 2 items
    expect(fits.status, fits.text).toBe(202);
    expectQuota(fits, 8, 0, 'second job');
    expectError(await natal(A, key.key), 429, 'rate_limited');
  }, 60_000);
});

describe('bulk charging on Redis: replays, conflicts, concurrent jobs', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `i${i}`, type: 'natal', input: { ...BIRTH, latitude: 10 + i } }));
  /** The key's count in the current window, as @upstash/ratelimit stores it. */
  const counted = async (keyId: string) => Number((await redisCommand(upstash, 'GET', `ae:ratelimit:v1:enterprise:key:${keyId}:${Math.floor(Date.now() / 10_000)}`)) ?? 0);

  it('an Idempotency-Key replay costs only its request\'s unit on either Worker, and so does a 409', async () => {
    const key = await createKey(A, 'enterprise'); // 8 per 10 s
    const auth = { authorization: `Bearer ${key.key}`, 'idempotency-key': `stack-${crypto.randomUUID()}` };
    await startOfWindow(10, 6_000);
    const first = await A.post('/v1/bulk', { items: items(2) }, auth); // 1 + 2
    expect(first.status, first.text).toBe(202);
    expectQuota(first, 8, 5, 'job');
    const replays = [await B.post('/v1/bulk', { items: items(2) }, auth), await A.post('/v1/bulk', { items: items(2) }, auth)];
    replays.forEach((r, i) => {
      expect(r.status, r.text).toBe(200);
      expect(r.body.jobId).toBe(first.body.jobId);
      expectQuota(r, 8, 4 - i, `replay ${i + 1}`);
    });
    const conflict = await B.post('/v1/bulk', { items: items(2).reverse() }, auth);
    expectError(conflict, 409, 'idempotency_conflict');
    expectQuota(conflict, 8, 2, 'conflict');
    expect(await counted(key.keyId)).toBe(6);
    expectQuota(await natal(A, key.key), 8, 1, 'after');
  }, 60_000);

  it('concurrent jobs that each fit alone: those that do not fit together are refused and cost nothing more', async () => {
    const key = await createKey(A, 'enterprise'); // 8 per 10 s
    const auth = { authorization: `Bearer ${key.key}` };
    await startOfWindow(10, 6_000);
    // 3 requests (3 units) and 2-item jobs: whatever the interleaving, two fit (7 units) and the third does not.
    const replies = await Promise.all([A, B, A].map((w) => w.post('/v1/bulk', { items: items(2) }, auth)));
    expect(replies.map((r) => r.status).sort()).toEqual([202, 202, 429]);
    const refused = replies.find((r) => r.status === 429)!;
    expectError(refused, 429, 'rate_limited');
    expect(refused.body.error.message).toContain('only 1 fit');
    expect(await counted(key.keyId)).toBe(7);
    // Not blocked, in Redis or in either isolate's memory: the refused job left one unit.
    const last = await natal(B, key.key);
    expect(last.status, last.text).toBe(200);
    expectQuota(last, 8, 0, 'last unit');
  }, 60_000);
});

describe('failed authentications on Redis', () => {
  it('are counted per /64 across Workers; over the limit, both refuse with 429', async () => {
    const net = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const from = (i: number) => ({ 'cf-connecting-ip': `${net}::${(i + 1).toString(16)}` });
    const unknownKey = () => `ae_live_${crypto.randomUUID().replaceAll('-', '')}`;
    await startOfWindow(60, 10_000);
    for (let i = 0; i < AUTH_FAILURE_LIMIT.requests; i++) {
      const w = i % 2 ? B : A;
      expectError(await w.post('/v1/charts/natal', BIRTH, { authorization: `Bearer ${unknownKey()}`, ...from(i) }), 401, 'invalid_api_key');
    }
    const overA = await A.post('/v1/charts/natal', BIRTH, { authorization: `Bearer ${unknownKey()}`, ...from(100) });
    expectError(overA, 429, 'rate_limited');
    expect(Number(overA.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expectError(await B.post('/v1/charts/natal', BIRTH, { authorization: `Bearer ${unknownKey()}`, ...from(101) }), 429, 'rate_limited');
    const valid = await createKey(A, 'free');
    for (const w of [A, B]) expectError(await w.post('/v1/charts/natal', BIRTH, { authorization: `Bearer ${valid.key}`, ...from(102) }), 429, 'rate_limited');
    const counters = (await redisCommand(upstash, 'KEYS', `ae:ratelimit:v1:authfail:ip:*`)) as string[];
    expect(counters.some((k) => k.includes(`:ip:${net}::/64:`))).toBe(true);
    // Elsewhere the same key works.
    expect((await B.post('/v1/charts/natal', BIRTH, { authorization: `Bearer ${valid.key}`, 'cf-connecting-ip': '192.0.2.77' })).status).toBe(200);
  }, 60_000);
});

describe('the limiters against @upstash/ratelimit 2.2 on redis-server', () => {
  const client = () => createUpstashRedis({ url: upstash.url, token: upstash.token, timeoutMs: 5_000 });
  const plan = { requests: 10, windowSec: 3600 };
  const prefix = () => `ae:test:ratelimit:${crypto.randomUUID()}`;

  /** One sequence of calls; each limiter must give the same answers. */
  async function sequence(limiter: RateLimiter) {
    const out: unknown[] = [];
    const pick = (r: { success: boolean; remaining: number }) => [r.success, r.remaining];
    out.push(pick(await limiter.limit('x', { rate: 4 })));
    out.push(pick(await limiter.limit('x', { rate: 7 }))); // overshoots: counted, refused
    out.push((await limiter.getRemaining('x')).remaining);
    out.push(pick(await limiter.limit('x', { rate: 7 }))); // at the limit: refused, not counted
    out.push(pick(await limiter.limit('x', { rate: -7 }))); // a negative rate applies even over the limit
    out.push(pick(await limiter.limit('x')));
    out.push(pick(await limiter.reserve('x', 6))); // does not fit: nothing counted
    const reservation = await limiter.reserve('x', 5);
    out.push(pick(reservation));
    out.push(pick(await limiter.limit('x'))); // at the limit (Upstash: this isolate now blocks x)
    await limiter.release('x', reservation);
    out.push((await limiter.getRemaining('x')).remaining);
    out.push(pick(await limiter.limit('x'))); // released: no longer blocked
    return out;
  }

  it('MemoryRatelimit answers as UpstashRatelimit does, step by step', async () => {
    await startOfWindow(plan.windowSec, 10_000);
    const upstashOut = await sequence(new UpstashRatelimit(client(), prefix(), plan, 5_000));
    const memoryOut = await sequence(new MemoryRatelimit(plan.requests, plan.windowSec));
    expect(upstashOut).toEqual([[true, 6], [false, 0], 0, [false, 0], [true, 6], [true, 5], [false, 5], [true, 0], [false, 0], 5, [true, 4]]);
    expect(memoryOut).toEqual(upstashOut);
  });

  it('reserve and release use the library\'s counters: what one counts, the other sees', async () => {
    await startOfWindow(plan.windowSec, 10_000);
    const p = prefix();
    const limiter = new UpstashRatelimit(client(), p, plan, 5_000);
    const reservation = await limiter.reserve('y', 7);
    const counter = `${p}:y:${reservation.window}`;
    expect(await redisCommand(upstash, 'GET', counter)).toBe('7');
    expect(Number(await redisCommand(upstash, 'PTTL', counter))).toBeGreaterThan(plan.windowSec * 1000);
    expect((await limiter.getRemaining('y')).remaining).toBe(3);
    expect((await limiter.limit('y', { rate: 3 })).remaining).toBe(0);
    await limiter.release('y', reservation);
    expect(await redisCommand(upstash, 'GET', counter)).toBe('3');
    expect(Number(await redisCommand(upstash, 'PTTL', counter))).toBeGreaterThan(0);
    expect((await limiter.getRemaining('y')).remaining).toBe(7);
  });

  it('concurrent reservations never overshoot: exactly those that fit are counted', async () => {
    await startOfWindow(plan.windowSec, 10_000);
    const limiter = new UpstashRatelimit(client(), prefix(), plan, 5_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.reserve('z', 3)));
    expect(results.filter((r) => r.success)).toHaveLength(3);
    expect((await limiter.getRemaining('z')).remaining).toBe(1);
  });
});

describe('Redis outage', () => {
  it('keys already checked keep working and limits fail open; keys not seen get 503; never a 500', async () => {
    const key = await createKey(A, 'free');
    expect((await natal(A, key.key)).status).toBe(200); // A holds a copy
    const neverSeen = await createKey(A, 'free');
    let redisDown = false;
    try {
      await controlRedis(upstash, 'stop', { keepData: true });
      redisDown = true;
      const during = await natal(A, key.key);
      expect(during.status, during.text).toBe(200);
      // Failing open: nothing counted, the plan's full quota reported.
      expectQuota(during, 1000, 1000, 'fail open');
      const b = await natal(B, neverSeen.key);
      expectError(b, 503, 'key_store_unavailable');
      expect(b.text).not.toContain(neverSeen.key);
      expectError(await A.request('GET', '/admin/keys', { headers: admin() }), 503, 'key_store_unavailable');
    } finally {
      if (redisDown || !(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
    }
    expect(await stackRedisUp(upstash)).toBe(true);
    const after = await natal(B, neverSeen.key);
    expect(after.status, after.text).toBe(200);
    expectQuota(after, 1000, 999, 'after the outage');
  }, 60_000);
});
