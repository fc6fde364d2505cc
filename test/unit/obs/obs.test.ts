/**
 * The observability core in plain Node: the metrics registry and its flush
 * bookkeeping, the text rendering (read back by the npm parser), log line
 * shaping, and the app without an engine (`down`) or with one that throws.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app';
import { formatLine, MAX_LINE_CHARS } from '../../../src/obs/log';
import { METRICS, MetricsRegistry, families, renderText, sampleFromFields } from '../../../src/obs/metrics';
import { nodeEngine } from '../../support/node-engine';
import { counterValue, histogramBuckets } from '../../support/prometheus';

afterEach(() => vi.restoreAllMocks());

describe('MetricsRegistry', () => {
  it('keeps totals, sends one batch at a time, and retries a failed batch as it was, id included', () => {
    let n = 0;
    const r = new MetricsRegistry(() => `batch-${++n}`);
    r.inc(METRICS.requests, ['GET', '/health', '200']);
    r.inc(METRICS.requests, ['GET', '/health', '200'], 2);
    const first = r.startFlush()!;
    expect(first.id).toBe('batch-1');
    expect([...first.sample.values()]).toEqual([3]);
    r.inc(METRICS.requests, ['GET', '/health', '200']);
    expect(r.startFlush()).toBeNull(); // one batch on the wire at a time
    expect([...r.unflushed().values()]).toEqual([4]); // in flight + pending
    // No answer (a timeout): Redis may have applied it, so it goes again unchanged, before newer counts.
    r.finishFlush(first, false);
    const retried = r.startFlush()!;
    expect(retried).toEqual({ id: 'batch-1', sample: first.sample });
    r.finishFlush(retried, true);
    const second = r.startFlush()!;
    expect(second.id).toBe('batch-2');
    expect([...second.sample.values()]).toEqual([1]);
    r.finishFlush(second, true);
    expect(r.unflushed().size).toBe(0);
    expect(r.startFlush()).toBeNull();
    expect([...r.local().values()]).toEqual([4]);
  });

  it('buckets observations by upper bound, +Inf past the last, sums in whole microseconds', () => {
    const r = new MetricsRegistry();
    for (const sec of [0.0004, 0.001, 0.0011, 3, 99, Number.NaN, -1]) r.observe(METRICS.calculationDuration, ['natal'], sec);
    const text = renderText(families(r.local()));
    const buckets = histogramBuckets(text, 'astro_engine_calculation_duration_seconds', { type: 'natal' });
    // NaN and negatives count as 0 s: into the first bucket.
    expect(buckets['0.0005']).toBe(3);
    expect(buckets['0.001']).toBe(4);
    expect(buckets['0.0025']).toBe(5);
    expect(buckets['1']).toBe(5);
    expect(buckets['+Inf']).toBe(7);
    expect(text).toContain('astro_engine_calculation_duration_seconds_sum{type="natal"} 102.0025');
    expect(text).toContain('astro_engine_calculation_duration_seconds_count{type="natal"} 7');
  });

  it('survives the round trip through Redis hash fields and ignores fields it does not know', () => {
    const r = new MetricsRegistry();
    r.inc(METRICS.errors, ['validation_error', '422'], 5);
    const fields = Object.fromEntries([...r.local()].map(([k, v]) => [k, String(v)]));
    fields['["astro_engine_gone_total",[],"v"]'] = '9';
    fields['not json'] = '1';
    const text = renderText(families(sampleFromFields(fields)));
    expect(counterValue(text, 'astro_engine_errors_total', { code: 'validation_error', status: '422' })).toBe(5);
    expect(text).not.toContain('astro_engine_gone_total');
  });

  it('escapes label values as the text format requires', () => {
    const r = new MetricsRegistry();
    r.inc(METRICS.errors, ['we"ird\\code\nx', '400']);
    const text = renderText(families(r.local()));
    expect(text).toContain('astro_engine_errors_total{code="we\\"ird\\\\code\\nx",status="400"} 1');
    expect(counterValue(text, 'astro_engine_errors_total', { code: 'we"ird\\code\nx', status: '400' })).toBe(1);
  });
});

describe('log lines', () => {
  it('put ts, level and msg first and drop undefined fields', () => {
    const line = formatLine('info', 'request', { requestId: 'r1', errorCode: undefined, status: 200 }, new Date('2026-01-02T03:04:05Z'));
    expect(Object.keys(line)).toEqual(['ts', 'level', 'msg', 'requestId', 'status']);
    expect(line.ts).toBe('2026-01-02T03:04:05.000Z');
  });

  it('stay under the line limit: long strings are cut, then only fixed keys kept', () => {
    const cut = formatLine('error', 'unhandled_error', { requestId: 'r', stack: 'x'.repeat(50_000) });
    expect(JSON.stringify(cut).length).toBeLessThanOrEqual(MAX_LINE_CHARS);
    expect(String(cut.stack)).toMatch(/…\[cut\]$/);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'y'.repeat(2_999)]));
    const kept = formatLine('warn', 'x', { ...many, requestId: 'r2', status: 500 });
    expect(kept).toEqual({ ts: kept.ts, level: 'warn', msg: 'x', truncated: true, requestId: 'r2', status: 500 });
  });
});

describe('the app without an engine, or with one that fails', () => {
  it('says down (503) on /health and /health/ready, stays live, and answers calculations 503', async () => {
    const app = createApp({ engine: null, engineError: 'RuntimeError: unreachable' });
    const health = await app.request('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'down', engine: { status: 'down', error: 'RuntimeError: unreachable' }, dependencies: { engine: { status: 'down' } } });
    expect((await app.request('/health/ready')).status).toBe(503);
    expect((await app.request('/health/live')).status).toBe(200);
    const natal = await app.request('/v1/charts/natal', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(natal.status).toBe(503);
    expect(((await natal.json()) as any).error.code).toBe('engine_unavailable');
    expect((await app.request('/metrics')).status).toBe(200);
  });

  it('logs an unexpected error once, with its stack, and answers without it', async () => {
    const engine = nodeEngine();
    const broken = Object.create(engine, { calcUt: { value: () => { throw new TypeError('boom in the engine'); } } });
    const app = createApp({ engine: broken });
    const errors: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(line));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const res = await app.request('/v1/charts/natal', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'boom-1' },
      body: JSON.stringify({ datetime: '2001-01-01T00:00:00', utcOffset: '+00:00', latitude: 1, longitude: 2 }),
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('boom in the engine');
    expect(text).not.toMatch(/\bat \S+ \(/);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 'error', msg: 'unhandled_error', requestId: 'boom-1', route: '/v1/charts/natal', name: 'TypeError', error: 'boom in the engine' });
    expect(String((errors[0] as any).stack)).toMatch(/boom in the engine\n\s+at /);
  });
});

describe('Redis error text for logs', () => {
  it('drops the command the client quotes (a cached payload carries birth data) and keeps the cause', async () => {
    const { redisErrorText } = await import('../../../src/platform/upstash-redis');
    const quoted = new Error('ERR max request size exceeded, command was: ["set","ae:v1:1:natal:ab",{"meta":{"latitude":47.376887}}]');
    quoted.name = 'UpstashError';
    expect(redisErrorText(quoted)).toBe('UpstashError: ERR max request size exceeded');
    const refused = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:6379') });
    expect(redisErrorText(refused)).toBe('TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:6379');
    expect(redisErrorText('x'.repeat(1_000))).toHaveLength(300);
  });
});
