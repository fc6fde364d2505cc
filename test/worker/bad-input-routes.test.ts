/**
 * Bad input on the divisional, transit and old-service routes: the standard
 * error shape (4xx, stable code, field path) on /v1, and a 400 with an `error`
 * string on every old route. Never a 500.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { expectErrorShape } from './support';

const NATAL = { datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata', latitude: 13.0878, longitude: 80.2785 };

function post(path: string, body: unknown) {
  return SELF.fetch(`https://api.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface Case {
  name: string;
  path: string;
  body?: unknown;
  get?: string;
  status: number;
  code: string;
  field?: string;
}

const CASES: Case[] = [
  { name: 'unknown division 13', path: '/v1/charts/divisional/13', body: NATAL, status: 422, code: 'validation_error', field: 'division' },
  { name: 'division D09', path: '/v1/charts/divisional/D09', body: NATAL, status: 422, code: 'validation_error', field: 'division' },
  { name: 'division text', path: '/v1/charts/divisional/navamsa', body: NATAL, status: 422, code: 'validation_error', field: 'division' },
  { name: 'method the division lacks', path: '/v1/charts/divisional/D9', body: { ...NATAL, method: 'parivritti' }, status: 422, code: 'validation_error', field: 'method' },
  { name: 'method of the wrong type', path: '/v1/charts/divisional/D2', body: { ...NATAL, method: 2 }, status: 422, code: 'validation_error', field: 'method' },
  { name: 'natal field error on a varga', path: '/v1/charts/divisional/D9', body: { ...NATAL, latitude: 123 }, status: 422, code: 'validation_error', field: 'latitude' },
  { name: 'DST gap on a varga', path: '/v1/charts/divisional/D9', body: { ...NATAL, datetime: '2021-03-14T02:30:00', timezone: 'America/New_York' }, status: 422, code: 'nonexistent_local_time', field: 'datetime' },
  { name: 'GET varga with a typo', path: '/v1/charts/divisional/D9', get: 'datetime=1996-12-07T10:34:00&timezone=Asia/Kolkata&latitude=13&longitud=80', status: 422, code: 'validation_error', field: 'longitud' },
  { name: 'unknown division in a list', path: '/v1/charts/divisional', body: { ...NATAL, divisions: ['D9', 'D13'] }, status: 422, code: 'validation_error', field: 'divisions.1' },
  { name: 'empty division list', path: '/v1/charts/divisional', body: { ...NATAL, divisions: [] }, status: 422, code: 'validation_error', field: 'divisions' },
  { name: 'divisions not a list', path: '/v1/charts/divisional', body: { ...NATAL, divisions: 'D9' }, status: 422, code: 'validation_error', field: 'divisions' },
  { name: 'methods for a division not requested', path: '/v1/charts/divisional', body: { ...NATAL, divisions: ['D9'], methods: { D2: 'parivritti' } }, status: 422, code: 'validation_error', field: 'methods.D2' },
  { name: 'methods with an unknown method', path: '/v1/charts/divisional', body: { ...NATAL, methods: { D2: 'somanatha' } }, status: 422, code: 'validation_error', field: 'methods.D2' },
  { name: 'method no requested division offers', path: '/v1/charts/divisional', body: { ...NATAL, divisions: ['D9', 'D10'], method: 'parivritti' }, status: 422, code: 'validation_error', field: 'method' },
  { name: 'unknown field on many', path: '/v1/charts/divisional', body: { ...NATAL, division: ['D9'] }, status: 422, code: 'validation_error', field: 'division' },
  { name: 'at without an offset', path: '/v1/transits', body: { ...NATAL, at: '2026-01-01T00:00:00' }, status: 422, code: 'invalid_instant', field: 'at' },
  { name: 'at impossible', path: '/v1/transits', body: { ...NATAL, at: '2026-02-30T00:00:00Z' }, status: 422, code: 'invalid_datetime', field: 'at' },
  { name: 'at of the wrong type', path: '/v1/transits', body: { ...NATAL, at: 1767225600 }, status: 422, code: 'validation_error', field: 'at' },
  { name: 'at garbage', path: '/v1/transits', body: { ...NATAL, at: 'tomorrow' }, status: 422, code: 'invalid_instant', field: 'at' },
  { name: 'transit without timezone', path: '/v1/transits', body: { datetime: NATAL.datetime, latitude: 1, longitude: 2 }, status: 422, code: 'missing_timezone', field: 'timezone' },
  { name: 'transit malformed JSON', path: '/v1/transits', body: '{"datetime":', status: 400, code: 'invalid_json' },
];

describe('bad input on /v1 divisional and transit routes', () => {
  it.each(CASES)('$name → $status $code', async (c) => {
    const res = c.get !== undefined ? await SELF.fetch(`https://api.test${c.path}?${c.get}`) : await post(c.path, c.body);
    const { body, where } = await expectErrorShape(res, c.name);
    expect(res.status, where).toBe(c.status);
    expect(body.error.code, where).toBe(c.code);
    if (c.field) expect(body.error.details.map((d: { path: string }) => d.path), where).toContain(c.field);
  });
});

const LEGACY_ROUTES = [
  ...['natal', 'navamsa', 'calculate_d2_hora', 'calculate_d3', 'calculate_d4', 'calculate_d7_chart', 'calculate_d10', 'calculate_d12', 'calculate_d16', 'calculate_d20', 'calculate_d24', 'calculate_d27', 'calculate_d30', 'calculate_d40', 'calculate_d45', 'calculate_d60', 'transit', 'shodasha_varga_summary'].map((r) => `/lahiri/${r}`),
  ...['natal', 'navamsha_d9', 'calculate_d2_hora', 'calculate_d3_chart', 'calculate_d4', 'calculate_d7_chart', 'calculate_d10', 'calculate_d12', 'calculate_d16', 'calculate_d20', 'calculate_d24', 'calculate_d27_chart', 'calculate_d30_chart', 'calculate_d40', 'calculate_d45', 'calculate_d60', 'shodasha_varga_signs'].map((r) => `/raman/${r}`),
];

describe('bad input on every old-service route', () => {
  it.each(LEGACY_ROUTES)('%s: 400 with an error string for an impossible date, a missing field and malformed JSON', async (path) => {
    const good = { user_name: 'x', birth_date: '1990-05-15', birth_time: '14:30:00', latitude: 28.6, longitude: 77.2, timezone_offset: 5.5 };
    const { timezone_offset: _omit, ...missing } = good;
    for (const [body, code, field] of [
      [{ ...good, birth_date: '1990-02-30' }, 'invalid_datetime', 'datetime'],
      [missing, 'validation_error', 'timezone_offset'],
      ['{"birth_date":', 'invalid_json', undefined],
    ] as const) {
      const res = await post(path, body);
      const text = await res.text();
      const where = `${path}: ${res.status} ${text}`;
      expect(res.status, where).toBe(400);
      const parsed = JSON.parse(text);
      expect(parsed.error, where).toBeTypeOf('string');
      expect(parsed.code, where).toBe(code);
      expect(parsed.requestId, where).toBe(res.headers.get('x-request-id'));
      if (field) expect(parsed.details.map((d: { path: string }) => d.path), where).toContain(field);
      expect(text, where).not.toMatch(/\.ts:|node_modules|\n\s+at /);
    }
    const ok = await post(path, good);
    expect(ok.status).toBe(200);
  });
});
