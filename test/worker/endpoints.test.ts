/**
 * The Worker's endpoints in workerd: health, the generated OpenAPI document and
 * docs page, request-id handling, and natal charts across every house system,
 * profile and ayanamsa, with internal consistency checks on each chart.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const BASE = 'https://api.test';

const CHENNAI_1996 = {
  datetime: '1996-12-07T10:34:00',
  timezone: 'Asia/Kolkata',
  latitude: 13.0878,
  longitude: 80.2785,
};

const AYANAMSAS = ['lahiri', 'raman', 'krishnamurti', 'yukteshwar', 'fagan_bradley', 'true_chitra'];
const HOUSE_SYSTEMS = ['whole_sign', 'equal', 'placidus', 'sripati', 'kp'];
const PLANETS = ['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu', 'Uranus', 'Neptune', 'Pluto'];
const SIGNS = [
  'Aries', 'Taurus', 'Gemini', 'Cancer', 'Leo', 'Virgo',
  'Libra', 'Scorpio', 'Sagittarius', 'Capricorn', 'Aquarius', 'Pisces',
];
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function natal(body: Record<string, unknown>): Promise<any> {
  const res = await post('/v1/charts/natal', body);
  const text = await res.text();
  expect(res.status, `${JSON.stringify(body)} → ${res.status} ${text.slice(0, 500)}`).toBe(200);
  return JSON.parse(text);
}

const norm = (deg: number) => ((deg % 360) + 360) % 360;

/** Structural and geometric consistency of one chart: houses, cusps and each planet's house. */
function expectConsistentChart(chart: any, houseSystem: string) {
  expect(chart.meta.houseSystem).toBe(houseSystem);
  expect(Object.keys(chart.planets)).toEqual(PLANETS);
  expect(chart.houses).toHaveLength(12);
  chart.houses.forEach((h: any, i: number) => {
    expect(h.house).toBe(i + 1);
    expect(h.cuspDeg).toBeGreaterThanOrEqual(0);
    expect(h.cuspDeg).toBeLessThan(360);
    expect(h.sign).toBe(SIGNS[Math.floor(h.cuspDeg / 30)]);
  });
  // The twelve houses tile the circle once.
  const totalWidth = chart.houses.reduce(
    (sum: number, h: any, i: number) => sum + norm(chart.houses[(i + 1) % 12].cuspDeg - h.cuspDeg),
    0,
  );
  expect(totalWidth).toBeCloseTo(360, 6);

  if (houseSystem === 'whole_sign') {
    // Cusp 1 is the start of the ascendant's sign; houses are consecutive signs.
    expect(chart.houses[0].cuspDeg).toBe(Math.floor(chart.ascendant.longitudeDeg / 30) * 30);
    chart.houses.forEach((h: any, i: number) => expect(norm(h.cuspDeg - chart.houses[0].cuspDeg)).toBeCloseTo(i * 30, 9));
  } else {
    // Every quadrant/equal system puts cusp 1 on the ascendant.
    expect(norm(chart.houses[0].cuspDeg - chart.ascendant.longitudeDeg + 180) - 180).toBeCloseTo(0, 6);
  }
  if (houseSystem === 'equal') {
    chart.houses.forEach((h: any, i: number) => expect(norm(h.cuspDeg - chart.houses[0].cuspDeg)).toBeCloseTo(i * 30, 6));
  }

  for (const name of PLANETS) {
    const p = chart.planets[name];
    const where = `${houseSystem}: ${name} at ${p.longitudeDeg} in house ${p.house}; cusps ${chart.houses.map((h: any) => h.cuspDeg.toFixed(4)).join(', ')}`;
    expect(Number.isInteger(p.house), where).toBe(true);
    expect(p.house, where).toBeGreaterThanOrEqual(1);
    expect(p.house, where).toBeLessThanOrEqual(12);
    expect(p.longitudeDeg, where).toBeGreaterThanOrEqual(0);
    expect(p.longitudeDeg, where).toBeLessThan(360);
    const start = chart.houses[p.house - 1].cuspDeg;
    const end = chart.houses[p.house % 12].cuspDeg;
    // The planet lies in [cusp of its house, cusp of the next house), going round the zodiac.
    expect(norm(p.longitudeDeg - start), where).toBeLessThan(norm(end - start));
    // Sign placement agrees with the longitude.
    expect(p.sign, where).toBe(SIGNS[Math.floor(p.longitudeDeg / 30)]);
    expect(p.degreeInSign, where).toBeCloseTo(p.longitudeDeg % 30, 9);
    expect(p.retrograde, where).toBe(p.speedDegPerDay < 0);
  }
  // Ketu is opposite Rahu; the Sun and Moon are never retrograde.
  expect(norm(chart.planets.Ketu.longitudeDeg - chart.planets.Rahu.longitudeDeg)).toBeCloseTo(180, 9);
  expect(chart.planets.Sun.retrograde).toBe(false);
  expect(chart.planets.Moon.retrograde).toBe(false);
}

