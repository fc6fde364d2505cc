/**
 * Across isolates: two real `wrangler dev` Workers (separate workerd
 * processes) on the stack's Upstash REST emulator + redis-server. Each flushes
 * its metrics at most a second after a request (METRICS_FLUSH_SEC=1), so
 * either Worker's /metrics shows both Workers' traffic; a log level set through one applies
 * in the other; with Redis down, /metrics answers 503, and the counts made
 * meanwhile arrive once Redis is back, once.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { counterValue, histogramBuckets } from '../support/prometheus';
import { controlRedis, sleep, stackRedisUp, startWorkerPair, type Worker, type WorkerPair } from './worker-pair';

const upstash = inject('upstash');

let pair: WorkerPair | undefined;
let A: Worker;
let B: Worker;

beforeAll(async () => {
  pair = await startWorkerPair(upstash, { METRICS_FLUSH_SEC: '1' });
  ({ a: A, b: B } = pair);
}, 240_000);

afterAll(async () => {
  if (!(await stackRedisUp(upstash).catch(() => false))) await controlRedis(upstash, 'start', { keepData: true });
  await pair?.stop();
}, 60_000);

const NATAL = '/v1/charts/natal';
const natal = () => ({ datetime: '1990-05-15T14:30:00', utcOffset: '+05:30', latitude: Math.round(Math.random() * 1e6) / 1e5, longitude: 77.209 });

async function scrape(worker: Worker): Promise<{ text: string; scope: string | null }> {
  const reply = await worker.get('/metrics');
  expect(reply.status, reply.text).toBe(200);
  return { text: reply.text, scope: reply.headers.get('x-metrics-scope') };
}

const natalOk = (text: string) => counterValue(text, 'astro_engine_requests_total', { method: 'POST', route: NATAL, status: '200' });

/** Scrapes until `ready(text)` (the Workers' waitUntil flushes land a moment after their responses). */
async function scrapeUntil(worker: Worker, ready: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { text } = await scrape(worker);
    if (ready(text) || Date.now() > deadline) return text;
    await sleep(100);
  }
}

describe('metrics aggregated across isolates through Redis', () => {
  it('requests on A and on B are counted once each, with their histogram buckets, in either /metrics', async () => {
    const before = (await scrape(A)).text;
    for (let i = 0; i < 3; i++) expect((await A.post(NATAL, natal())).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await B.post(NATAL, natal())).status).toBe(200);
    expect((await B.post(NATAL, { ...natal(), latitude: 'north' })).status).toBe(422);

    const target = natalOk(before) + 5;
    const afterA = await scrapeUntil(A, (t) => natalOk(t) >= target);
    const afterB = await scrapeUntil(B, (t) => natalOk(t) >= target);
    for (const after of [afterA, afterB]) {
      expect(natalOk(after) - natalOk(before)).toBe(5);
      const delta = (name: string, labels: Record<string, string>) => counterValue(after, name, labels) - counterValue(before, name, labels);
      expect(delta('astro_engine_requests_total', { method: 'POST', route: NATAL, status: '422' })).toBe(1);
      expect(delta('astro_engine_errors_total', { code: 'validation_error', status: '422' })).toBe(1);
      expect(delta('astro_engine_chart_requests_total', { chart_type: 'natal', ayanamsa: 'lahiri' })).toBe(5);
      const inf = (text: string) => histogramBuckets(text, 'astro_engine_request_duration_seconds', { method: 'POST', route: NATAL })['+Inf'] ?? 0;
      expect(inf(after) - inf(before)).toBe(6);
      const calc = (text: string) => histogramBuckets(text, 'astro_engine_calculation_duration_seconds', { type: 'natal' })['+Inf'] ?? 0;
      expect(calc(after) - calc(before)).toBe(5); // five fresh inputs, five computations
      expect(after).toMatch(/^# scope: cluster /m);
      expect(after).toMatch(/^astro_engine_metrics_aggregated 1$/m);
    }
  });

  it('/metrics/json agrees with the text format', async () => {
    const json = (await A.get('/metrics/json')).body;
    expect(json.scope).toBe('cluster');
    const { text } = await scrape(A);
    const series = json.families
      .find((f: any) => f.name === 'astro_engine_requests_total')
      .series.find((s: any) => s.labels.route === NATAL && s.labels.status === '200' && s.labels.method === 'POST');
    // Between the two reads only GET /metrics* requests happened.
    expect(natalOk(text)).toBe(series.value);
  });
});

