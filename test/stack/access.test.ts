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
