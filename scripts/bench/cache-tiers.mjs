/**
 * Cache tiers measured side by side: for POST /v1/charts/natal and the heaviest
 * resource, POST /v1/transits (explicit `at`), the client-side latency of a
 * compute, an edge hit and a Redis hit, plus a raw Redis GET from Node, so the
 * policy in src/cache/policy.ts rests on figures from one run.
 *
 * Setup: the local stack (redis-server + the Upstash REST emulator, 127.0.0.1)
 * and three `wrangler dev` instances, each with its own persistence dir (its
 * own edge cache, i.e. its own data centre) and the stack's UPSTASH vars:
 *
 *   compute  CACHE_SHARED_RESOURCES=none           edge → compute: the cost of a miss
 *                                                   when the resource skips Redis
 *   fill     CACHE_SHARED_RESOURCES=natal,transits edge → Redis miss → compute; its
 *                                                   fills put every entry in Redis
 *   fresh    CACHE_SHARED_RESOURCES=natal,transits a data centre that never saw the
 *                                                   keys: edge miss → Redis hit
 *
 * Per resource, in order, sequential requests (concurrency 1, one keep-alive
 * socket per instance), warm-up first in every phase:
 *   1. compute: unique inputs          → expect MISS      (compute instance)
 *   2. edge hit: one input repeated    → expect HIT-EDGE  (compute instance)
 *   3. miss via Redis: the same unique inputs as 1 → MISS, filling Redis (fill instance)
 *   4. Redis hit: each of those keys read once     → expect HIT-REDIS (fresh instance)
 * Every response is checked for status 200 and the expected X-Cache; latency
 * figures cover the responses that match, the others are counted as mismatches.
 * The compute tier is measured where the resource skips Redis, since with the
 * shared tier on, a miss also pays a Redis lookup (phase 3 shows that cost).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Redis } from '@upstash/redis';
import { randomToken, startStack } from '../stack/index.mjs';
import { natalBody } from './http.mjs';
import { send } from './loadgen.mjs';
import { envInt, kib, num, sleep, summary } from './util.mjs';
import { startWranglerDev } from './wrangler-dev.mjs';

const AT_BASE_MS = Date.UTC(2000, 0, 1);
const AT_STEP_SEC = 86_413; // one day and 13 s between consecutive transit instants

/** Transit request i: the natal fields of natalBody(i) and an explicit, distinct `at`. */
export function transitBody(i) {
  const at = `${new Date(AT_BASE_MS + i * AT_STEP_SEC * 1000).toISOString().slice(0, 19)}Z`;
  return JSON.stringify({ ...JSON.parse(natalBody(i)), at });
}

const RESOURCES = [
  { key: 'natal', path: '/v1/charts/natal', makeBody: natalBody },
  { key: 'transits', path: '/v1/transits', makeBody: transitBody },
];
const SHARED_ALL = RESOURCES.map((r) => r.key).join(',');

const TIERS = [
  { key: 'compute', label: 'compute (MISS)', instance: 'compute', expected: 'MISS', how: 'edge miss → compute, unique input each time' },
  { key: 'edge', label: 'edge hit (HIT-EDGE)', instance: 'compute', expected: 'HIT-EDGE', how: 'one input repeated' },
  { key: 'redis', label: 'Redis hit (HIT-REDIS)', instance: 'fresh', expected: 'HIT-REDIS', how: "each key once, stored by the fill instance, absent from this instance's edge" },
  { key: 'missViaRedis', label: 'miss via Redis (MISS)', instance: 'fill', expected: 'MISS', how: 'edge miss → Redis miss → compute, fills edge + Redis' },
];

/** One POST on a keep-alive agent: status, latency (sent → body read), X-Cache, Server-Timing, body bytes. */
/** One timed POST through the load generator's sender, with the cache headers picked out. */
async function post(agent, port, path, payload) {
  const t0 = performance.now();
  const r = await send(agent, port, path, payload);
  const ms = performance.now() - t0;
  if (r.error) return { ms, status: null, error: r.error };
  return {
    ms,
    status: r.status,
    bytes: r.bytes,
    xCache: r.headers['x-cache'] ?? null,
    serverTiming: r.headers['server-timing'] ?? '',
    body: r.body.slice(0, 300),
  };
}

