/**
 * Hostile-input hardening in workerd: body size caps (413), strict
 * schemas that name unknown fields on every JSON route family, bounded
 * strings and lists, CORS from CORS_ORIGINS, and the security headers.
 * Requests go through the Worker's own fetch with a per-test env, so CORS and
 * access settings can vary without touching wrangler.toml.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { AppEnv } from '../../src/env';
import { onError } from '../../src/http/errors';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SEC, defaultBodyLimit, parseCorsOrigins } from '../../src/http/hardening';
import { requestId } from '../../src/http/request-id';
import { FUZZ_SIGNING_KEY, qstashSignature } from './fuzz-arbitraries';
import { expectErrorShape, expectLegacyErrorShape } from './support';

const BASE = 'https://api.test';
const SYNC_LIMIT = 16 * 1024;
const BULK_LIMIT = 5 * 1024 * 1024;
/** Anonymous calls are rate limited per IP; these tests are about validation, not quotas. */
const NO_QUOTA = { RATE_LIMITS: '{"anonymous":{"requests":1000000,"windowSec":60}}' };

const NATAL = { datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata', latitude: 13.0878, longitude: 80.2785 };
const LEGACY = { user_name: 'Asha', birth_date: '1990-05-15', birth_time: '14:30:00', latitude: 28.6139, longitude: 77.209, timezone_offset: 5.5 };

async function call(request: Request, overrides: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...NO_QUOTA, ...overrides } as AppEnv['Bindings'], ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, overrides: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return call(new Request(`${BASE}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text }), overrides);
}

function get(path: string, headers: Record<string, string> = {}, overrides: Record<string, string> = {}) {
  return call(new Request(`${BASE}${path}`, { headers }), overrides);
}

/** A JSON object of exactly `bytes` bytes: the request plus a padding field. */
function paddedTo(base: Record<string, unknown>, bytes: number): string {
  const empty = JSON.stringify({ ...base, padding: '' });
  return JSON.stringify({ ...base, padding: 'x'.repeat(bytes - empty.length) });
}

/** A body sent as a stream, so it has no Content-Length and must be counted as it arrives. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
      controller.close();
    },
  });
}

describe('body size caps', () => {
  const syncRoutes = ['/v1/charts/natal', '/v1/charts/divisional', '/v1/charts/divisional/D9', '/v1/transits'];

  it.each(syncRoutes)('POST %s: one byte over 16 KiB is 413 payload_too_large', async (path) => {
    const res = await post(path, paddedTo(NATAL, SYNC_LIMIT + 1));
    const { body, where } = await expectErrorShape(res, path);
    expect(res.status, where).toBe(413);
    expect(body.error.code, where).toBe('payload_too_large');
  });

  it.each(syncRoutes)('POST %s: exactly 16 KiB is read (the padding is then an unknown field)', async (path) => {
    const res = await post(path, paddedTo(NATAL, SYNC_LIMIT));
    const { body, where } = await expectErrorShape(res, path);
    expect(res.status, where).toBe(422);
    expect(body.error.details.map((d: { path: string }) => d.path), where).toContain('padding');
  });

  it.each(['/lahiri/natal', '/raman/shodasha_varga_signs'])('POST %s over 16 KiB is 413 in the old error shape', async (path) => {
    const res = await post(path, paddedTo(LEGACY, SYNC_LIMIT + 1));
    const { body, where } = await expectLegacyErrorShape(res, path);
    expect(res.status, where).toBe(413);
    expect(body.code, where).toBe('payload_too_large');
  });

  it('POST /batch/calculate over 16 KiB is 413 in the old error shape', async () => {
    const res = await post('/batch/calculate', paddedTo({ requests: [{ type: 'natal', data: LEGACY }] }, SYNC_LIMIT + 1));
    const { body, where } = await expectLegacyErrorShape(res, 'batch');
    expect(res.status, where).toBe(413);
    expect(body.code, where).toBe('payload_too_large');
  });

  it('POST /v1/bulk has its own, larger cap: 64 KiB is read and validated', async () => {
    const res = await post('/v1/bulk', paddedTo({ items: [{ id: 'a', type: 'natal', input: NATAL }] }, 64 * 1024));
    const { body, where } = await expectErrorShape(res, 'bulk 64 KiB');
    expect(res.status, where).toBe(422);
    expect(body.error.details.map((d: { path: string }) => d.path), where).toContain('padding');
  });

  it('POST /v1/bulk one byte over 5 MiB is 413 payload_too_large', async () => {
    const res = await post('/v1/bulk', paddedTo({ items: [{ id: 'a', type: 'natal', input: NATAL }] }, BULK_LIMIT + 1));
    const { body, where } = await expectErrorShape(res, 'bulk 5 MiB + 1');
    expect(res.status, where).toBe(413);
    expect(body.error.code, where).toBe('payload_too_large');
  });

  it('POST /v1/bulk over 5 MiB without Content-Length (streamed) is 413 as well', async () => {
    const text = paddedTo({ items: [{ id: 'a', type: 'natal', input: NATAL }] }, BULK_LIMIT + 1024);
    const request = new Request(`${BASE}/v1/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamed(text) });
    expect(request.headers.get('content-length')).toBeNull();
    const res = await call(request);
    const { body, where } = await expectErrorShape(res, 'bulk streamed');
    expect(res.status, where).toBe(413);
    expect(body.error.code, where).toBe('payload_too_large');
  });

  describe('defaultBodyLimit(): the 16 KiB cap for routes without their own', () => {
    // Mounted on a bare app with the Worker's error mapper, so the middleware is tested on its own.
    const app = new Hono<AppEnv>();
    app.use('*', requestId());
    app.use('*', defaultBodyLimit());
    app.all('*', async (c) => c.json({ read: (await c.req.text()).length }));
    app.onError(onError);
    const send = (method: string, path: string, body: string | ReadableStream) =>
      app.request(path, { method, body, headers: { 'content-type': 'application/json' } });

    it.each(['PUT', 'POST', 'DELETE', 'PATCH'])('%s /logging/level over 16 KiB is 413 payload_too_large', async (method) => {
      const res = await send(method, '/logging/level', 'x'.repeat(SYNC_LIMIT + 1));
      const { body, where } = await expectErrorShape(res, method);
      expect(res.status, where).toBe(413);
      expect(body.error.code, where).toBe('payload_too_large');
    });

    it('counts a streamed body too', async () => {
      const res = await send('PUT', '/admin/keys', streamed('x'.repeat(SYNC_LIMIT + 1)));
      expect(res.status).toBe(413);
    });

    it('lets 16 KiB through, and leaves routes with their own cap alone', async () => {
      expect(await (await send('PUT', '/logging/level', 'x'.repeat(SYNC_LIMIT))).json()).toEqual({ read: SYNC_LIMIT });
      for (const path of ['/v1/bulk', '/lahiri/natal', '/batch/calculate', '/internal/bulk/chunk']) {
        const res = await send('POST', path, 'x'.repeat(SYNC_LIMIT + 1));
        expect(res.status, path).toBe(200);
      }
    });
  });
});

