/**
 * POST routes against one `wrangler dev` (workerd) on 127.0.0.1, one route
 * after the other (ROUTES), each with its own warm-up then the same closed-loop
 * load (concurrency, duration) from this process. Every request has its own
 * datetime and place, never repeated across routes, so no response could come
 * from a cache.
 */
import { performance } from 'node:perf_hooks';
import { closedLoop, keepAliveAgent } from './loadgen.mjs';
import { groupCpuSec } from './procs.mjs';
import { envInt, num, summary } from './util.mjs';
import { startWranglerDev } from './wrangler-dev.mjs';

const BASE_MS = Date.UTC(1950, 0, 1); // Asia/Kolkata has had no offset change since 1945
const STEP_SEC = 11_843; // 3 h 17 min 23 s between consecutive requests
const WRAP_SEC = 440 * 365 * 86_400; // stay within 1950..2389

/** Request number i: distinct wall time, and a place on a low-discrepancy sequence. */
export function natalBody(i) {
  const wall = new Date(BASE_MS + ((i * STEP_SEC) % WRAP_SEC) * 1000).toISOString().slice(0, 19);
  const latitude = Number((-60 + ((i * 0.6180339887498949) % 1) * 120).toFixed(4));
  const longitude = Number((-180 + ((i * 0.7548776662466927) % 1) * 360).toFixed(4));
  return JSON.stringify({ datetime: wall, timezone: 'Asia/Kolkata', latitude, longitude });
}

/** Routes measured, in order: `makeBody(i)` gives request i's JSON; `shape(json)` describes a 200 response. */
export const ROUTES = [
  { key: 'natal', path: '/v1/charts/natal', makeBody: natalBody, shape: (j) => `${Object.keys(j.planets ?? {}).length} planets` },
  {
    key: 'divisional',
    path: '/v1/charts/divisional',
    makeBody: natalBody, // natal fields only: the default response is the 16 Shodasavarga charts
    shape: (j) => `${Object.keys(j.charts ?? {}).length} charts`,
  },
];

/** One request outside the measurement (index from the shared counter), to record what a response holds. */
async function probe(port, route, counter) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${route.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: route.makeBody(counter.next++),
    });
    const text = await res.text();
    return res.status === 200 ? route.shape(JSON.parse(text)) : `HTTP ${res.status}: ${text.slice(0, 200)}`;
  } catch (err) {
    return `probe failed: ${err?.message ?? err}`;
  }
}

/** Warm-up, then the measured closed loop, on one route of a running wrangler dev. */
async function loadTest(ctx, dev, route, { concurrency, durationSec, warmupSec, counter }) {
  const agent = keepAliveAgent(concurrency);
  try {
    const response = await probe(dev.port, route, counter);
    const first = counter.next;
    const common = { port: dev.port, path: route.path, concurrency, makeBody: route.makeBody, counter, agent };
    ctx.log(`http: POST ${route.path}: warm-up ${warmupSec} s, then ${durationSec} s at concurrency ${concurrency} on port ${dev.port}`);
    const warm = await closedLoop({ ...common, durationMs: warmupSec * 1000 });
    const server0 = groupCpuSec(dev.pgid);
    const client0 = process.cpuUsage();
    const wall0 = performance.now();
    const run = await closedLoop({ ...common, durationMs: durationSec * 1000 });
    const wallSec = (performance.now() - wall0) / 1000;
    const clientCpu = process.cpuUsage(client0);
    const serverCpuSec = groupCpuSec(dev.pgid) - server0;
    const lat = summary(run.latenciesMs);
    const failures = [...warm.failures, ...run.failures];
    return {
      path: route.path,
      response,
      warmupRequests: warm.latenciesMs.length,
      requests: run.latenciesMs.length,
      ok: run.ok,
      non200: failures.filter((f) => f.status !== null).length,
      transportErrors: failures.filter((f) => f.status === null).length,
      failuresSample: failures.slice(0, 5),
      requestsPerSec: run.latenciesMs.length / (run.elapsedMs / 1000),
      elapsedSec: run.elapsedMs / 1000,
      latencyMs: { mean: lat.mean, p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max },
      meanResponseBytes: run.ok ? run.responseBytes / run.ok : null,
      cpu: {
        serverPctOfOneCore: (100 * serverCpuSec) / wallSec,
        loadgenPctOfOneCore: (100 * (clientCpu.user + clientCpu.system)) / 1e6 / wallSec,
      },
      requestIndexRange: [first, counter.next - 1],
    };
  } finally {
    agent.destroy();
  }
}