/** `cache;dur=0.4;desc="MISS", compute;dur=0` → { cache: 0.4, compute: 0 } (NaN when absent). */
function serverTiming(header) {
  const dur = (name) => Number(new RegExp(`(?:^|,)\\s*${name};dur=([0-9.]+)`).exec(header)?.[1] ?? NaN);
  return { cache: dur('cache'), compute: dur('compute') };
}

const p50 = (xs) => (xs.length ? summary(xs).p50 : NaN);

/**
 * Sends makeBody(i) for each i of `warmup` then `measured`, one after the other.
 * Figures cover measured responses with status 200 and X-Cache === expected.
 */
async function phase(dev, agent, route, { warmup, measured, expected }) {
  const warm = { sent: 0, mismatches: 0 };
  for (const i of warmup) {
    const r = await post(agent, dev.port, route.path, route.makeBody(i));
    warm.sent++;
    if (r.status !== 200 || r.xCache !== expected) warm.mismatches++;
  }
  const latencies = [];
  const cacheDur = [];
  const computeDur = [];
  const seen = {};
  const mismatchSample = [];
  let mismatches = 0;
  let bytes = 0;
  for (const i of measured) {
    const r = await post(agent, dev.port, route.path, route.makeBody(i));
    const label = r.status === 200 ? r.xCache ?? 'no X-Cache' : `HTTP ${r.status ?? r.error}`;
    seen[label] = (seen[label] ?? 0) + 1;
    if (r.status !== 200 || r.xCache !== expected) {
      mismatches++;
      if (mismatchSample.length < 3) mismatchSample.push({ i, status: r.status, xCache: r.xCache, error: r.error, body: r.body });
      continue;
    }
    latencies.push(r.ms);
    const st = serverTiming(r.serverTiming);
    cacheDur.push(st.cache);
    computeDur.push(st.compute);
    bytes += r.bytes;
  }
  const lat = summary(latencies);
  return {
    expected,
    warmupRequests: warm.sent,
    warmupMismatches: warm.mismatches,
    requests: measured.length,
    matched: latencies.length,
    mismatches,
    xCacheSeen: seen,
    mismatchSample,
    latencyMs: { mean: lat.mean, p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max },
    serverTimingP50Ms: { cache: p50(cacheDur.filter(Number.isFinite)), compute: p50(computeDur.filter(Number.isFinite)) },
    meanResponseBytes: latencies.length ? bytes / latencies.length : NaN,
  };
}

const range = (from, n) => Array.from({ length: n }, (_, k) => from + k);

/** Sequential `get`s of one stored key with the @upstash/redis Node client: latency summary. */
async function rawGets(redis, key, { warmup, n }) {
  for (let k = 0; k < warmup; k++) await redis.get(key);
  const latencies = [];
  let bytes = 0;
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    const value = await redis.get(key);
    latencies.push(performance.now() - t0);
    bytes = typeof value === 'string' ? Buffer.byteLength(value) : NaN;
  }
  const lat = summary(latencies);
  return { key, valueBytes: bytes, requests: n, latencyMs: { mean: lat.mean, p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max } };
}

function keepAlive() {
  return new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
}