describe('strict schemas: unknown fields are named', () => {
  const detailPaths = (body: any): string[] => (body.error?.details ?? body.details ?? []).map((d: { path: string }) => d.path);
  const detailFor = (body: any, path: string): string => (body.error?.details ?? body.details).find((d: { path: string }) => d.path === path)?.message;

  it.each([
    ['/v1/charts/natal', {}],
    ['/v1/charts/divisional', {}],
    ['/v1/charts/divisional/D9', {}],
    ['/v1/transits', { at: '2026-01-01T00:00:00Z' }],
  ])('POST %s with `latitute` is 422 naming the field and the likely intent', async (path, extra) => {
    const res = await post(path, { ...NATAL, ...extra, latitute: 13 });
    const { body, where } = await expectErrorShape(res, path);
    expect(res.status, where).toBe(422);
    expect(body.error.code, where).toBe('validation_error');
    expect(detailFor(body, 'latitute'), where).toBe("unknown field 'latitute'; did you mean 'latitude'?");
  });

  it.each(['/v1/charts/natal', '/v1/charts/divisional/D9'])('GET %s with `?latitute=` is 422 naming it', async (path) => {
    const qs = new URLSearchParams({ ...NATAL, latitude: '13', longitude: '80', latitute: '13' });
    const res = await get(`${path}?${qs}`);
    const { body, where } = await expectErrorShape(res, path);
    expect(res.status, where).toBe(422);
    expect(detailPaths(body), where).toContain('latitute');
  });

  it('POST /v1/bulk: an unknown top-level field is named', async () => {
    const res = await post('/v1/bulk', { items: [{ id: 'a', type: 'natal', input: NATAL }], itemz: [] });
    const { body, where } = await expectErrorShape(res, 'bulk');
    expect(res.status, where).toBe(422);
    expect(detailFor(body, 'itemz'), where).toBe("unknown field 'itemz'; did you mean 'items'?");
  });

  it('POST /v1/bulk: unknown fields in an item and in its input are each named', async () => {
    const res = await post('/v1/bulk', { items: [{ id: 'a', type: 'natal', input: { ...NATAL, latitute: 1 }, tpye: 'natal' }] });
    const { body, where } = await expectErrorShape(res, 'bulk');
    expect(res.status, where).toBe(422);
    expect(detailPaths(body), where).toEqual(expect.arrayContaining(['items.0.tpye', 'items.0.input.latitute']));
    expect(detailFor(body, 'items.0.input.latitute'), where).toBe("unknown field 'latitute'; did you mean 'latitude'?");
  });

  it('GET /v1/bulk/{id}/results refuses unknown query parameters', async () => {
    const res = await get('/v1/bulk/nope/results?limt=10');
    const { body, where } = await expectErrorShape(res, 'results');
    expect([404, 422], where).toContain(res.status);
    if (res.status === 422) expect(detailPaths(body), where).toContain('limt');
  });

  it.each(['/lahiri/natal', '/raman/navamsha_d9', '/lahiri/transit', '/raman/shodasha_varga_signs'])(
    'POST %s with a misspelt field is 400 in the old shape, naming it',
    async (path) => {
      const res = await post(path, { ...LEGACY, latitute: 28.6 });
      const { body, where } = await expectLegacyErrorShape(res, path);
      expect(res.status, where).toBe(400);
      expect(body.code, where).toBe('validation_error');
      expect(detailFor(body, 'latitute'), where).toBe("unknown field 'latitute'; did you mean 'latitude'?");
    },
  );

  it('an old request whose field is misspelt (so missing) names both the missing field and the typo', async () => {
    const { latitude: _l, ...rest } = LEGACY;
    const res = await post('/lahiri/natal', { ...rest, Latitude: 28.6 });
    const { body, where } = await expectLegacyErrorShape(res, 'missing + typo');
    expect(res.status, where).toBe(400);
    expect(detailPaths(body), where).toEqual(expect.arrayContaining(['latitude', 'Latitude']));
  });

  it('old routes still ignore extras that are not near misses, as the old service did', async () => {
    const res = await post('/lahiri/natal', { ...LEGACY, place: 'New Delhi', gender: 'f' });
    expect(res.status).toBe(200);
  });

  it('POST /batch/calculate names a misspelt field in the item that has it (the others are answered)', async () => {
    const res = await post('/batch/calculate', { requests: [{ type: 'natal', data: LEGACY }, { type: 'navamsa', tpye: 'natal', data: { ...LEGACY, latitute: 1 } }] });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.results.map((r: any) => r.status)).toEqual(['success', 'failed']);
    expect(detailPaths(body.results[1].error)).toContain('tpye');
    const data = await post('/batch/calculate', { requests: [{ type: 'navamsa', data: { ...LEGACY, latitute: 1 } }] });
    expect(detailPaths(((await data.json()) as any).results[0].error)).toContain('data.latitute');
  });
});