describe('flushes', () => {
  it('a batch Redis applied but whose answer was lost is not added twice when retried', async () => {
    const { ObsRedisStore } = await import('../../src/obs/shared-store');
    const { MetricsRegistry, METRICS } = await import('../../src/obs/metrics');
    const store = new ObsRedisStore({ url: upstash.url, token: upstash.token, timeoutMs: 2_000 });
    const registry = new MetricsRegistry();
    const labels = ['GET', `/test/${crypto.randomUUID()}`, '200'];
    registry.inc(METRICS.requests, labels, 7);
    const batch = registry.startFlush()!;
    expect((await store.sync(batch)).ok).toBe(true);
    // The same batch again, as after a timeout: the marker makes it a no-op.
    expect((await store.sync(batch)).ok).toBe(true);
    const totals = await store.readMetrics();
    expect(totals.ok).toBe(true);
    const field = [...batch.sample.keys()][0];
    expect(totals.ok && totals.value.get(field)).toBe(7);
  });

  it('counts reach Redis within METRICS_FLUSH_SEC without another request', async () => {
    const before = natalOk((await scrape(A)).text);
    // The second request comes within the interval of the first one's sync: its count waits
    // for the sync B schedules for the end of the interval, not for a later request.
    expect((await B.post(NATAL, natal())).status).toBe(200);
    expect((await B.post(NATAL, natal())).status).toBe(200);
    // Only A is asked from now on.
    const after = await scrapeUntil(A, (t) => natalOk(t) >= before + 2);
    expect(natalOk(after) - before).toBe(2);
  });
});

describe('Prometheus itself', () => {
  // promtool (Debian package prometheus, installed by scripts/system-deps.sh) parses with
  // Prometheus's own text-format parser and lints names, types and HELP.
  it('promtool check metrics accepts the exposition, histograms and escaped labels included', async () => {
    await A.post(NATAL, natal());
    await A.get('/v1/"quoted"\\path'); // an unmatched route: counted as route="unmatched"
    const { text } = await scrape(A);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error, 'promtool not installed: run scripts/system-deps.sh test').toBeUndefined();
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
    expect(text).toContain('astro_engine_request_duration_seconds_bucket{method="POST",route="/v1/charts/natal",le="+Inf"}');
  });
});

describe('log level shared through Redis', () => {
  const admin = () => ({ authorization: `Bearer ${pair!.adminToken}` });

  it('a level set through A is applied by B; DELETE returns both to LOG_LEVEL', async () => {
    const put = await A.request('PUT', '/logging/level', { json: { level: 'warn', ttlSec: 120 }, headers: admin() });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ level: 'warn', source: 'runtime', scope: 'cluster' });
    // B picks it up at its next sync, which follows its next request.
    expect((await B.get('/health')).status).toBe(200);
    let statusB: any;
    for (let i = 0; i < 50; i++) {
      statusB = (await B.get('/logging/status')).body;
      if (statusB.level === 'warn') break;
      await sleep(100);
    }
    expect(statusB).toMatchObject({ level: 'warn', source: 'runtime', scope: 'cluster', runtime: { level: 'warn' } });

    const del = await A.request('DELETE', '/logging/level', { headers: admin() });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ level: 'info', source: 'env', runtime: null });
    expect((await B.get('/logging/status')).body).toMatchObject({ level: 'info', source: 'env' });
  });
});

describe('with Redis down', () => {
  it('/metrics answers 503; the counts made meanwhile arrive once Redis is back, once', async () => {
    const before = await scrapeUntil(A, () => true);
    await controlRedis(upstash, 'stop', { keepData: true });
    try {
      for (let i = 0; i < 2; i++) expect((await B.post(NATAL, natal())).status).toBe(200);
      // One isolate's small totals under the same names would read as a counter reset: 503.
      const during = await A.get('/metrics');
      expect(during.status).toBe(503);
      expect(during.body.error.code).toBe('metrics_unavailable');
      expect(during.headers.get('retry-after')).toBe('5');
      const put = await A.request('PUT', '/logging/level', { json: { level: 'debug' }, headers: { authorization: `Bearer ${pair!.adminToken}` } });
      expect(put.status).toBe(503);
      expect(put.body.error.code).toBe('log_level_not_shared');
    } finally {
      await controlRedis(upstash, 'start', { keepData: true });
    }
    // B's failed batch was kept; B's next request schedules the sync that hands it over.
    expect((await B.get('/health')).status).toBe(200);
    const after = await scrapeUntil(A, (t) => natalOk(t) >= natalOk(before) + 2);
    expect(natalOk(after) - natalOk(before)).toBe(2);
    await sleep(500);
    expect(natalOk((await scrape(A)).text) - natalOk(before)).toBe(2);
  });
});