describe('GET /health', () => {
  it('reports the engine and both Swiss files loaded', async () => {
    const res = await SELF.fetch(`${BASE}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toMatch(SANE_REQUEST_ID);
    const health = (await res.json()) as any;
    expect(health.status).toBe('ok');
    expect(health.engine.library).toBe('Swiss Ephemeris');
    expect(health.engine.version).toBe('2.10.03');
    expect(health.engine.label).toContain('swisseph/2.10.03');
    expect(health.ephemeris.swissFilesLoaded).toBe(true);
    expect(health.ephemeris.files).toHaveLength(2);
    expect(health.ephemeris.files.map((f: any) => f.name).sort()).toEqual(['semo_18.se1', 'sepl_18.se1']);
    for (const f of health.ephemeris.files) expect(f, f.name).toMatchObject({ loaded: true });
    expect(health.ephemeris.range).toEqual({ fromUtc: '1800-01-01T00:00:00Z', toUtc: '2399-12-31T23:59:59Z' });
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const res = await SELF.fetch(`${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();

    const natalPath = doc.paths['/v1/charts/natal'];
    expect(natalPath).toBeDefined();
    expect(natalPath.post).toBeDefined();
    expect(natalPath.get).toBeDefined();
    expect(doc.paths['/health']?.get).toBeDefined();

    // POST: the JSON body is the ChartRequest component; errors use the Error component.
    expect(natalPath.post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ChartRequest');
    expect(natalPath.post.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/NatalChart');
    for (const status of ['400', '413', '415', '422']) {
      expect(natalPath.post.responses[status]?.content['application/json'].schema.$ref, status).toBe('#/components/schemas/Error');
    }

    // GET: every request field is a query parameter; the required ones are marked.
    const params = natalPath.get.parameters as Array<{ name: string; in: string; required?: boolean }>;
    const names = params.map((p) => p.name);
    for (const field of ['datetime', 'timezone', 'utcOffset', 'latitude', 'longitude', 'ayanamsa', 'node', 'houseSystem', 'profile']) {
      expect(names, field).toContain(field);
    }
    for (const p of params) expect(p.in).toBe('query');
    const required = params.filter((p) => p.required).map((p) => p.name).sort();
    expect(required).toEqual(['datetime', 'latitude', 'longitude']);

    const schemas = doc.components.schemas;
    for (const name of ['ChartRequest', 'NatalChart', 'Error']) expect(schemas[name], name).toBeDefined();

    const chartRequest = schemas.ChartRequest;
    expect(chartRequest.type).toBe('object');
    expect(chartRequest.properties.ayanamsa.enum).toEqual(AYANAMSAS);
    expect(chartRequest.properties.houseSystem.enum).toEqual(HOUSE_SYSTEMS);
    expect(chartRequest.properties.node.enum).toEqual(['mean', 'true']);
    expect(chartRequest.properties.profile.enum).toEqual(['default', 'jhora']);
    expect(chartRequest.properties.latitude).toMatchObject({ type: 'number', minimum: -90, maximum: 90 });
    expect(chartRequest.properties.longitude).toMatchObject({ type: 'number', minimum: -180, maximum: 180 });
    expect([...chartRequest.required].sort()).toEqual(['datetime', 'latitude', 'longitude']);
    // Strict: unknown fields are refused, and the document says so.
    expect(chartRequest.additionalProperties).toBe(false);

    expect(schemas.Error.properties.error.properties.code.type).toBe('string');
    expect(schemas.Error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message', 'requestId']));
  });
});

describe('GET /docs', () => {
  it('is a self-contained HTML page describing the natal endpoint and its fields', async () => {
    const res = await SELF.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('/v1/charts/natal');
    expect(page).toContain('/openapi.json');
    for (const field of ['datetime', 'timezone', 'utcOffset', 'latitude', 'longitude', 'ayanamsa', 'node', 'houseSystem', 'profile']) {
      expect(page, field).toContain(field);
    }
    for (const ayanamsa of AYANAMSAS) expect(page, ayanamsa).toContain(ayanamsa);
    // No external assets.
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/i);
  });
});

describe('X-Request-Id', () => {
  it('echoes a sane client id on success', async () => {
    const res = await SELF.fetch(`${BASE}/health`, { headers: { 'x-request-id': 'client-req_42:a.b' } });
    expect(res.headers.get('x-request-id')).toBe('client-req_42:a.b');
  });

  it('echoes a sane client id in the header and in the error body', async () => {
    const id = 'trace-7f3a.91:xyz';
    const res = await post('/v1/charts/natal', { ...CHENNAI_1996, latitude: 99 }, { 'x-request-id': id });
    expect(res.status).toBe(422);
    expect(res.headers.get('x-request-id')).toBe(id);
    const body = (await res.json()) as any;
    expect(body.error.requestId).toBe(id);
  });

  it('echoes an id of exactly 128 sane characters', async () => {
    const id = 'a'.repeat(128);
    const res = await SELF.fetch(`${BASE}/nope`, { headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
    expect(((await res.json()) as any).error.requestId).toBe(id);
  });

  it.each([
    ['300 characters', 'a'.repeat(300)],
    ['129 characters', 'b'.repeat(129)],
    ['markup', '<script>alert(1)</script>'],
    ['spaces', 'my request id'],
    ['quotes and braces', '"}],"x":{"'],
    ['semicolons and parentheses', 'id;(drop)'],
  ])('replaces an insane client id (%s) with a generated one', async (_label, id) => {
    const res = await post('/v1/charts/natal', { ...CHENNAI_1996, latitude: 99 }, { 'x-request-id': id });
    expect(res.status).toBe(422);
    const header = res.headers.get('x-request-id');
    expect(header).toBeTruthy();
    expect(header).not.toBe(id);
    expect(header).toMatch(SANE_REQUEST_ID);
    const body = (await res.json()) as any;
    expect(body.error.requestId).toBe(header);
    expect(JSON.stringify(body)).not.toContain('<script>');
  });

  it('generates a fresh id per request when none is sent', async () => {
    const [a, b] = await Promise.all([SELF.fetch(`${BASE}/health`), SELF.fetch(`${BASE}/health`)]);
    const idA = a.headers.get('x-request-id');
    const idB = b.headers.get('x-request-id');
    expect(idA).toMatch(SANE_REQUEST_ID);
    expect(idB).toMatch(SANE_REQUEST_ID);
    expect(idA).not.toBe(idB);
  });
});

describe('natal charts: house systems and profiles', () => {
  it.each(HOUSE_SYSTEMS)('houseSystem %s: 12 houses and every planet inside its house', async (houseSystem) => {
    const chart = await natal({ ...CHENNAI_1996, houseSystem });
    expect(chart.meta).toMatchObject({ houseSystem, profile: 'default', ayanamsa: 'lahiri', ephemeris: 'swiss' });
    expectConsistentChart(chart, houseSystem);
  });

  it('kp uses Placidus cusps', async () => {
    const [kp, placidus] = await Promise.all([
      natal({ ...CHENNAI_1996, houseSystem: 'kp' }),
      natal({ ...CHENNAI_1996, houseSystem: 'placidus' }),
    ]);
    expect(kp.houses).toEqual(placidus.houses);
  });

  it.each(HOUSE_SYSTEMS)('profile jhora with houseSystem %s: 12 houses and every planet inside its house', async (houseSystem) => {
    const chart = await natal({ ...CHENNAI_1996, profile: 'jhora', houseSystem });
    expect(chart.meta).toMatchObject({ profile: 'jhora', houseSystem });
    expectConsistentChart(chart, houseSystem);
  });

  it('profile jhora differs from default only slightly (true geometric positions, no nutation)', async () => {
    const [jhora, standard] = await Promise.all([natal({ ...CHENNAI_1996, profile: 'jhora' }), natal(CHENNAI_1996)]);
    // Aberration (~20″) and light time: arcseconds for the Sun, never degrees.
    const sunDiff = Math.abs(norm(jhora.planets.Sun.longitudeDeg - standard.planets.Sun.longitudeDeg + 180) - 180);
    expect(sunDiff).toBeGreaterThan(0);
    expect(sunDiff).toBeLessThan(0.05);
    // Ascendant and cusps keep the ordinary calculation in every profile.
    expect(jhora.houses).toEqual(standard.houses);
    expect(jhora.ascendant.longitudeDeg).toBeCloseTo(standard.ascendant.longitudeDeg, 9);
  });

  it('node true differs from mean by at most a couple of degrees', async () => {
    const [mean, trueNode] = await Promise.all([natal(CHENNAI_1996), natal({ ...CHENNAI_1996, node: 'true' })]);
    expect(trueNode.meta.node).toBe('true');
    const d = Math.abs(norm(trueNode.planets.Rahu.longitudeDeg - mean.planets.Rahu.longitudeDeg + 180) - 180);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(2.5);
    expectConsistentChart(trueNode, 'whole_sign');
  });
});

describe('natal charts: ayanamsas', () => {
  it.each(AYANAMSAS)('ayanamsa %s is echoed with a plausible value for 1996', async (ayanamsa) => {
    const chart = await natal({ ...CHENNAI_1996, ayanamsa });
    expect(chart.meta.ayanamsa).toBe(ayanamsa);
    expect(chart.meta.ayanamsaDeg).toBeGreaterThan(20);
    expect(chart.meta.ayanamsaDeg).toBeLessThan(26);
    expectConsistentChart(chart, 'whole_sign');
  });

  it('orders and places the ayanamsas as expected; sidereal + ayanamsa is the same tropical longitude', async () => {
    const charts = Object.fromEntries(
      await Promise.all(AYANAMSAS.map(async (a) => [a, await natal({ ...CHENNAI_1996, ayanamsa: a })] as const)),
    );
    const aya = (a: string) => charts[a].meta.ayanamsaDeg as number;
    expect(aya('lahiri')).toBeCloseTo(23.81, 1);
    expect(aya('fagan_bradley')).toBeCloseTo(24.7, 1);
    expect(aya('lahiri')).toBeLessThan(aya('fagan_bradley'));
    expect(aya('krishnamurti')).toBeLessThan(aya('lahiri'));
    expect(aya('raman')).toBeLessThan(aya('lahiri'));
    // Lahiri is defined so that Spica sits near 180°: true_chitra is within a few arcminutes.
    expect(Math.abs(aya('true_chitra') - aya('lahiri'))).toBeLessThan(0.1);

    const tropicalSun = (a: string) => norm(charts[a].planets.Sun.longitudeDeg + aya(a));
    for (const a of AYANAMSAS) expect(tropicalSun(a), a).toBeCloseTo(tropicalSun('lahiri'), 6);
  });
});

describe('natal charts: historical time and ephemeris range', () => {
  it('echoes an explicit local-mean-time offset (Kolkata, 1890, +05:21:10)', async () => {
    const chart = await natal({ datetime: '1890-06-15T12:00:00', utcOffset: '+05:21:10', latitude: 22.5726, longitude: 88.3639 });
    expect(chart.meta).toMatchObject({ utcOffset: '+05:21:10', utc: '1890-06-15T06:38:50Z', timezone: null, ephemeris: 'swiss' });
    expectConsistentChart(chart, 'whole_sign');
  });

  it('derives the same +05:21:10 from the Asia/Kolkata history in 1890', async () => {
    const chart = await natal({ datetime: '1890-06-15T12:00:00', timezone: 'Asia/Kolkata', latitude: 22.5726, longitude: 88.3639 });
    expect(chart.meta).toMatchObject({ utcOffset: '+05:21:10', utc: '1890-06-15T06:38:50Z', timezone: 'Asia/Kolkata' });
  });

  it('reports meta.ephemeris "moshier" for 1750, outside the bundled files', async () => {
    const chart = await natal({ datetime: '1750-03-21T12:00:00Z', latitude: 51.4779, longitude: -0.0015 });
    expect(chart.meta).toMatchObject({ ephemeris: 'moshier', utc: '1750-03-21T12:00:00Z', utcOffset: '+00:00' });
    expect(chart.meta.ayanamsaDeg).toBeGreaterThan(19);
    expect(chart.meta.ayanamsaDeg).toBeLessThan(21);
    expectConsistentChart(chart, 'whole_sign');
  });

  it('reports "swiss" at the edges of the bundled range', async () => {
    const early = await natal({ datetime: '1800-01-02T00:00:00Z', latitude: 0, longitude: 0 });
    const late = await natal({ datetime: '2399-12-30T00:00:00Z', latitude: 0, longitude: 0 });
    expect(early.meta.ephemeris).toBe('swiss');
    expect(late.meta.ephemeris).toBe('swiss');
  });

  it('keeps fractional seconds in meta.utc', async () => {
    const chart = await natal({ ...CHENNAI_1996, datetime: '1996-12-07T10:34:00.250' });
    expect(chart.meta.utc).toBe('1996-12-07T05:04:00.250Z');
  });
});

describe('natal charts: edge values inside the contract are answered, never a 500', () => {
  it.each([
    ['north pole, whole_sign', { ...CHENNAI_1996, latitude: 90 }],
    ['south pole, equal', { ...CHENNAI_1996, latitude: -90, houseSystem: 'equal' }],
    ['north pole, sripati', { ...CHENNAI_1996, latitude: 90, houseSystem: 'sripati' }],
    ['equator, placidus', { ...CHENNAI_1996, latitude: 0, houseSystem: 'placidus' }],
    ['longitude +180', { ...CHENNAI_1996, longitude: 180 }],
    ['longitude -180', { ...CHENNAI_1996, longitude: -180 }],
    ['first supported instant, +14:00', { datetime: '1000-01-01T00:00:00', utcOffset: '+14:00', latitude: 0, longitude: 0 }],
    ['last supported instant, -14:00', { datetime: '2999-12-31T23:59:59.999', utcOffset: '-14:00', latitude: 0, longitude: 0 }],
    ['leap day 2024-02-29', { ...CHENNAI_1996, datetime: '2024-02-29T23:59' }],
    ['Etc/GMT+5 (a real zone with a sign)', { ...CHENNAI_1996, timezone: 'Etc/GMT+5' }],
  ])('%s', async (_label, body) => {
    const res = await post('/v1/charts/natal', body);
    const text = await res.text();
    expect(res.status, text.slice(0, 500)).toBe(200);
    const chart = JSON.parse(text);
    expect(chart.houses).toHaveLength(12);
    for (const name of PLANETS) expect(Number.isFinite(chart.planets[name].longitudeDeg), name).toBe(true);
    expect(Number.isFinite(chart.ascendant.longitudeDeg)).toBe(true);
  });
});