describe('bounded strings, lists and error bodies', () => {
  it('a very long unknown key is echoed cut to 64 characters', async () => {
    const key = 'k'.repeat(5000);
    const res = await post('/v1/charts/natal', { ...NATAL, [key]: 1 });
    const { body, text, where } = await expectErrorShape(res, 'long key');
    expect(res.status, where).toBe(422);
    expect(body.error.details[0].path, where).toBe(`${'k'.repeat(64)}…`);
    expect(text.length, where).toBeLessThan(1000);
  });

  it('thousands of unknown keys give a bounded list of details that says how many more', async () => {
    const junk = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`f${i}`, 0]));
    const res = await post('/v1/charts/natal', { ...NATAL, ...junk });
    const { body, where } = await expectErrorShape(res, 'many keys');
    expect(res.status, where).toBe(422);
    expect(body.error.details).toHaveLength(50);
    expect(body.error.details[49], where).toEqual({ path: '', message: 'and 1451 more problems (only the first 49 are listed)' });
  });

  it('a bulk item stuffed with unknown keys lists at most 20 of its errors', async () => {
    const junk = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, 0]));
    const res = await post('/v1/bulk', { items: [{ id: 'a', type: 'natal', input: { ...NATAL, ...junk } }] });
    const { where } = await expectErrorShape(res.clone(), 'bulk many keys');
    const body: any = await res.json();
    expect(res.status, where).toBe(422);
    expect(body.items[0].errors).toHaveLength(20);
    expect(body.items[0].errors[19].message, where).toMatch(/^and 281 more problems in this item/);
  });

  it('`methods` takes at most one entry per division', async () => {
    const methods = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`D${i + 100}`, 'x']));
    const res = await post('/v1/charts/divisional', { ...NATAL, methods });
    const { body, where } = await expectErrorShape(res, 'methods');
    expect(res.status, where).toBe(422);
    expect(body.error.details.map((d: { path: string }) => d.path), where).toContain('methods');
  });

  it('a 33-character number in a query string is refused before it is parsed', async () => {
    const qs = new URLSearchParams({ ...NATAL, latitude: `1${'0'.repeat(32)}`, longitude: '80' });
    const res = await get(`/v1/charts/natal?${qs}`);
    const { body, where } = await expectErrorShape(res, 'long number');
    expect(res.status, where).toBe(422);
    expect(body.error.details[0].path, where).toBe('latitude');
  });

  it('an old route refuses a numeric string longer than 32 characters', async () => {
    const res = await post('/lahiri/natal', { ...LEGACY, latitude: `1${'0'.repeat(40)}` });
    const { body, where } = await expectLegacyErrorShape(res, 'legacy long number');
    expect(res.status, where).toBe(400);
    expect(body.details.map((d: { path: string }) => d.path), where).toContain('latitude');
  });
});