export default {
  name: 'cache-tiers',
  title: 'Cache tiers: compute vs edge hit vs Redis hit, POST /v1/charts/natal and /v1/transits, wrangler dev + local Redis, 127.0.0.1',
  async run(ctx) {
    const n = Math.round(envInt('BENCH_CACHE_TIERS_N', 300));
    const warmup = Math.round(envInt('BENCH_CACHE_TIERS_WARMUP', 50));
    const logLevel = process.env.BENCH_WRANGLER_LOG_LEVEL || 'warn';
    const { CACHE_POLICY } = (await ctx.bundle('policy')).module;

    ctx.log('cache-tiers: starting the local stack (redis-server + Upstash REST emulator)');
    const stack = await startStack({ token: randomToken(), controlToken: randomToken() });
    let stackStopped = false;
    const stopStack = async () => {
      if (stackStopped) return;
      stackStopped = true;
      await stack.stop();
    };
    ctx.onCleanup(stopStack);

    const devs = {};
    const agents = [];
    const result = {
      client: 'sequential (concurrency 1), node:http keep-alive Agent with one socket per instance, in the bench process',
      requestsPerTier: n,
      warmupPerTier: warmup,
      redis: { where: 'redis-server + Upstash REST emulator on 127.0.0.1 (loopback)', upstashUrl: stack.env.UPSTASH_REDIS_REST_URL },
      instances: {},
      defaultPolicy: Object.fromEntries(RESOURCES.map((r) => [r.key, CACHE_POLICY[r.key]])),
      resources: {},
    };
    try {
      const instances = { compute: 'none', fill: SHARED_ALL, fresh: SHARED_ALL };
      for (const [name, shared] of Object.entries(instances)) {
        ctx.log(`cache-tiers: starting wrangler dev '${name}' (CACHE_SHARED_RESOURCES=${shared}, fresh persist dir)`);
        const dev = await startWranglerDev(ctx, { logLevel, vars: { ...stack.env, CACHE_SHARED_RESOURCES: shared } });
        ctx.onCleanup(dev.stop);
        devs[name] = dev;
        result.instances[name] = { cacheSharedResources: shared, port: dev.port, startupMs: dev.startupMs };
      }
      const agentFor = Object.fromEntries(Object.keys(devs).map((name) => [name, keepAlive()]));
      agents.push(...Object.values(agentFor));

      for (const route of RESOURCES) {
        const tiers = {};
        const unique = { warmup: range(0, warmup), measured: range(warmup, n) };
        const repeated = warmup + n; // an input no other phase sends
        const run = async (tierKey, inputs) => {
          const tier = TIERS.find((t) => t.key === tierKey);
          ctx.log(`cache-tiers: ${route.key}: ${tier.label} on '${tier.instance}', ${inputs.warmup.length} warm-up + ${inputs.measured.length}`);
          tiers[tierKey] = await phase(devs[tier.instance], agentFor[tier.instance], route, { ...inputs, expected: tier.expected });
        };

        await run('compute', unique);
        // Prime the edge with one compute; its fill runs after the response (waitUntil).
        const prime = await post(agentFor.compute, devs.compute.port, route.path, route.makeBody(repeated));
        if (prime.status !== 200) throw new Error(`${route.key}: priming the edge answered HTTP ${prime.status}: ${prime.body ?? prime.error}`);
        await sleep(300);
        await run('edge', { warmup: Array(warmup).fill(repeated), measured: Array(n).fill(repeated) });
        await run('missViaRedis', unique);
        await sleep(500); // the last fills (waitUntil) reach Redis
        await run('redis', unique);
        result.resources[route.key] = { path: route.path, tiers };
      }

      // Raw Redis round trip from Node, on entries the Worker stored.
      const redis = new Redis({
        url: stack.env.UPSTASH_REDIS_REST_URL,
        token: stack.env.UPSTASH_REDIS_REST_TOKEN,
        retry: { retries: 0 },
        enableAutoPipelining: false,
        automaticDeserialization: false,
        enableTelemetry: false,
      });
      for (const route of RESOURCES) {
        const keys = await redis.keys(`ae:v*:*:${route.key}:*`);
        result.resources[route.key].redisEntries = keys.length;
        if (keys.length === 0) throw new Error(`no ${route.key} entry in Redis after the fill phase`);
        const sizes = await Promise.all(keys.slice(0, 50).map((k) => redis.strlen(k)));
        result.resources[route.key].storedValueBytesMean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
        ctx.log(`cache-tiers: raw @upstash/redis GET of a stored ${route.key} entry from Node, ${warmup} warm-up + ${n}`);
        result.resources[route.key].rawRedisGet = await rawGets(redis, keys[0], { warmup, n });
      }
    } finally {
      for (const agent of agents) agent.destroy();
      ctx.log('cache-tiers: stopping wrangler dev instances and the stack');
      result.wranglerStoppedCleanly = true;
      for (const dev of Object.values(devs)) result.wranglerStoppedCleanly = (await dev.stop()) && result.wranglerStoppedCleanly;
      await stopStack();
    }
    return result;
  },
  report(f) {
    const res = Object.entries(f.resources);
    const W = 30;
    const head = (label) => `  ${label.padEnd(34)}${res.map(([k]) => k.padStart(W)).join('')}`;
    const row = (label, cell) => `  ${label.padEnd(34)}${res.map(([, r]) => String(cell(r)).padStart(W)).join('')}`;
    const trio = (l) => `${num(l.p50, 2)} / ${num(l.p90, 2)} / ${num(l.p99, 2)}`;
    const inst = Object.entries(f.instances)
      .map(([name, i]) => `${name} (CACHE_SHARED_RESOURCES=${i.cacheSharedResources}, up in ${num(i.startupMs / 1000, 1)} s)`)
      .join(', ');
    const lines = [
      `  Redis here: ${f.redis.where}. A real edge → Upstash round trip is an HTTPS call to a region: milliseconds more than these figures.`,
      `  3 wrangler dev instances, each its own persist dir (own edge cache) and the stack's UPSTASH vars: ${inst}`,
      `  per tier and resource: ${f.warmupPerTier} warm-up then ${f.requestsPerTier} measured requests, one at a time (concurrency 1), keep-alive;`,
      '  client-side latency = request written → response body read; only responses with HTTP 200 and the expected X-Cache are counted.',
      ...TIERS.map((t) => `    ${t.label.padEnd(24)} on '${t.instance}': ${t.how}`),
      head('client latency ms p50 / p90 / p99'),
      ...TIERS.map((t) => row(`  ${t.label}`, (r) => trio(r.tiers[t.key].latencyMs))),
      head('Server-Timing p50 ms cache / compute'),
      ...TIERS.map((t) => row(`  ${t.label}`, (r) => `${num(r.tiers[t.key].serverTimingP50Ms.cache, 1)} / ${num(r.tiers[t.key].serverTimingP50Ms.compute, 1)}`)),
      head('X-Cache check: matched / mismatched'),
      ...TIERS.map((t) => row(`  ${t.label}`, (r) => `${r.tiers[t.key].matched} / ${r.tiers[t.key].mismatches} (warm-up ${r.tiers[t.key].warmupMismatches})`)),
      row('response bytes (mean)', (r) => `${num(r.tiers.compute.meanResponseBytes, 0)} (${kib(r.tiers.compute.meanResponseBytes)})`),
      row('stored value bytes (mean)', (r) => `${num(r.storedValueBytesMean, 0)} (${kib(r.storedValueBytesMean)})`),
      row('entries in Redis after the fill', (r) => r.redisEntries),
      row('Node → Redis GET ms p50/p90/p99', (r) => trio(r.rawRedisGet.latencyMs)),
    ];
    lines.push(
      `  (Node GET: @upstash/redis ${'`get`'} of one stored entry of that resource (${res.map(([k, r]) => `${k} ${num(r.rawRedisGet.valueBytes, 0)} B`).join(', ')}) against the local REST endpoint, sequential)`,
      '  Server-Timing (server side, p50): workerd\'s clock moves in whole milliseconds and only across I/O, so these durations are coarse',
      '  (a pure-CPU compute can read 0); the client latencies are the figures to compare. The edge tier here is wrangler dev\'s local',
      '  Cache API (on disk in the persist dir), and every request also crosses wrangler\'s local proxy: a fixed cost common to all tiers.',
      '  rule: a resource goes through Redis when its compute p50 exceeds a Redis-hit p50 (client-side, both after an edge miss):',
    );
    for (const [key, r] of res) {
      const c = r.tiers.compute.latencyMs.p50;
      const h = r.tiers.redis.latencyMs.p50;
      const redisCheaper = c > h;
      const verdict = redisCheaper ? 'Redis hit cheaper → edge → Redis → compute' : 'compute cheaper → edge → compute';
      const shared = f.defaultPolicy[key]?.shared;
      const agrees = shared === redisCheaper ? 'agrees' : 'DISAGREES';
      const margin = redisCheaper
        ? `; stays so while the real edge → Upstash trip adds < ${num(c - h, 2)} ms over loopback`
        : '; a real round trip only widens the gap';
      lines.push(
        `    ${key.padEnd(9)} compute p50 ${num(c, 2)} ms vs Redis-hit p50 ${num(h, 2)} ms: ${verdict}${margin}` +
          ` (default CACHE_POLICY shared=${shared}: ${agrees})`,
      );
    }
    for (const [key, r] of res) {
      for (const t of TIERS) {
        for (const x of r.tiers[t.key].mismatchSample) {
          lines.push(`  ${key} ${t.key} mismatch #${x.i}: expected ${r.tiers[t.key].expected}, got ${x.status ?? x.error} ${x.xCache ?? ''} ${x.body ?? ''}`);
        }
      }
    }
    if (!f.wranglerStoppedCleanly) lines.push('  WARNING: a wrangler dev process group did not exit cleanly');
    return lines;
  },
};
