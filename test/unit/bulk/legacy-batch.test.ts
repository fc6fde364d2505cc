/**
 * `POST /batch/calculate` in the old service's shape, in Node over the whole app: each item is
 * answered exactly as its old route answers (the same plan, compared with the single route), an
 * invalid item fails alone, a malformed envelope is the old 400, and the type table names only
 * routes that exist.
 */
import { describe, expect, it } from 'vitest';
import { LEGACY_BATCH_TYPES } from '../../../src/bulk/legacy-batch';
import { LEGACY_ROUTES } from '../../../src/routes/legacy';
import { post } from './support';

// Birth B of the old service's captures (/work/shared/old-service/README.md): shapes only.
const B = { user_name: 'B', birth_date: '1998-10-15', birth_time: '10:40:30', latitude: 17.385, longitude: 78.4867, timezone_offset: 5.5 };

describe('LEGACY_BATCH_TYPES', () => {
  it('names, for each type, a route that exists under that prefix; every chart route of the old lahiri table has a type', () => {
    for (const [type, routes] of Object.entries(LEGACY_BATCH_TYPES)) {
      for (const [ayanamsa, route] of Object.entries(routes)) {
        expect(LEGACY_ROUTES[ayanamsa as 'lahiri' | 'raman'], `${type} → /${ayanamsa}/${route}`).toHaveProperty(route!);
      }
      expect(routes.lahiri, `${type} has a lahiri route (the old batch's default)`).toBeDefined();
    }
    const covered = new Set(Object.values(LEGACY_BATCH_TYPES).map((r) => r.lahiri));
    const lahiriCharts = Object.entries(LEGACY_ROUTES.lahiri).filter(([, kind]) => kind.kind === 'chart' || kind.kind === 'transit').map(([name]) => name);
    expect(lahiriCharts.filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe('POST /batch/calculate', () => {
  it('answers every valid item as its old route does, fails each invalid one alone, in order', async () => {
    const requests = [
      { type: 'natal', data: B },
      { type: 'd9', data: B, ayanamsa: 'raman' },
      { type: 'hora', data: { ...B, latitude: '17.385' } }, // numeric strings, as Flask's float() took them
      { type: 'navamsa', data: { ...B, birth_date: '1998-02-30' } },
      { type: 'd11', data: B },
      'natal',
      { type: 'transit', data: B, ayanamsa: 'raman' },
      { type: 'd30', data: { ...B, latitute: 17.385 } },
      { tpye: 'natal', data: B },
      { type: 'transit', data: B },
    ];
    const res = await post('/batch/calculate', { requests });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body).toMatchObject({
      batch_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      total_requests: 10,
      successful: 4,
      failed: 6,
      processing_time: 'synchronous',
      rate_limit_impact: { items_in_batch: 10, requests_consumed: 10, note: expect.stringContaining('one request') },
    });
    expect(body.results.map((r: any) => [r.index, r.type, r.status])).toEqual([
      [0, 'natal', 'success'],
      [1, 'd9', 'success'],
      [2, 'hora', 'success'],
      [3, 'navamsa', 'failed'],
      [4, 'd11', 'failed'],
      [5, null, 'failed'],
      [6, 'transit', 'failed'],
      [7, 'd30', 'failed'],
      [8, null, 'failed'],
      [9, 'transit', 'success'],
    ]);
    const single = async (path: string, data: object) => (await post(path, data)).json();
    expect(body.results[0].data).toEqual(await single('/lahiri/natal', B));
    expect(body.results[1].data).toEqual(await single('/raman/navamsha_d9', B));
    expect(body.results[2].data).toEqual(await single('/lahiri/calculate_d2_hora', { ...B, latitude: '17.385' }));
    // A transit is "now": the natal part and the envelope keys are what the single route gives.
    const transit: any = await single('/lahiri/transit', B);
    expect(Object.keys(body.results[9].data).sort()).toEqual(Object.keys(transit).sort());
    expect(body.results[9].data.natal_ascendant).toEqual(transit.natal_ascendant);

    const errors = body.results.filter((r: any) => r.status === 'failed').map((r: any) => r.error);
    for (const e of errors) {
      expect(Object.keys(e).every((k) => ['message', 'type', 'details'].includes(k))).toBe(true);
      expect(e.type).toMatch(/^[a-z][a-z_]*$/);
      expect(e.message.length).toBeGreaterThan(10);
    }
    const [date, unknown, notObject, noRaman, misspelt, itemMisspelt] = errors;
    expect(date.details[0].path).toMatch(/^data\./);
    expect(unknown.message).toContain("unknown type 'd11'");
    expect(notObject.message).toContain('expected an object');
    expect(noRaman.message).toContain("type 'transit' has no raman route");
    expect(misspelt.details).toContainEqual({ path: 'data.latitute', message: expect.stringContaining("did you mean 'latitude'") });
    expect(itemMisspelt.details).toContainEqual({ path: 'tpye', message: expect.stringContaining("did you mean 'type'") });
  });

  it('a malformed envelope is the old 400 (error string, code, details, requestId)', async () => {
    const eleven = Array.from({ length: 11 }, () => ({ type: 'natal', data: B }));
    for (const [label, body] of [
      ['no requests', {}],
      ['empty', { requests: [] }],
      ['11 items', { requests: eleven }],
      ['requests not a list', { requests: { type: 'natal', data: B } }],
      ['not an object', [{ type: 'natal', data: B }]],
    ] as const) {
      const res = await post('/batch/calculate', body);
      expect(res.status, label).toBe(400);
      const error: any = await res.json();
      expect(error, label).toMatchObject({ error: expect.any(String), code: 'validation_error', requestId: expect.any(String) });
    }
  });
});