describe('CORS', () => {
  const ORIGINS = { CORS_ORIGINS: 'https://app.example.com, https://Admin.Example.com/' };
  const preflight = (origin: string, path = '/v1/charts/natal', requestHeaders = 'content-type, authorization') =>
    new Request(`${BASE}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
    });
  const list = (value: string | null) => (value ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean);

  it('parses CORS_ORIGINS: origins normalised, `*` for any, junk ignored and reported', () => {
    const policy = parseCorsOrigins(' https://App.example.com/ ,, *, app.example.org, https://x.test/path, null ');
    expect(policy.any).toBe(true);
    expect([...policy.origins]).toEqual(['https://app.example.com']);
    expect(policy.rejected).toEqual(['app.example.org', 'https://x.test/path', 'null']);
    expect(parseCorsOrigins(undefined)).toEqual({ any: false, origins: new Set(), rejected: [] });
  });

  it('a preflight from a listed origin is 204 with the origin, methods, headers and max-age', async () => {
    for (const origin of ['https://app.example.com', 'https://admin.example.com']) {
      const res = await call(preflight(origin), ORIGINS);
      expect(res.status, origin).toBe(204);
      expect(await res.text()).toBe('');
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(list(res.headers.get('access-control-allow-methods'))).toEqual(expect.arrayContaining(['get', 'post', 'put', 'delete']));
      expect(list(res.headers.get('access-control-allow-headers'))).toEqual(CORS_ALLOWED_HEADERS.map((h) => h.toLowerCase()));
      expect(res.headers.get('access-control-max-age')).toBe(String(CORS_MAX_AGE_SEC));
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(list(res.headers.get('vary'))).toContain('origin');
    }
  });

  it('a preflight from any other origin is 403 cors_origin_denied, without Access-Control-Allow-Origin', async () => {
    for (const origin of ['https://evil.example', 'http://app.example.com', 'https://app.example.com.evil.example', 'null']) {
      const res = await call(preflight(origin), ORIGINS);
      const { body, where } = await expectErrorShape(res, origin);
      expect(res.status, where).toBe(403);
      expect(body.error.code, where).toBe('cors_origin_denied');
      expect(res.headers.get('access-control-allow-origin'), where).toBeNull();
      expect(list(res.headers.get('vary')), where).toContain('origin');
    }
  });

  it('a denied preflight on an old route answers in the old error shape', async () => {
    const res = await call(preflight('https://evil.example', '/lahiri/natal'), ORIGINS);
    const { body, where } = await expectLegacyErrorShape(res, 'legacy preflight');
    expect(res.status, where).toBe(403);
    expect(body.code, where).toBe('cors_origin_denied');
  });

  it('without CORS_ORIGINS no origin is allowed', async () => {
    const res = await call(preflight('https://app.example.com'), { CORS_ORIGINS: '' });
    const { body } = await expectErrorShape(res, 'unset');
    expect(res.status).toBe(403);
    expect(body.error.code).toBe('cors_origin_denied');
  });

  it('a request from a listed origin carries the origin and the exposed headers, errors included', async () => {
    const ok = await post('/v1/charts/natal', NATAL, { origin: 'https://app.example.com' }, ORIGINS);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(list(ok.headers.get('access-control-expose-headers'))).toEqual(CORS_EXPOSED_HEADERS.map((h) => h.toLowerCase()));
    expect(list(ok.headers.get('vary'))).toContain('origin');

    // The page must be able to read why it was refused.
    const bad = await post('/v1/charts/natal', { ...NATAL, latitude: 99 }, { origin: 'https://app.example.com' }, ORIGINS);
    expect(bad.status).toBe(422);
    expect(bad.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('a request from another origin is served without CORS headers (the browser withholds it)', async () => {
    const res = await post('/v1/charts/natal', NATAL, { origin: 'https://evil.example' }, ORIGINS);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toBeNull();
    expect(list(res.headers.get('vary'))).toContain('origin');
  });

  it('CORS_ORIGINS=* allows every origin with `*`', async () => {
    const pre = await call(preflight('https://anyone.example'), { CORS_ORIGINS: '*' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const res = await get('/health', { origin: 'null' }, { CORS_ORIGINS: '*' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(list(res.headers.get('access-control-expose-headers'))).toContain('x-request-id');
  });

  it('a preflight needs no API key and is not rate limited', async () => {
    const strict = { ...ORIGINS, REQUIRE_API_KEY: 'true', RATE_LIMITS: '{"anonymous":{"requests":1,"windowSec":60}}' };
    for (let i = 0; i < 3; i++) {
      const res = await call(preflight('https://app.example.com', '/v1/charts/natal', 'x-api-key, content-type'), strict);
      expect(res.status).toBe(204);
    }
    const actual = await post('/v1/charts/natal', NATAL, { origin: 'https://app.example.com' }, strict);
    expect(actual.status).toBe(401);
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('a plain OPTIONS (no preflight headers) is an actual request: routed as any method, readable by the page', async () => {
    const res = await call(new Request(`${BASE}/v1/charts/natal`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }), ORIGINS);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const { body, where } = await expectErrorShape(res, 'plain OPTIONS');
    expect(res.status, where).toBe(405);
    expect(body.error.code, where).toBe('method_not_allowed');
  });
});

describe('security headers', () => {
  function expectSecurityHeaders(res: Response, label: string) {
    const h = (name: string) => res.headers.get(name);
    expect(h('x-content-type-options'), label).toBe('nosniff');
    expect(h('x-frame-options'), label).toBe('DENY');
    expect(h('referrer-policy'), label).toBe('no-referrer');
    expect(h('strict-transport-security'), label).toBe('max-age=31536000; includeSubDomains');
    expect(h('cross-origin-opener-policy'), label).toBe('same-origin');
    expect(h('cross-origin-resource-policy'), label).toBe('same-origin');
    expect(h('content-security-policy'), label).toMatch(/^default-src 'none';.*frame-ancestors 'none'/);
  }

  it('are on every kind of answer: 200, 304, 4xx, 413, 405, preflight', async () => {
    const ok = await post('/v1/charts/natal', NATAL);
    expect(ok.status).toBe(200);
    expectSecurityHeaders(ok, '200');
    expect(ok.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    const etag = ok.headers.get('etag')!;
    const notModified = await post('/v1/charts/natal', NATAL, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expectSecurityHeaders(notModified, '304');
    const answers = [
      await post('/v1/charts/natal', { ...NATAL, latitude: 'north' }),
      await post('/v1/charts/natal', paddedTo(NATAL, SYNC_LIMIT + 1)),
      await get('/v1/charts/natl'),
      await call(new Request(`${BASE}/v1/charts/natal`, { method: 'DELETE' })),
      await post('/lahiri/natal', { ...LEGACY, latitude: 123 }),
      await call(new Request(`${BASE}/v1/charts/natal`, { method: 'OPTIONS', headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' } }), { CORS_ORIGINS: 'https://a.example' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([422, 413, 404, 405, 400, 204]);
    answers.forEach((res, i) => expectSecurityHeaders(res, `answer ${i}`));
  });

  it('/docs gets a CSP its inline style satisfies (by hash), and has nothing else to load', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, '/docs');
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const styles = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]);
    expect(styles.length).toBeGreaterThan(0);
    for (const style of styles) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(style)));
      const hash = btoa(String.fromCharCode(...digest));
      expect(csp).toContain(`'sha256-${hash}'`);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|script-src/);
    // default-src 'none' blocks scripts, frames and external resources: the page must need none.
    expect(html).not.toMatch(/<script|<iframe|<link\b|<img\b|\sstyle=|\son[a-z]+=/i);
  });
});

describe('found by the fuzz test', () => {
  it('a signed QStash failure callback whose sourceBody is not base64 is 400 invalid_callback, not 500', async () => {
    const url = `${BASE}/internal/bulk/abandoned`;
    const body = JSON.stringify({ sourceBody: '!', status: 500, retried: 3, error: 'timeout' });
    const keys = { QSTASH_CURRENT_SIGNING_KEY: FUZZ_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY: `${FUZZ_SIGNING_KEY}_next` };
    const headers = { 'content-type': 'application/json', 'upstash-signature': await qstashSignature(url, body) };
    const res = await call(new Request(url, { method: 'POST', headers, body }), keys);
    const { body: error, where } = await expectErrorShape(res, 'abandoned');
    expect(res.status, where).toBe(400);
    expect(error.error.code, where).toBe('invalid_callback');
  });

  it('a query value without a name (`&=13.0878`) is refused, not silently dropped', async () => {
    const qs = new URLSearchParams({ ...NATAL, latitude: '13.0878', longitude: '80.2785' });
    const res = await get(`/v1/charts/natal?${qs}&=13.0878`);
    const { body, where } = await expectErrorShape(res, 'nameless');
    expect(res.status, where).toBe(422);
    expect(body.error.details, where).toEqual([{ path: '', message: 'a query parameter has a value but no name (`=…`)' }]);
    // Empty segments carry nothing and stay harmless.
    expect((await get(`/v1/charts/natal?${qs}&&`)).status).toBe(200);
  });

  it('a plain OPTIONS from an allowed origin carries Access-Control-Allow-Origin (see CORS above)', async () => {
    const res = await call(new Request(`${BASE}/health`, { method: 'OPTIONS', headers: { origin: 'https://a.example' } }), { CORS_ORIGINS: 'https://a.example' });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://a.example');
  });
});
