/**
 * End to end through the whole cache: two real `wrangler dev` Workers (A and B: separate workerd
 * processes, separate Cache API stores, i.e. two data centres with fresh isolates) on the stack's
 * Upstash REST emulator + redis-server (test/stack/global-setup.ts).
 *
 * Every test uses its own inputs (a random latitude), so no test sees another's entries. The tests
 * share Redis with the rest of the `stack` project (files run one at a time) and the outage test
 * always restarts it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  controlRedis,
  redisCommand,
  sleep,
  stackRedisUp,
  startWorkerPair,
  transitKeys,
  waitForNewTransitKey,
  type Reply,
  type Worker,
  type WorkerPair,
} from './worker-pair';

const upstash = inject('upstash');

let pair: WorkerPair | undefined;
let A: Worker;
let B: Worker;

beforeAll(async () => {
  pair = await startWorkerPair(upstash);
  ({ a: A, b: B } = pair);
}, 240_000);

afterAll(async () => {
  await pair?.stop();
}, 60_000);

/** Fills (edge put, Redis SET) run after the response through waitUntil: give them a moment. */
const settle = () => sleep(250);

/** A latitude no other test (or run) uses: a fresh cache key. */
function uniqueLatitude(): number {
  return Math.round((Math.random() * 100 - 50) * 1e6) / 1e6;
}

function natalInput(overrides: Record<string, unknown> = {}) {
  return { datetime: '1990-05-15T14:30:00', utcOffset: '+05:30', latitude: uniqueLatitude(), longitude: 77.209, ...overrides };
}

function transitInput(overrides: Record<string, unknown> = {}) {
  return { ...natalInput(), at: '2026-11-29T00:00:00Z', ...overrides };
}

const TIMING = /^cache;dur=\d+(\.\d+)?;desc="(MISS|HIT-EDGE|HIT-REDIS)", compute;dur=\d+(\.\d+)?$/;

