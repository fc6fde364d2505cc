import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const CHENNAI_1996 = {
  datetime: '1996-12-07T10:34:00',
  timezone: 'Asia/Kolkata',
  latitude: 13.0878,
  longitude: 80.2785,
};

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`https://api.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('POST /v1/charts/natal in workerd', () => {
  it('returns the natal chart of the contract example with the Swiss files in use', async () => {
    const res = await post('/v1/charts/natal', CHENNAI_1996);
    expect(res.status).toBe(200);
    const chart = (await res.json()) as any;
    expect(chart.meta).toMatchObject({
      utc: '1996-12-07T05:04:00Z',
      utcOffset: '+05:30',
      timezone: 'Asia/Kolkata',
      ayanamsa: 'lahiri',
      node: 'mean',
      houseSystem: 'whole_sign',
      profile: 'default',
      ephemeris: 'swiss',
    });
    expect(chart.meta.jdUt).toBeCloseTo(2450424.7111111, 6);
    // swetest -b7.12.1996 -ut05:04 -p0 -sid1: Sun 231.5595° sidereal (Scorpio 21°33′).
    expect(chart.planets.Sun.longitudeDeg).toBeCloseTo(231.5595, 3);
    expect(chart.planets.Sun).toMatchObject({ sign: 'Scorpio', nakshatra: 'Jyeshtha', nakshatraLord: 'Mercury', retrograde: false });
    expect(chart.ascendant.sign).toBe('Capricorn');
    expect(chart.houses).toHaveLength(12);
    expect(chart.houses[0]).toEqual({ house: 1, sign: 'Capricorn', cuspDeg: 270 });
    expect(Object.keys(chart.planets)).toEqual([
      'Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu', 'Uranus', 'Neptune', 'Pluto',
    ]);
    expect(chart.planets.Rahu.retrograde).toBe(true);
    expect((chart.planets.Ketu.longitudeDeg - chart.planets.Rahu.longitudeDeg + 360) % 360).toBeCloseTo(180, 9);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers GET with the same fields as query parameters identically', async () => {
    const query = new URLSearchParams({ ...CHENNAI_1996, latitude: '13.0878', longitude: '80.2785' });
    const [viaGet, viaPost] = await Promise.all([
      SELF.fetch(`https://api.test/v1/charts/natal?${query}`).then((r) => r.json() as Promise<any>),
      post('/v1/charts/natal', CHENNAI_1996).then((r) => r.json() as Promise<any>),
    ]);
    expect(viaGet).toEqual(viaPost);
  });
});
