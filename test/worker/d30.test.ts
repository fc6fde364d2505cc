/**
 * D30 through the API: the default degree is (x·30) mod 30, as Jagannatha Hora
 * shows it, and `parashara_proportional` keeps the degree scaled inside the part.
 * Source: the standard chart of docs/jyotish-rules.md (1996-12-07 10:34 IST,
 * Chennai, `profile: "jhora"`): JHora shows the D30 ascendant at 13.37° and the
 * Sun at 16.96°, printed to 0.01°.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const STANDARD = { datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata', latitude: 13.0878, longitude: 80.2785, profile: 'jhora' };
/** Half of JHora's 0.01° display step. */
const maxDisplayDeg = 0.005;

async function d30(extra: Record<string, unknown>) {
  const res = await SELF.fetch('https://api.test/v1/charts/divisional/D30', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...STANDARD, ...extra }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { method: string; ascendant: { sign: string; degreeInSign: number }; planets: Record<string, { sign: string; degreeInSign: number }> };
}

describe('POST /v1/charts/divisional/D30', () => {
  it('defaults to parashara with the (x·30) mod 30 degree', async () => {
    const chart = await d30({});
    expect(chart.method).toBe('parashara');
    expect(Math.abs(chart.ascendant.degreeInSign - 13.37)).toBeLessThanOrEqual(maxDisplayDeg);
    expect(Math.abs(chart.planets.Sun.degreeInSign - 16.96)).toBeLessThanOrEqual(maxDisplayDeg);
  });

  it('offers parashara_proportional, echoed, same signs, degree scaled in the part', async () => {
    const [plain, scaled] = await Promise.all([d30({}), d30({ method: 'parashara_proportional' })]);
    expect(scaled.method).toBe('parashara_proportional');
    expect(scaled.ascendant.sign).toBe(plain.ascendant.sign);
    expect(scaled.planets.Sun.sign).toBe(plain.planets.Sun.sign);
    expect(Math.abs(scaled.ascendant.degreeInSign - 14.67)).toBeLessThanOrEqual(maxDisplayDeg);
    expect(Math.abs(scaled.planets.Sun.degreeInSign - 9.39)).toBeLessThanOrEqual(maxDisplayDeg);
  });

  it('lists the methods when an unknown one is asked for', async () => {
    const res = await SELF.fetch('https://api.test/v1/charts/divisional/D30', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...STANDARD, method: 'proportional' }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { path: string; message: string }[] } };
    expect(body.error.details[0]).toMatchObject({ path: 'method' });
    expect(body.error.details[0].message).toContain('parashara, parashara_proportional, parivritti');
  });
});
