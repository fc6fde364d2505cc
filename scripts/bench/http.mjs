/**
 * POST /v1/charts/natal against `wrangler dev` (workerd) on 127.0.0.1 with a
 * closed-loop load generator in this process. Every request has its own
 * datetime and place, so no response could come from a cache.
 */
import { performance } from 'node:perf_hooks';
import { closedLoop, keepAliveAgent } from './loadgen.mjs';
import { groupCpuSec } from './procs.mjs';
import { envInt, num, summary } from './util.mjs';
import { startWranglerDev } from './wrangler-dev.mjs';

const PATH = '/v1/charts/natal';
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

export default {
  name: 'http',
  title: 'HTTP: POST /v1/charts/natal on wrangler dev (workerd), 127.0.0.1',
  async run(ctx) {
    const concurrency = Math.round(envInt('BENCH_CONCURRENCY', 16));
    const durationSec = envInt('BENCH_DURATION_SEC', 10);
    const warmupSec = envInt('BENCH_WARMUP_SEC', 2);
    const logLevel = process.env.BENCH_WRANGLER_LOG_LEVEL || 'warn';
    ctx.log(`http: starting wrangler dev (--log-level ${logLevel})`);
    const dev = await startWranglerDev(ctx, { logLevel });
    ctx.onCleanup(dev.stop);
    let result;
    try {
      const agent = keepAliveAgent(concurrency);
      const counter = { next: 0 };
      const common = { port: dev.port, path: PATH, concurrency, makeBody: natalBody, counter, agent };
      ctx.log(`http: warm-up ${warmupSec} s, then ${durationSec} s at concurrency ${concurrency} on port ${dev.port}`);
      const warm = await closedLoop({ ...common, durationMs: warmupSec * 1000 });
      const server0 = groupCpuSec(dev.pgid);
      const client0 = process.cpuUsage();
      const wall0 = performance.now();
      const run = await closedLoop({ ...common, durationMs: durationSec * 1000 });
      const wallSec = (performance.now() - wall0) / 1000;
      const clientCpu = process.cpuUsage(client0);
      const serverCpuSec = groupCpuSec(dev.pgid) - server0;
      agent.destroy();
      const lat = summary(run.latenciesMs);
      result = {
        target: `POST ${PATH} on wrangler dev (workerd), 127.0.0.1`,
        client: 'closed loop, node:http keep-alive Agent, one socket per worker, in the bench process',
        concurrency,
        durationSec,
        warmupSec,
        warmupRequests: warm.latenciesMs.length,
        wranglerLogLevel: logLevel,
        wranglerStartupMs: dev.startupMs,
        requests: run.latenciesMs.length,
        ok: run.ok,
        non200: run.failures.filter((f) => f.status !== null).length + warm.failures.filter((f) => f.status !== null).length,
        transportErrors: run.failures.filter((f) => f.status === null).length + warm.failures.filter((f) => f.status === null).length,
        failuresSample: [...warm.failures, ...run.failures].slice(0, 5),
        requestsPerSec: run.latenciesMs.length / (run.elapsedMs / 1000),
        elapsedSec: run.elapsedMs / 1000,
        latencyMs: { mean: lat.mean, p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max },
        meanResponseBytes: run.ok ? run.responseBytes / run.ok : null,
        cpu: {
          serverPctOfOneCore: (100 * serverCpuSec) / wallSec,
          loadgenPctOfOneCore: (100 * (clientCpu.user + clientCpu.system)) / 1e6 / wallSec,
          cores: ctx.machine.cores,
        },
        uniqueInputs: `datetime = 1950-01-01T00:00:00 + i×${STEP_SEC} s (Asia/Kolkata), lat/lon on a golden-ratio sequence of i`,
        requestIndexRange: [0, counter.next - 1],
      };
    } finally {
      ctx.log('http: stopping wrangler dev');
      const gone = await dev.stop();
      if (result) result.wranglerStoppedCleanly = gone;
    }
    return result;
  },
  report(f) {
    const l = f.latencyMs;
    const lines = [
      `  concurrency ${f.concurrency}, ${f.durationSec} s measured after ${f.warmupSec} s warm-up (${f.warmupRequests} requests); ` +
        `wrangler dev --log-level ${f.wranglerLogLevel}, up in ${num(f.wranglerStartupMs / 1000, 1)} s`,
      `  requests/s ${num(f.requestsPerSec, 0)}   (${f.requests} requests in ${num(f.elapsedSec, 2)} s)`,
      `  latency ms  p50 ${num(l.p50, 2)}  p90 ${num(l.p90, 2)}  p99 ${num(l.p99, 2)}  max ${num(l.max, 2)}  mean ${num(l.mean, 2)}`,
      `  non-200 responses: ${f.non200}   transport errors: ${f.transportErrors} (warm-up included)   mean response ${num(f.meanResponseBytes ?? 0, 0)} bytes`,
      `  every request unique: ${f.uniqueInputs}`,
      `  NOTE: the load generator shares the ${f.cpu.cores} cores with workerd: CPU while measuring, in % of one core:`,
      `        wrangler+workerd ${num(f.cpu.serverPctOfOneCore, 0)}%, load generator ${num(f.cpu.loadgenPctOfOneCore, 0)}%`,
    ];
    for (const x of f.failuresSample) {
      lines.push(`  failure #${x.i}: ${x.status ?? x.error} ${x.body ?? ''} <- ${x.request}`);
    }
    if (!f.wranglerStoppedCleanly) lines.push('  WARNING: wrangler dev process group did not exit cleanly');
    return lines;
  },
};
