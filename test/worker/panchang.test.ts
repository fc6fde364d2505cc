/** The panchang routes in workerd: shapes, GET = POST, polar days, bad input, caching, OpenAPI. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { expectErrorShape } from './support';

const MUMBAI_DAY = { date: '2023-10-22', timezone: 'Asia/Kolkata', latitude: 18.975, longitude: 72.8258 };

function post(path: string, body: unknown) {
  return SELF.fetch(`https://api.test${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('POST /v1/panchang', () => {
  it('answers the day with local ISO instants, the limbs and the muhurtas', async () => {
    const res = await post('/v1/panchang', MUMBAI_DAY);
    expect(res.status).toBe(200);
    const p = (await res.json()) as any;
    expect(p.meta).toMatchObject({ timezone: 'Asia/Kolkata', ayanamsa: 'lahiri', sunriseMode: 'hindu', profile: 'default' });
    expect(p.meta.methods.masa).toBeTypeOf('string');
    expect(p.sunrise).toMatch(/^2023-10-22T06:3\d:\d\d\+05:30$/);
    expect(p.polar).toBeNull();
    expect(p.vara).toEqual({ name: 'Ravivara', lord: 'Sun', weekday: 0 });
    // Bombay Samachar prints "આસો સુદ-૮ … ઉત્તરાષાઢા સાંજે ક. ૧૮-૪૩ સુધી" for this day (see test/unit/panchang/limbs.test.ts).
    expect(p.tithi).toMatchObject({ number: 8, name: 'Ashtami', paksha: 'Shukla' });
    expect(p.nakshatra).toMatchObject({ name: 'Uttara Ashadha', lord: 'Sun' });
    expect(p.nakshatra.endsAt).toMatch(/^2023-10-22T18:4[3-5]:\d\d\+05:30$/);
    expect(p.masa.amanta).toEqual({ number: 7, name: 'Ashvina', adhika: false });
    expect(p.transitions.map((t: any) => t.limb)).toContain('tithi');
    expect(p.muhurta.hora).toHaveLength(24);
    expect(p.muhurta.choghadiya.day).toHaveLength(8);
    expect(p.muhurta.rahuKaal.start < p.muhurta.rahuKaal.end).toBe(true);
    expect(p.samvat).toEqual({ vikram: 2080, shaka: 1945 });
  });

  it('GET with query parameters answers the same body; the second call is a cache hit', async () => {
    const q = new URLSearchParams({ ...MUMBAI_DAY, latitude: '18.975', longitude: '72.8258' });
    const viaGet = await SELF.fetch(`https://api.test/v1/panchang?${q}`);
    expect(viaGet.status).toBe(200);
    expect(viaGet.headers.get('cache-control')).toMatch(/max-age=2592000/);
    const again = await post('/v1/panchang', MUMBAI_DAY);
    expect(again.headers.get('x-cache')).toMatch(/^HIT/);
    expect(await viaGet.json()).toEqual(await again.json());
  });

  it('a polar night answers 200 with null sun times, a polar note and no muhurtas', async () => {
    const res = await post('/v1/panchang', { date: '2025-12-21', timezone: 'Europe/Oslo', latitude: 69.6492, longitude: 18.9553 });
    expect(res.status).toBe(200);
    const p = (await res.json()) as any;
    expect(p.sunrise).toBeNull();
    expect(p.sunset).toBeNull();
    expect(p.polar.kind).toBe('polar_night');
    expect(p.muhurta).toBeNull();
    expect(p.limbsAt).toBe('2025-12-21T06:00:00+01:00');
  });

  for (const [label, body, code, path] of [
    ['a date that does not exist', { ...MUMBAI_DAY, date: '2023-02-30' }, 'invalid_date', 'date'],
    ['a datetime instead of a date', { ...MUMBAI_DAY, date: '2023-10-22T06:00' }, 'invalid_date', 'date'],
    ['an unknown zone', { ...MUMBAI_DAY, timezone: 'Asia/Bombay2' }, 'unknown_timezone', 'timezone'],
    ['no zone or offset', { date: '2023-10-22', latitude: 1, longitude: 2 }, 'missing_timezone', 'timezone'],
    ['an unknown sunrise mode', { ...MUMBAI_DAY, sunriseMode: 'vedic' }, 'validation_error', 'sunriseMode'],
  ] as const) {
    it(`refuses ${label} with 422 ${code}`, async () => {
      const res = await post('/v1/panchang', body);
      expect(res.status).toBe(422);
      const { body: err } = await expectErrorShape(res, label);
      expect(err.error.code).toBe(code);
      expect(JSON.stringify(err.error.details ?? [{ path }])).toContain(path);
    });
  }
});

describe('POST /v1/panchang/calendar and /v1/panchang/lagna', () => {
  it('a month is one call: 30 compact days in order', async () => {
    const { date, ...rest } = MUMBAI_DAY;
    const res = await post('/v1/panchang/calendar', { ...rest, from: date, days: 30 });
    expect(res.status).toBe(200);
    const cal = (await res.json()) as any;
    expect(cal.days).toHaveLength(30);
    expect(cal.days[0].date).toBe('2023-10-22');
    expect(cal.days[29].date).toBe('2023-11-20');
    expect(cal.days[0].tithi.name).toBe('Ashtami');
    expect(cal.days[1].vara.weekday).toBe(1);
  });

  it('refuses 367 days', async () => {
    const res = await post('/v1/panchang/calendar', { from: '2023-10-22', timezone: 'Asia/Kolkata', latitude: 1, longitude: 2, days: 367 });
    expect(res.status).toBe(422);
    const { body } = await expectErrorShape(res, 'days 367');
    expect(body.error.details[0].path).toBe('days');
  });

  it('the lagna table covers the local day with contiguous signs in zodiac order', async () => {
    const res = await post('/v1/panchang/lagna', MUMBAI_DAY);
    expect(res.status).toBe(200);
    const t = (await res.json()) as any;
    expect(t.lagnas.length).toBeGreaterThanOrEqual(12);
    expect(t.lagnas[0].start).toBe('2023-10-22T00:00:00+05:30');
    expect(t.lagnas.at(-1).end).toBe('2023-10-23T00:00:00+05:30');
    for (let i = 1; i < t.lagnas.length; i++) expect(t.lagnas[i].start).toBe(t.lagnas[i - 1].end);
  });

  it('the OpenAPI document lists the three routes with their response schemas', async () => {
    const doc = (await (await SELF.fetch('https://api.test/openapi.json')).json()) as any;
    for (const p of ['/v1/panchang', '/v1/panchang/calendar', '/v1/panchang/lagna']) expect(doc.paths[p]?.post?.responses?.['200']).toBeDefined();
    expect(doc.components.schemas.Panchang.properties.muhurta).toBeDefined();
  });
});
