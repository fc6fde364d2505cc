/**
 * In workerd: one structured log line per request, nothing secret in
 * any line, /metrics moving by the right amounts (read with an npm Prometheus
 * parser), the run-time log level, request ids, health probes.
 *
 * Requests go straight to the Worker's fetch with an env of our own: a
 * METRICS_FLUSH_SEC no other file uses gives this file its own metrics
 * registry (and no Redis: scope `isolate`).
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { counterValue, histogramBuckets, parseMetrics } from '../support/prometheus';
import { expectErrorShape } from './support';

const ADMIN_TOKEN = 'obs-admin-token-0123456789';
const BASE_ENV = { ...env, METRICS_FLUSH_SEC: '17', ADMIN_TOKEN };

async function call(path: string, init: RequestInit = {}, envOverrides: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://api.test${path}`, init), { ...BASE_ENV, ...envOverrides } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const BIRTH = { datetime: '1987-03-21T06:45:00', timezone: 'Asia/Kolkata', latitude: 19.07609, longitude: 72.877426 };

const REQUEST_LINE_KEYS = ['ts', 'level', 'msg', 'requestId', 'method', 'route', 'status', 'elapsedMs', 'computeMs', 'cache', 'colo', 'errorCode'];

type Line = Record<string, unknown>;
let logged: { method: 'log' | 'warn' | 'error'; args: unknown[] }[] = [];

beforeEach(() => {
  logged = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push({ method, args });
      original(...args);
    });
  }
});
afterEach(() => vi.restoreAllMocks());

const requestLines = (): Line[] =>
  logged.filter((l) => l.method === 'log' && (l.args[0] as Line)?.msg === 'request').map((l) => l.args[0] as Line);

const linesFor = (requestId: string) => requestLines().filter((l) => l.requestId === requestId);

describe('request log lines', () => {
  const cases: { label: string; send: (id: string) => Promise<Response>; route: string; status: number; errorCode?: string; cache?: string }[] = [
    { label: 'natal POST', send: (id) => postJson('/v1/charts/natal', BIRTH, { 'x-request-id': id }), route: '/v1/charts/natal', status: 200 },
    {
      label: 'divisional GET by division',
      send: (id) => call(`/v1/charts/divisional/D9?${new URLSearchParams({ ...BIRTH, latitude: '19.07609', longitude: '72.877426' })}`, { headers: { 'x-request-id': id } }),
      route: '/v1/charts/divisional/:division',
      status: 200,
    },
    { label: 'validation error', send: (id) => postJson('/v1/charts/natal', { ...BIRTH, latitude: 123 }, { 'x-request-id': id }), route: '/v1/charts/natal', status: 422, errorCode: 'validation_error' },
    { label: 'unknown path', send: (id) => call('/v1/no/such/thing/4711', { headers: { 'x-request-id': id } }), route: 'unmatched', status: 404, errorCode: 'not_found' },
    { label: 'wrong method', send: (id) => call('/v1/charts/natal', { method: 'DELETE', headers: { 'x-request-id': id } }), route: 'unmatched', status: 405, errorCode: 'method_not_allowed' },
    { label: 'legacy route', send: (id) => postJson('/lahiri/natal', { user_name: 'x', birth_date: '1990-05-15', birth_time: '14:30', latitude: 28.6139, longitude: 77.209, timezone_offset: 5.5 }, { 'x-request-id': id }), route: '/lahiri/natal', status: 200 },
    { label: 'health', send: (id) => call('/health', { headers: { 'x-request-id': id } }), route: '/health', status: 200 },
  ];

  for (const c of cases) {
    it(`${c.label}: exactly one line of the fixed shape, with the route pattern, status and id`, async () => {
      const id = `obs-${crypto.randomUUID()}`;
      const res = await c.send(id);
      expect(res.status, await res.clone().text()).toBe(c.status);
      expect(res.headers.get('x-request-id')).toBe(id);
      const lines = linesFor(id);
      expect(lines).toHaveLength(1);
      const [line] = lines;
      for (const key of Object.keys(line)) expect([...REQUEST_LINE_KEYS, 'correlationId', 'plan', 'keyId']).toContain(key);
      for (const key of REQUEST_LINE_KEYS.filter((k) => k !== 'errorCode')) expect(line).toHaveProperty(key);
      expect(line).toMatchObject({ level: c.status >= 400 ? 'warn' : 'info', msg: 'request', requestId: id, route: c.route, status: c.status });
      expect(line.method).toBe(c.label === 'wrong method' ? 'DELETE' : c.label.includes('GET') || c.label === 'unknown path' || c.label === 'health' ? 'GET' : 'POST');
      expect(Date.parse(line.ts as string)).not.toBeNaN();
      expect(line.elapsedMs).toBeTypeOf('number');
      expect(line.computeMs).toBeTypeOf('number');
      if (c.errorCode) expect(line.errorCode).toBe(c.errorCode);
      else expect(line).not.toHaveProperty('errorCode');
      if (c.status === 200 && c.route !== '/health') expect(['MISS', 'HIT-EDGE', 'HIT-REDIS']).toContain(line.cache);
      expect(JSON.stringify(line).length).toBeLessThan(2_000);
    });
  }

  it('logs neither birth data nor credentials, in any line', async () => {
    const secret = {
      authorization: 'Bearer sk_live_TOPSECRET_bearer_4242',
      'x-api-key': 'ae_live_TOPSECRET_apikey_4242',
      cookie: 'session=TOPSECRET_cookie_4242',
    };
    const id = `obs-${crypto.randomUUID()}`;
    const body = { ...BIRTH, datetime: '1971-08-09T23:17:00', latitude: 47.376887, longitude: 8.541694, user_name: 'Private Person 4242' };
    await postJson('/v1/charts/natal', body, { ...secret, 'x-request-id': id });
    // And an error path, which echoes input in its body but must not log it.
    await postJson('/v1/charts/natal', { ...body, latitude: '47.376887N' }, { ...secret, 'x-request-id': `${id}-b` });
    // Through the old service's routes too.
    await postJson('/lahiri/natal', { user_name: 'Private Person 4242', birth_date: '1971-08-09', birth_time: '23:17', latitude: 47.376887, longitude: 8.541694, timezone_offset: 1 }, secret);
    const all = JSON.stringify(logged.map((l) => l.args));
    expect(linesFor(id)).toHaveLength(1);
    for (const needle of ['TOPSECRET', '47.376887', '8.541694', '1971-08-09', '23:17', 'Private Person']) expect(all).not.toContain(needle);
  });

  it('honours the old X-Correlation-ID header and echoes it', async () => {
    const res = await call('/health', { headers: { 'x-correlation-id': 'legacy-corr-77' } });
    expect(res.headers.get('x-correlation-id')).toBe('legacy-corr-77');
    expect(res.headers.get('x-request-id')).toBe('legacy-corr-77');
    expect(linesFor('legacy-corr-77')).toHaveLength(1);
    // X-Request-Id wins; the correlation id is still echoed and logged beside it.
    const both = await call('/health', { headers: { 'x-correlation-id': 'legacy-corr-78', 'x-request-id': 'req-78' } });
    expect(both.headers.get('x-request-id')).toBe('req-78');
    expect(both.headers.get('x-correlation-id')).toBe('legacy-corr-78');
    expect(linesFor('req-78')[0]).toMatchObject({ correlationId: 'legacy-corr-78' });
  });

  it('uses cf-ray when the client id is not sane, and a new UUID when there is neither', async () => {
    const ray = await call('/health', { headers: { 'x-request-id': 'bad id with spaces', 'cf-ray': '8f1e2d3c4b5a6978-AMS' } });
    expect(ray.headers.get('x-request-id')).toBe('8f1e2d3c4b5a6978-AMS');
    const fresh = await call('/health', { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('log level at run time', () => {
  const LEVEL_ENV = { METRICS_FLUSH_SEC: '19' }; // its own isolate-level service: the level changes here stay here
  const put = (body: unknown, token = ADMIN_TOKEN) =>
    call('/logging/level', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }, LEVEL_ENV);
  const health = (id: string) => call('/health', { headers: { 'x-request-id': id } }, LEVEL_ENV);
  const missing = (id: string) => call('/nope', { headers: { 'x-request-id': id } }, LEVEL_ENV);

  it('PUT /logging/level changes what the next requests log; DELETE returns to LOG_LEVEL', async () => {
    const before = (await (await call('/logging/status', {}, LEVEL_ENV)).json()) as any;
    expect(before).toMatchObject({ level: 'info', source: 'env', envLevel: 'info', runtime: null, scope: 'isolate' });

    let res = await put({ level: 'error', ttlSec: 600 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ level: 'error', source: 'runtime', runtime: { level: 'error' }, scope: 'isolate' });
    await health('lvl-1');
    await missing('lvl-2');
    expect(linesFor('lvl-1')).toHaveLength(0); // info: below error
    expect(linesFor('lvl-2')).toHaveLength(0); // warn (404): below error

    res = await put({ level: 'warn' });
    expect(res.status).toBe(200);
    await health('lvl-3');
    await missing('lvl-4');
    expect(linesFor('lvl-3')).toHaveLength(0);
    expect(linesFor('lvl-4')).toHaveLength(1);

    res = await call('/logging/level', { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, LEVEL_ENV);
    expect(await res.json()).toMatchObject({ level: 'info', source: 'env', runtime: null });
    await health('lvl-5');
    expect(linesFor('lvl-5')).toHaveLength(1);
  });

  it('debug adds the debug lines; an expired change no longer applies', async () => {
    const res = await put({ level: 'debug', ttlSec: 1 });
    expect(res.status).toBe(200);
    const status = (await (await call('/logging/status', {}, LEVEL_ENV)).json()) as any;
    expect(status.level).toBe('debug');
    const natal = await call('/v1/charts/natal', { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'lvl-debug' }, body: JSON.stringify(BIRTH) }, LEVEL_ENV);
    expect(natal.status).toBe(200);
    const debugLines = logged.map((l) => l.args[0] as Line).filter((l) => l?.level === 'debug' && l.requestId === 'lvl-debug');
    expect(debugLines).toEqual([expect.objectContaining({ msg: 'cache_lookup', resource: 'natal', source: expect.stringMatching(/^(MISS|HIT-EDGE)$/) })]);
    await new Promise((r) => setTimeout(r, 1_100));
    const after = (await (await call('/logging/status', {}, LEVEL_ENV)).json()) as any;
    expect(after).toMatchObject({ level: 'info', source: 'env', runtime: null });
  });

  it('refuses without the admin token, and refuses bad bodies with field errors', async () => {
    await expectErrorShape(await call('/logging/level', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"level":"debug"}' }, LEVEL_ENV), 'no token');
    const wrong = await put({ level: 'debug' }, 'not-the-token');
    expect(wrong.status).toBe(403);
    const noAdmin = await call('/logging/level', { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{"level":"debug"}' }, { ...LEVEL_ENV, ADMIN_TOKEN: '' });
    expect(noAdmin.status).toBe(403);
    expect(((await noAdmin.json()) as any).error.code).toBe('admin_disabled');
    for (const [body, path] of [
      [{ level: 'verbose' }, 'level'],
      [{ level: 'debug', ttlSec: 0 }, 'ttlSec'],
      [{ level: 'debug', ttlSec: 1e9 }, 'ttlSec'],
      [{ level: 'debug', levle: 'x' }, 'levle'],
      [{}, 'level'],
    ] as const) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const err = await expectErrorShape(res, JSON.stringify(body));
      expect(err.body.error.details.map((d: any) => d.path)).toContain(path);
    }
    const huge = await put({ level: 'debug', pad: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    await expectErrorShape(huge, 'oversized PUT');
    const form = await call('/logging/level', { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${ADMIN_TOKEN}` }, body: 'level=debug' }, LEVEL_ENV);
    expect(form.status).toBe(415);
    const status = (await (await call('/logging/status', {}, LEVEL_ENV)).json()) as any;
    expect(status.level).toBe('info'); // none of the refused requests changed anything
  });
});

describe('GET /metrics', () => {
  const scrape = async () => {
    const res = await call('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return res.text();
  };

  it('counters and histogram buckets move by the right amounts', async () => {
    const before = await scrape();
    const latitude = 10 + Math.random(); // a fresh cache key: the first request computes
    const body = { ...BIRTH, latitude, ayanamsa: 'raman' };
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await postJson('/v1/charts/natal', body));
    expect(replies.map((r) => r.headers.get('x-cache'))).toEqual(['MISS', 'HIT-EDGE', 'HIT-EDGE']);
    expect((await postJson('/v1/charts/natal', { ...body, latitude: 91 })).status).toBe(422);
    expect((await call('/v1/nothing-here')).status).toBe(404);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) => counterValue(after, name, labels) - counterValue(before, name, labels);
    const route = '/v1/charts/natal';
    expect(delta('astro_engine_requests_total', { method: 'POST', route, status: '200' })).toBe(3);
    expect(delta('astro_engine_requests_total', { method: 'POST', route, status: '422' })).toBe(1);
    expect(delta('astro_engine_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // The first scrape is counted once it has answered.
    expect(delta('astro_engine_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    expect(delta('astro_engine_errors_total', { code: 'validation_error', status: '422' })).toBe(1);
    expect(delta('astro_engine_errors_total', { code: 'not_found', status: '404' })).toBe(1);
    expect(delta('astro_engine_chart_requests_total', { chart_type: 'natal', ayanamsa: 'raman' })).toBe(3);
    expect(delta('astro_engine_cache_operations_total', { tier: 'edge', result: 'hit' })).toBe(2);
    expect(delta('astro_engine_cache_operations_total', { tier: 'edge', result: 'miss' })).toBe(1);
    expect(delta('astro_engine_cache_operations_total', { tier: 'compute', result: 'run' })).toBe(1);

    // Histograms: every request lands in exactly one bucket, so +Inf moves by the count,
    // and the buckets are cumulative.
    const bucketsBefore = histogramBuckets(before, 'astro_engine_request_duration_seconds', { method: 'POST', route });
    const bucketsAfter = histogramBuckets(after, 'astro_engine_request_duration_seconds', { method: 'POST', route });
    expect((bucketsAfter['+Inf'] ?? 0) - (bucketsBefore['+Inf'] ?? 0)).toBe(4);
    // Object keys put integer-like bounds ('1', '5') first: order by value.
    const les = Object.keys(bucketsAfter).sort((a, b) => Number(a) - Number(b));
    expect(les.at(-1)).toBe('+Inf');
    expect(les).toHaveLength(13);
    for (let i = 1; i < les.length; i++) expect(bucketsAfter[les[i]]).toBeGreaterThanOrEqual(bucketsAfter[les[i - 1]]);
    const calcBefore = histogramBuckets(before, 'astro_engine_calculation_duration_seconds', { type: 'natal' });
    const calcAfter = histogramBuckets(after, 'astro_engine_calculation_duration_seconds', { type: 'natal' });
    expect((calcAfter['+Inf'] ?? 0) - (calcBefore['+Inf'] ?? 0)).toBe(1); // the one MISS; hits compute nothing
  });

  it('declares every family with HELP and TYPE, says it covers this isolate only, and /metrics/json has the same numbers', async () => {
    const text = await scrape();
    const names = parseMetrics(text).map((f) => f.name);
    for (const name of [
      'astro_engine_requests_total',
      'astro_engine_request_duration_seconds',
      'astro_engine_calculation_duration_seconds',
      'astro_engine_cache_operations_total',
      'astro_engine_errors_total',
      'astro_engine_chart_requests_total',
      'astro_engine_bulk_jobs_total',
      'astro_engine_bulk_items_total',
      'astro_engine_ephemeris_fallbacks_total',
      'astro_engine_build_info',
      'astro_engine_metrics_aggregated',
    ]) {
      expect(names).toContain(name);
    }
    expect(text).toMatch(/^# scope: isolate \(this isolate only: no Redis configured\)$/m);
    expect(text).toMatch(/^astro_engine_metrics_aggregated 0$/m);

    const res = await call('/metrics/json');
    expect(res.headers.get('x-metrics-scope')).toBe('isolate');
    const json = (await res.json()) as any;
    expect(json.scope).toBe('isolate');
    const text2 = await scrape(); // after the JSON request: one more GET /metrics/json counted
    const family = json.families.find((f: any) => f.name === 'astro_engine_requests_total');
    const series = family.series.find((s: any) => s.labels.route === '/v1/charts/natal' && s.labels.status === '200' && s.labels.method === 'POST');
    expect(counterValue(text2, 'astro_engine_requests_total', series.labels)).toBe(series.value);
  });

  it('counts Moshier fallbacks outside the Swiss files', async () => {
    const before = await scrape();
    const res = await postJson('/v1/charts/natal', { ...BIRTH, datetime: '1650-06-01T12:00:00', latitude: 20 + Math.random() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).meta.ephemeris).toBe('moshier');
    const after = await scrape();
    expect(counterValue(after, 'astro_engine_ephemeris_fallbacks_total', { type: 'natal' }) - counterValue(before, 'astro_engine_ephemeris_fallbacks_total', { type: 'natal' })).toBe(1);
  });

  it('with METRICS_TOKEN set, needs it or the admin token', async () => {
    const guarded = { METRICS_TOKEN: 'scrape-token-abcdefgh' };
    const none = await call('/metrics', {}, guarded);
    expect(none.status).toBe(401);
    await expectErrorShape(none, 'metrics without token');
    expect((await call('/metrics/json', { headers: { authorization: 'Bearer wrong' } }, guarded)).status).toBe(403);
    expect((await call('/metrics', { headers: { authorization: 'Bearer scrape-token-abcdefgh' } }, guarded)).status).toBe(200);
    expect((await call('/metrics/json', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, guarded)).status).toBe(200);
  });
});

describe('health', () => {
  it('/health reports each dependency; /health/live and /health/ready answer', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.status).toBe('ok');
    expect(body.dependencies).toEqual({
      engine: { status: 'ok' },
      ephemerisFiles: { status: 'ok' },
      redis: { status: 'not_configured' },
      qstash: { status: 'not_configured' },
      config: { status: 'ok' },
    });
    expect(await (await call('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await call('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', health: 'ok' });
  });

  it('a half-configured Upstash or a bad variable is reported (degraded), and requests still succeed', async () => {
    const half = { UPSTASH_REDIS_REST_URL: 'https://example.upstash.io', REQUIRE_API_KEY: 'yes', LOG_LEVEL: 'loud' };
    const res = await call('/health', {}, half);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.status).toBe('degraded');
    expect(body.dependencies.config.status).toBe('invalid');
    const errors = body.dependencies.config.errors.join('\n');
    expect(errors).toMatch(/UPSTASH_REDIS_REST_TOKEN is missing/);
    expect(errors).toMatch(/REQUIRE_API_KEY/);
    expect(errors).toMatch(/LOG_LEVEL/);
    for (const path of ['/health/live', '/health/ready', '/metrics', '/logging/status']) expect((await call(path, {}, half)).status, path).toBe(200);
    // Keyed routes fail closed on an unusable key store (503 access_misconfigured, never an open door);
    // the cache alone would fall back to memory, as the non-keyed /health above shows.
  });

  it('a QStash token without signing keys is reported as misconfigured (degraded)', async () => {
    const body = (await (await call('/health', {}, { QSTASH_TOKEN: 'tok' })).json()) as any;
    expect(body.status).toBe('degraded');
    expect(body.dependencies.qstash.status).toBe('misconfigured');
    expect(body.dependencies.qstash.error).toMatch(/QSTASH_CURRENT_SIGNING_KEY/);
  });
});