export default {
  name: 'http',
  title: `HTTP: POST ${ROUTES.map((r) => r.path).join(' and ')} on one wrangler dev (workerd), 127.0.0.1`,
  async run(ctx) {
    const opts = {
      concurrency: Math.round(envInt('BENCH_CONCURRENCY', 16)),
      durationSec: envInt('BENCH_DURATION_SEC', 10),
      warmupSec: envInt('BENCH_WARMUP_SEC', 2),
      counter: { next: 0 }, // shared by the routes, so no request body is ever sent twice
    };
    const logLevel = process.env.BENCH_WRANGLER_LOG_LEVEL || 'warn';
    ctx.log(`http: starting wrangler dev (--log-level ${logLevel})`);
    // The Worker's own LOG_LEVEL (default: wrangler.toml's info, one line per request).
    const workerLogLevel = process.env.BENCH_WORKER_LOG_LEVEL || '';
    const dev = await startWranglerDev(ctx, { logLevel, vars: workerLogLevel ? { LOG_LEVEL: workerLogLevel } : {} });
    ctx.onCleanup(dev.stop);
    const { counter, ...shown } = opts;
    const result = {
      client: 'closed loop, node:http keep-alive Agent, one socket per worker, in the bench process',
      ...shown,
      cores: ctx.machine.cores,
      wranglerLogLevel: logLevel,
      workerLogLevel: workerLogLevel || 'info (wrangler.toml)',
      wranglerStartupMs: dev.startupMs,
      uniqueInputs: `datetime = 1950-01-01T00:00:00 + i×${STEP_SEC} s (Asia/Kolkata), lat/lon on a golden-ratio sequence of i; i runs on across routes`,
      routes: {},
    };
    try {
      for (const route of ROUTES) result.routes[route.key] = await loadTest(ctx, dev, route, opts);
    } finally {
      ctx.log('http: stopping wrangler dev');
      result.wranglerStoppedCleanly = await dev.stop();
    }
    return result;
  },
  report(f) {
    const routes = Object.entries(f.routes);
    const row = (label, cell) => `  ${label.padEnd(30)}${routes.map(([, r]) => String(cell(r)).padStart(24)).join('')}`;
    const lines = [
      `  concurrency ${f.concurrency}, per route ${f.durationSec} s measured after its own ${f.warmupSec} s warm-up, routes one after the other;`,
      `  wrangler dev --log-level ${f.wranglerLogLevel}, started once, up in ${num(f.wranglerStartupMs / 1000, 1)} s`,
      `  ${''.padEnd(30)}${routes.map(([k]) => k.padStart(24)).join('')}`,
      row('POST', (r) => r.path),
      row('requests/s', (r) => num(r.requestsPerSec, 0)),
      row('requests measured (s)', (r) => `${r.requests} (${num(r.elapsedSec, 2)} s)`),
      row('latency ms p50', (r) => num(r.latencyMs.p50, 2)),
      row('latency ms p90', (r) => num(r.latencyMs.p90, 2)),
      row('latency ms p99', (r) => num(r.latencyMs.p99, 2)),
      row('latency ms max / mean', (r) => `${num(r.latencyMs.max, 2)} / ${num(r.latencyMs.mean, 2)}`),
      row('mean response bytes', (r) => num(r.meanResponseBytes ?? 0, 0)),
      row('one response holds', (r) => r.response),
      row('non-200 / transport errors', (r) => `${r.non200} / ${r.transportErrors}`),
      row('CPU % wrangler+workerd', (r) => num(r.cpu.serverPctOfOneCore, 0)),
      row('CPU % load generator', (r) => num(r.cpu.loadgenPctOfOneCore, 0)),
      `  non-200 and transport errors include warm-up; CPU while measuring, in % of one core: the load generator shares the ${f.cores} cores with workerd.`,
      `  every request unique: ${f.uniqueInputs}`,
    ];
    for (const [key, r] of routes) {
      for (const x of r.failuresSample) lines.push(`  ${key} failure #${x.i}: ${x.status ?? x.error} ${x.body ?? ''} <- ${x.request}`);
    }
    if (!f.wranglerStoppedCleanly) lines.push('  WARNING: wrangler dev process group did not exit cleanly');
    return lines;
  },
};