function expectOk(reply: Reply, source: string) {
  expect(reply.status, reply.text).toBe(200);
  expect(reply.xCache).toBe(source);
  expect(reply.headers.get('server-timing')).toMatch(TIMING);
  expect(reply.headers.get('server-timing')).toContain(`desc="${source}"`);
  expect(reply.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
}

/** The body without meta.timezone (the per-request echo). */
function withoutTimezone(body: { meta: Record<string, unknown> }) {
  const { timezone: _tz, ...meta } = body.meta;
  return { ...body, meta };
}

interface CacheStats {
  scope: 'global' | 'isolate';
  note: string;
  redis: { configured: boolean; reachable: boolean | null; lastError?: string; lastErrorAt?: string };
  hits: number;
  misses: number;
  tiers: { edge: { hits: number; misses: number }; shared: { hits: number; misses: number; errors: number; skipped: number } };
  lastClear?: { at: string; namespace: number };
}

async function stats(w: Worker): Promise<CacheStats> {
  const reply = await w.get('/cache/stats');
  expect(reply.status, reply.text).toBe(200);
  return reply.body as CacheStats;
}

describe('cache end to end: two wrangler dev Workers on one Redis', () => {
  it('1. MISS then HIT-EDGE on A, identical bodies, Server-Timing with cache and compute', async () => {
    const req = natalInput();
    const first = await A.post('/v1/charts/natal', req);
    expectOk(first, 'MISS');
    expect(first.headers.get('server-timing')).toContain('cache;dur=');
    expect(first.headers.get('server-timing')).toContain('compute;dur=');
    expect(first.body.meta.latitude).toBe(req.latitude);
    await settle();

    const second = await A.post('/v1/charts/natal', req);
    expectOk(second, 'HIT-EDGE');
    expect(second.headers.get('server-timing')).toMatch(/^cache;dur=[\d.]+;desc="HIT-EDGE", compute;dur=0$/);
    expect(second.body).toEqual(first.body);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
  });

  it('2. a transit stored by A is found in Redis by B (a fresh isolate), then in B’s edge', async () => {
    const req = transitInput();
    const before = await transitKeys(upstash);
    const onA = await A.post('/v1/transits', req);
    expectOk(onA, 'MISS');
    expect(onA.body.meta.at).toBe('2026-11-29T00:00:00Z');
    // The fill is a waitUntil after the response: wait until Redis holds the entry.
    const key = await waitForNewTransitKey(upstash, before);
    expect(key).toMatch(/^ae:v\d+:\d+:transits:[0-9a-f]{64}$/);

    const onB = await B.post('/v1/transits', req);
    expectOk(onB, 'HIT-REDIS');
    expect(onB.body).toEqual(onA.body);
    expect(onB.text).toBe(onA.text);
    expect(onB.headers.get('server-timing')).toMatch(/compute;dur=0$/);
    await settle();

    const again = await B.post('/v1/transits', req);
    expectOk(again, 'HIT-EDGE');
    expect(again.body).toEqual(onA.body);
  });

  it('3. equivalent requests share one entry (offset vs zone, field order, 9 vs D9)', async () => {
    const latitude = uniqueLatitude();
    const byOffset = { datetime: '1996-12-07T10:34:00', utcOffset: '+05:30', latitude, longitude: 80.2785 };
    const first = await A.post('/v1/charts/natal', byOffset);
    expectOk(first, 'MISS');
    expect(first.body.meta.timezone).toBeNull();
    expect(first.body.meta.utcOffset).toBe('+05:30');
    await settle();

    const byZone = { datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata', latitude, longitude: 80.2785 };
    const second = await A.post('/v1/charts/natal', byZone);
    expectOk(second, 'HIT-EDGE');
    // The echo is per request, the calculation shared.
    expect(second.body.meta.timezone).toBe('Asia/Kolkata');
    expect(second.body.meta.utcOffset).toBe('+05:30');
    expect(withoutTimezone(second.body)).toEqual(withoutTimezone(first.body));

    const shuffled = { longitude: 80.2785, timezone: 'Asia/Kolkata', latitude, datetime: '1996-12-07T10:34:00' };
    const third = await A.post('/v1/charts/natal', shuffled);
    expectOk(third, 'HIT-EDGE');
    expect(third.body).toEqual(second.body);
    expect(third.text).toBe(second.text);

    const divBody = natalInput();
    const d9num = await A.post('/v1/charts/divisional/9', divBody);
    expectOk(d9num, 'MISS');
    expect(d9num.body.division).toBe(9);
    await settle();
    const d9text = await A.post('/v1/charts/divisional/D9', divBody);
    expectOk(d9text, 'HIT-EDGE');
    expect(d9text.body).toEqual(d9num.body);

    const manyBody = natalInput();
    const manyNum = await A.post('/v1/charts/divisional', { ...manyBody, divisions: [9] });
    expectOk(manyNum, 'MISS');
    expect(Object.keys(manyNum.body.charts)).toEqual(['D9']);
    await settle();
    const manyText = await A.post('/v1/charts/divisional', { ...manyBody, divisions: ['D9'] });
    expectOk(manyText, 'HIT-EDGE');
    expect(manyText.body).toEqual(manyNum.body);
  });

  it('4. compat requests with different user_name each get their own name and birth details back', async () => {
    const latitude = uniqueLatitude();
    const alice = { user_name: 'Alice', birth_date: '1990-05-15', birth_time: '14:30:00', latitude, longitude: 77.209, timezone_offset: 5.5 };
    // Same birth data; Bob spells the time without seconds, so his echo visibly differs from Alice's.
    const bob = { user_name: 'Bob', birth_date: '1990-05-15', birth_time: '14:30', latitude, longitude: 77.209, timezone_offset: 5.5 };

    const first = await A.post('/lahiri/natal', alice);
    expectOk(first, 'MISS');
    expect(first.body.user_name).toBe('Alice');
    expect(first.body.birth_details).toEqual({ birth_date: '1990-05-15', birth_time: '14:30:00', latitude, longitude: 77.209, timezone_offset: 5.5 });
    await settle();

    const second = await A.post('/lahiri/natal', bob);
    expectOk(second, 'HIT-EDGE');
    expect(second.body.user_name).toBe('Bob');
    expect(second.body.birth_details).toEqual({ birth_date: '1990-05-15', birth_time: '14:30', latitude, longitude: 77.209, timezone_offset: 5.5 });
    expect(second.text).not.toContain('Alice');
    // The calculation itself is shared.
    const { user_name: _a, birth_details: _ab, ...aliceChart } = first.body;
    const { user_name: _b, birth_details: _bb, ...bobChart } = second.body;
    expect(bobChart).toEqual(aliceChart);
    expect(bobChart.planetary_positions).toBeDefined();

    // And Alice asking again still gets Alice.
    const third = await A.post('/lahiri/natal', alice);
    expectOk(third, 'HIT-EDGE');
    expect(third.body).toEqual(first.body);
  });

  it('5. GET with a matching If-None-Match is a 304 with the same ETag', async () => {
    const q = new URLSearchParams({ datetime: '1990-05-15T14:30:00', utcOffset: '+05:30', latitude: String(uniqueLatitude()), longitude: '77.209' });
    const path = `/v1/charts/natal?${q}`;
    const full = await A.get(path);
    expectOk(full, 'MISS');
    expect(full.headers.get('cache-control')).toBe('public, max-age=86400');
    const etag = full.headers.get('etag')!;
    await settle();

    const notModified = await A.get(path, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(notModified.xCache).toBe('HIT-EDGE');

    // RFC 9110: If-None-Match uses the weak comparison, and takes a list.
    expect((await A.get(path, { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await A.get(path, { 'if-none-match': `"0123", ${etag}` })).status).toBe(304);

    const other = await A.get(path, { 'if-none-match': '"00000000000000000000000000000000"' });
    expectOk(other, 'HIT-EDGE');
    expect(other.headers.get('etag')).toBe(etag);
    expect(other.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(other.text).toBe(full.text);
  });

  it('6. a clear makes the next request a MISS; other isolates follow within edgeStaleForSec', async () => {
    const x = natalInput();
    expectOk(await A.post('/v1/charts/natal', x), 'MISS');
    await settle();
    expectOk(await A.post('/v1/charts/natal', x), 'HIT-EDGE');

    // T: stored by A and read by B before the clear (so B holds the old namespace, and T in its edge).
    const t = transitInput();
    let before = await transitKeys(upstash);
    const tOnA = await A.post('/v1/transits', t);
    expectOk(tOnA, 'MISS');
    await waitForNewTransitKey(upstash, before);
    expectOk(await B.post('/v1/transits', t), 'HIT-REDIS');
    // T2: stored by A before the clear, never asked on B.
    const t2 = transitInput();
    before = await transitKeys(upstash);
    expectOk(await A.post('/v1/transits', t2), 'MISS');
    await waitForNewTransitKey(upstash, before);

    const nsBefore = Number((await redisCommand(upstash, 'GET', 'ae:ns')) ?? 0);

    const anonymous = await A.request('DELETE', '/cache/clear');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const wrong = await A.request('DELETE', '/cache/clear', { headers: { authorization: `Bearer ${pair!.adminToken}x` } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    expect(Number((await redisCommand(upstash, 'GET', 'ae:ns')) ?? 0)).toBe(nsBefore);

    const cleared = await A.request('DELETE', '/cache/clear', { headers: { authorization: `Bearer ${pair!.adminToken}` } });
    const clearedAt = Date.now();
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body).toEqual({ cleared: true, scope: 'global', edgeStaleForSec: 5, namespace: nsBefore + 1 });
    expect(Number(await redisCommand(upstash, 'GET', 'ae:ns'))).toBe(nsBefore + 1);

    // The clearing isolate sees the new namespace at once.
    expectOk(await A.post('/v1/charts/natal', x), 'MISS');

    // B keeps its namespace copy for at most edgeStaleForSec: until then T may still come from its
    // edge (or Redis) under the old namespace; after that it must be computed again.
    const staleForMs = cleared.body.edgeStaleForSec * 1000 + 1000;
    const served: string[] = [];
    let firstMissAfterMs: number | undefined;
    while (Date.now() - clearedAt <= staleForMs) {
      const r = await B.post('/v1/transits', t);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toEqual(tOnA.body);
      served.push(r.xCache!);
      if (r.xCache === 'MISS') {
        firstMissAfterMs = Date.now() - clearedAt;
        break;
      }
      expect(['HIT-EDGE', 'HIT-REDIS']).toContain(r.xCache);
      await sleep(200);
    }
    expect(firstMissAfterMs, `B served ${served.join(',')} for ${staleForMs} ms after the clear`).toBeDefined();
    expect(firstMissAfterMs!).toBeLessThanOrEqual(staleForMs);

    // T2 is still in Redis under the old namespace, but B no longer reads it.
    const t2OnB = await B.post('/v1/transits', t2);
    expectOk(t2OnB, 'MISS');
    await settle();
    expectOk(await B.post('/v1/transits', t), 'HIT-EDGE');

    // The clear is recorded for every isolate (B never cleared anything).
    const bStats = await stats(B);
    expect(bStats.scope).toBe('global');
    expect(bStats.lastClear?.namespace).toBe(nsBefore + 1);
  }, 30_000);

  it('7. fails open while Redis is down, and hits resume once it is back', async () => {
    // References computed while Redis is up.
    const n = natalInput();
    const nRef = await A.post('/v1/charts/natal', n);
    expectOk(nRef, 'MISS');
    const t = transitInput();
    let before = await transitKeys(upstash);
    const tRef = await A.post('/v1/transits', t);
    expectOk(tRef, 'MISS');
    await waitForNewTransitKey(upstash, before);

    let redisDown = false;
    try {
      await controlRedis(upstash, 'stop');
      redisDown = true;
      expect(await stackRedisUp(upstash)).toBe(false);

      // Every request still succeeds, with the same bodies, from the edge or from compute.
      const nOnA = await A.post('/v1/charts/natal', n);
      expectOk(nOnA, 'HIT-EDGE');
      expect(nOnA.body).toEqual(nRef.body);
      const nOnB = await B.post('/v1/charts/natal', n);
      expectOk(nOnB, 'MISS');
      expect(nOnB.body).toEqual(nRef.body);
      const tOnB = await B.post('/v1/transits', t); // in Redis before the outage: now unreachable
      expectOk(tOnB, 'MISS');
      expect(tOnB.body).toEqual(tRef.body);

      const fresh = transitInput();
      const freshOnA = await A.post('/v1/transits', fresh);
      expectOk(freshOnA, 'MISS');
      expect(freshOnA.body.meta.latitude).toBe(fresh.latitude);
      const freshOnB = await B.post('/v1/transits', fresh);
      expectOk(freshOnB, 'MISS');
      expect(freshOnB.body).toEqual(freshOnA.body);

      for (const w of [A, B]) {
        const s = await stats(w);
        expect(s.redis.configured).toBe(true);
        expect(s.redis.reachable).toBe(false);
        expect(s.redis.lastError).toEqual(expect.any(String));
        expect(s.tiers.shared.errors).toBeGreaterThan(0);
        expect(s.scope).toBe('isolate');

        const health = await w.get('/health');
        expect(health.status).toBe(200);
        expect(health.body.status).toBe('degraded');
        expect(health.body.dependencies.redis.status).toBe('unreachable');
        expect(health.body.dependencies.redis.lastError).toEqual(expect.any(String));
      }
    } finally {
      if (redisDown || !(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
    }
    const restartedAt = Date.now();
    expect(await stackRedisUp(upstash)).toBe(true);

    // Both Workers report ok again within a few seconds (one failed call suspends Redis for 1 s).
    const healthDeadline = Date.now() + 10_000;
    for (const w of [A, B]) {
      let status: string | undefined;
      while (Date.now() < healthDeadline) {
        const health = await w.get('/health');
        expect(health.status).toBe(200);
        status = health.body.status;
        if (status === 'ok') break;
        await sleep(200);
      }
      expect(status, `${w.name} /health`).toBe('ok');
    }

    // Hits resume. redis-server lost its data in the restart (no persistence), the namespace counter
    // `ae:ns` included, so Redis now says namespace 0 while an isolate may still hold the copy it
    // read before the outage for up to NAMESPACE_REFRESH_SEC (5 s): until then A and B can key the
    // same request differently. Once that window has passed, each isolate re-reads the namespace on
    // its next request, and a transit stored by A must be served to B from Redis.
    await sleep(Math.max(0, restartedAt + 5_500 - Date.now()));
    const req = transitInput();
    before = await transitKeys(upstash);
    const onA = await A.post('/v1/transits', req);
    expectOk(onA, 'MISS');
    await waitForNewTransitKey(upstash, before);
    const onB = await B.post('/v1/transits', req);
    expectOk(onB, 'HIT-REDIS');
    expect(onB.body).toEqual(onA.body);
    await settle();
    expectOk(await B.post('/v1/transits', req), 'HIT-EDGE');
    expect((await stats(A)).scope).toBe('global');
  }, 60_000);

  it('9. a clear survives Redis losing its data: cleared entries never come back', async () => {
    const restartRedis = async () => {
      await controlRedis(upstash, 'stop');
      await controlRedis(upstash, 'start');
      // Every isolate re-reads the namespace within NAMESPACE_REFRESH_SEC (5 s).
      await sleep(5_500);
    };
    // A fresh Redis (no ae:ns): Y is stored in A's edge under the namespace seeded now.
    await restartRedis();
    const y = natalInput();
    expectOk(await A.post('/v1/charts/natal', y), 'MISS');
    await settle();
    expectOk(await A.post('/v1/charts/natal', y), 'HIT-EDGE');
    const seeded = Number(await redisCommand(upstash, 'GET', 'ae:ns'));
    // Seeded with a millisecond timestamp, not 0: a lost counter must not return to used numbers.
    expect(seeded).toBeGreaterThan(1_000_000);

    const cleared = await A.request('DELETE', '/cache/clear', { headers: { authorization: `Bearer ${pair!.adminToken}` } });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.namespace).toBe(seeded + 1);
    expectOk(await A.post('/v1/charts/natal', y), 'MISS');

    // Redis loses everything again, the counter included: Y, cleared above, must stay cleared.
    await restartRedis();
    expectOk(await A.post('/v1/charts/natal', y), 'MISS');
    expect(Number(await redisCommand(upstash, 'GET', 'ae:ns'))).toBeGreaterThan(seeded + 1);
  }, 60_000);

  it('8. GET /cache/stats is aggregated across isolates', async () => {
    const [a0, b0] = [await stats(A), await stats(B)];
    expect(a0.scope).toBe('global');
    expect(b0.scope).toBe('global');

    // Edge hits on A only…
    const n = natalInput();
    expectOk(await A.post('/v1/charts/natal', n), 'MISS');
    await settle();
    const edgeHitsOnA = 3;
    for (let i = 0; i < edgeHitsOnA; i++) expectOk(await A.post('/v1/charts/natal', n), 'HIT-EDGE');

    // …and shared-tier hits on B only (A never reads Redis entries here, B never hits its edge).
    const redisHitsOnB = 2;
    for (let i = 0; i < redisHitsOnB; i++) {
      const t = transitInput();
      const before = await transitKeys(upstash);
      expectOk(await A.post('/v1/transits', t), 'MISS');
      await waitForNewTransitKey(upstash, before);
      expectOk(await B.post('/v1/transits', t), 'HIT-REDIS');
    }

    // Each isolate flushes its counters at most every 5 s, on a cached request: send fresh MISSes
    // (no hits) to both until A's view shows B's Redis hits and B's view shows A's edge hits.
    const deadline = Date.now() + 12_000;
    let a1 = a0;
    let b1 = b0;
    for (;;) {
      a1 = await stats(A);
      b1 = await stats(B);
      const done = a1.tiers.shared.hits >= a0.tiers.shared.hits + redisHitsOnB && b1.tiers.edge.hits >= b0.tiers.edge.hits + edgeHitsOnA;
      if (done || Date.now() > deadline) break;
      await sleep(1000);
      expectOk(await A.post('/v1/charts/natal', natalInput()), 'MISS');
      expectOk(await B.post('/v1/charts/natal', natalInput()), 'MISS');
    }
    expect(a1.scope).toBe('global');
    expect(b1.scope).toBe('global');
    expect(a1.note).toMatch(/every isolate/);
    // A never had a shared hit in this test: these are B's, read back through Redis.
    expect(a1.tiers.shared.hits).toBeGreaterThanOrEqual(a0.tiers.shared.hits + redisHitsOnB);
    // B never had an edge hit in this test: these are A's.
    expect(b1.tiers.edge.hits).toBeGreaterThanOrEqual(b0.tiers.edge.hits + edgeHitsOnA);
    expect(a1.hits).toBe(a1.tiers.edge.hits + a1.tiers.shared.hits);
  }, 30_000);
});
