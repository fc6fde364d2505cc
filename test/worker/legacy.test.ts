/**
 * The old Flask service's routes: same request body, same envelope, values from
 * the new engine. Reference values from Debian's swetest 2.10.03:
 *   swetest -edir/usr/share/libswe/ephe -b15.5.1990 -ut09:00:00 -p01t -sid1 -fPl -head
 *   swetest -edir/usr/share/libswe/ephe -b15.10.1998 -ut05:10:30 -p01t -sid1 -fPl -head -house78.4867,17.3850,W
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

const DELHI = { user_name: 'Delhi 1990', birth_date: '1990-05-15', birth_time: '14:30:00', latitude: 28.6139, longitude: 77.209, timezone_offset: 5.5 };
const HYDERABAD = { user_name: 'Hyderabad 1998', birth_date: '1998-10-15', birth_time: '10:40:30', latitude: 17.385, longitude: 78.4867, timezone_offset: 5.5 };
const BIRTHS = [DELHI, HYDERABAD];

const SIGNS = ['Aries', 'Taurus', 'Gemini', 'Cancer', 'Leo', 'Virgo', 'Libra', 'Scorpio', 'Sagittarius', 'Capricorn', 'Aquarius', 'Pisces'];
const GRAHAS = ['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu'];
const DMS = /^\d{1,2}° \d{1,2}' \d{1,2}\.\d{2}"$/;

/** Route → division, for both prefixes, as the old service named them. */
const CHART_ROUTES: Record<'lahiri' | 'raman', Record<string, number>> = {
  lahiri: {
    natal: 1, navamsa: 9, calculate_d2_hora: 2, calculate_d3: 3, calculate_d4: 4, calculate_d7_chart: 7, calculate_d10: 10,
    calculate_d12: 12, calculate_d16: 16, calculate_d20: 20, calculate_d24: 24, calculate_d27: 27, calculate_d30: 30,
    calculate_d40: 40, calculate_d45: 45, calculate_d60: 60,
  },
  raman: {
    natal: 1, navamsha_d9: 9, calculate_d2_hora: 2, calculate_d3_chart: 3, calculate_d4: 4, calculate_d7_chart: 7, calculate_d10: 10,
    calculate_d12: 12, calculate_d16: 16, calculate_d20: 20, calculate_d24: 24, calculate_d27_chart: 27, calculate_d30_chart: 30,
    calculate_d40: 40, calculate_d45: 45, calculate_d60: 60,
  },
};
const SHODASAVARGA = [1, 2, 3, 4, 7, 9, 10, 12, 16, 20, 24, 27, 30, 40, 45, 60];

async function post(path: string, body: unknown, contentType = 'application/json') {
  const res = await SELF.fetch(`https://api.test${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The same birth through the new API, as the old service computed it (true node, whole sign). */
function v1Request(birth: typeof DELHI, ayanamsa: 'lahiri' | 'raman') {
  const hours = Math.abs(birth.timezone_offset);
  const sign = birth.timezone_offset < 0 ? '-' : '+';
  const hh = String(Math.floor(hours)).padStart(2, '0');
  const mm = String(Math.round((hours % 1) * 60)).padStart(2, '0');
  return {
    datetime: `${birth.birth_date}T${birth.birth_time.length === 5 ? `${birth.birth_time}:00` : birth.birth_time}`,
    utcOffset: `${sign}${hh}:${mm}`,
    latitude: birth.latitude,
    longitude: birth.longitude,
    ayanamsa,
    node: 'true',
  };
}

function dms(deg: number): string {
  const hundredths = Math.round(deg * 360000);
  return `${Math.floor(hundredths / 360000)}° ${Math.floor((hundredths % 360000) / 6000)}' ${((hundredths % 6000) / 100).toFixed(2)}"`;
}

describe('old service: every chart route, two births', () => {
  for (const ayanamsa of ['lahiri', 'raman'] as const) {
    for (const [route, division] of Object.entries(CHART_ROUTES[ayanamsa])) {
      it.each(BIRTHS)(`/${ayanamsa}/${route} (D${division}) for $user_name matches /v1 and keeps the old envelope`, async (birth) => {
        const [old, fresh] = await Promise.all([
          post(`/${ayanamsa}/${route}`, birth),
          post(`/v1/charts/divisional/D${division}`, v1Request(birth, ayanamsa)),
        ]);
        expect(old.status).toBe(200);
        expect(fresh.status).toBe(200);
        expect(Object.keys(old.body).sort()).toEqual(['ascendant', 'birth_details', 'notes', 'planetary_positions', 'user_name']);
        expect(old.body.user_name).toBe(birth.user_name);
        const { user_name: _ignored, ...details } = birth;
        expect(old.body.birth_details).toEqual(details);
        expect(Object.keys(old.body.planetary_positions)).toEqual(GRAHAS);
        for (const name of GRAHAS) {
          const p = old.body.planetary_positions[name];
          const expected = fresh.body.planets[name];
          expect(p).toEqual({
            sign: expected.sign,
            degrees: dms(expected.degreeInSign),
            retrograde: expected.retrograde ? 'R' : '',
            house: expected.house,
            nakshatra: expected.nakshatra,
            pada: expected.pada,
          });
          expect(p.degrees).toMatch(DMS);
          expect(p.pada).toBeGreaterThanOrEqual(1);
        }
        expect(old.body.ascendant).toEqual({
          sign: fresh.body.ascendant.sign,
          degrees: dms(fresh.body.ascendant.degreeInSign),
          nakshatra: fresh.body.ascendant.nakshatra,
          pada: fresh.body.ascendant.pada,
        });
        expect(old.body.notes).toMatchObject({
          ayanamsa: ayanamsa === 'lahiri' ? 'Lahiri' : 'Raman',
          chart_type: division === 1 ? 'Rasi' : `${fresh.body.name} (D${division})`,
          house_system: 'Whole Sign',
        });
        expect(old.body.notes.ayanamsa_value).toMatch(/^\d{2}\.\d{6}$/);
      });
    }
  }
});

describe('old service: values against swetest', () => {
  it('Delhi 1990 natal (Lahiri, true node) matches the native library', async () => {
    const { status, body } = await post('/lahiri/natal', DELHI);
    expect(status).toBe(200);
    // Sun 30.5497760°, Moon 271.8937131°, true node 286.5352431° (swetest -sid1).
    expect(body.planetary_positions.Sun).toMatchObject({ sign: 'Taurus', degrees: `0° 32' 59.19"`, nakshatra: 'Krittika', pada: 2 });
    expect(body.planetary_positions.Moon).toMatchObject({ sign: 'Capricorn', degrees: `1° 53' 37.37"`, nakshatra: 'Uttara Ashadha', pada: 2 });
    expect(body.planetary_positions.Rahu).toMatchObject({ sign: 'Capricorn', degrees: dms(286.5352431 - 270) });
    expect(body.planetary_positions.Ketu).toMatchObject({ sign: 'Cancer', degrees: dms(286.5352431 - 270) });
    expect(body.ascendant.sign).toBe('Virgo');
    // The old service's own example value: Lahiri without nutation, 23.7225455° (swetest -sid1 -nonut -ay1).
    expect(body.notes.ayanamsa_value).toBe('23.722546');
  });

  it('Hyderabad 1998 natal (Raman) matches the native library', async () => {
    const { status, body } = await post('/raman/natal', HYDERABAD);
    expect(status).toBe(200);
    // Sun 179.2538948° (Virgo 29°15′14.02″), ascendant 240.1921268° (Sagittarius 0°11′31.66″).
    expect(body.planetary_positions.Sun).toMatchObject({ sign: 'Virgo', degrees: dms(179.2538948 - 150) });
    expect(body.ascendant).toMatchObject({ sign: 'Sagittarius', degrees: dms(240.1921268 - 240) });
    expect(body.notes.ayanamsa).toBe('Raman');
  });
});

describe('old service: summaries and transit', () => {
  it.each(BIRTHS)('/lahiri/shodasha_varga_summary for $user_name lists D1…D60 signs as /v1 computes them', async (birth) => {
    const [old, fresh] = await Promise.all([
      post('/lahiri/shodasha_varga_summary', birth),
      post('/v1/charts/divisional', v1Request(birth, 'lahiri')),
    ]);
    expect(old.status).toBe(200);
    expect(old.body.user_name).toBe(birth.user_name);
    const summary = old.body.shodasha_varga_summary;
    expect(Object.keys(summary)).toEqual(['Ascendant', ...GRAHAS]);
    for (const d of SHODASAVARGA) {
      expect(summary.Ascendant[`D${d}`]).toBe(fresh.body.charts[`D${d}`].ascendant.sign);
      for (const name of GRAHAS) expect(summary[name][`D${d}`]).toBe(fresh.body.charts[`D${d}`].planets[name].sign);
    }
  });

  it.each(BIRTHS)('/raman/shodasha_varga_signs for $user_name wraps each sign', async (birth) => {
    const [old, fresh] = await Promise.all([
      post('/raman/shodasha_varga_signs', birth),
      post('/v1/charts/divisional', v1Request(birth, 'raman')),
    ]);
    expect(old.status).toBe(200);
    expect(old.body.ayanamsa).toBe('Raman');
    for (const d of SHODASAVARGA) {
      expect(old.body.shodasha_varga_signs.Ascendant[`D${d}`]).toEqual({ sign: fresh.body.charts[`D${d}`].ascendant.sign });
      expect(old.body.shodasha_varga_signs.Moon[`D${d}`]).toEqual({ sign: fresh.body.charts[`D${d}`].planets.Moon.sign });
    }
  });

  it.each(BIRTHS)('/lahiri/transit for $user_name: planets now, houses from the natal ascendant', async (birth) => {
    const before = Date.now();
    const old = await post('/lahiri/transit', birth);
    expect(old.status).toBe(200);
    const transitMs = Date.parse(old.body.transit_time);
    expect(Math.abs(transitMs - before)).toBeLessThan(60_000);
    const natal = await post('/lahiri/natal', birth);
    expect(old.body.natal_ascendant).toEqual(natal.body.ascendant);
    const ascIndex = SIGNS.indexOf(old.body.natal_ascendant.sign);
    for (const name of GRAHAS) {
      const t = old.body.transit_positions[name];
      expect(t.degrees).toMatch(DMS);
      expect(t.house).toBe(((SIGNS.indexOf(t.sign) - ascIndex + 12) % 12) + 1);
    }
    expect(old.body.notes.chart_type).toBe('Transit');
  });
});

describe('old service: field formats', () => {
  it('accepts HH:MM and numeric strings as the old service did', async () => {
    const [withSeconds, short] = await Promise.all([
      post('/lahiri/natal', { ...DELHI, birth_time: '14:30:00' }),
      post('/lahiri/natal', { ...DELHI, birth_time: '14:30', latitude: '28.6139', longitude: '77.209', timezone_offset: '5.5' }),
    ]);
    expect(short.status).toBe(200);
    expect(short.body.planetary_positions).toEqual(withSeconds.body.planetary_positions);
    expect(short.body.birth_details.birth_time).toBe('14:30');
  });

  it('treats 5.75 h as exactly +05:45 (the old service rounded it to 5.8)', async () => {
    const birth = { ...DELHI, timezone_offset: 5.75 };
    const [old, fresh] = await Promise.all([
      post('/lahiri/natal', birth),
      post('/v1/charts/natal', { ...v1Request(birth, 'lahiri'), utcOffset: '+05:45' }),
    ]);
    expect(old.status).toBe(200);
    expect(old.body.planetary_positions.Moon.degrees).toBe(dms(fresh.body.planets.Moon.degreeInSign));
  });

  it('ignores fields the old service ignored and echoes an empty user_name when none is sent', async () => {
    const { user_name: _n, ...anonymous } = DELHI;
    const { status, body } = await post('/lahiri/natal', { ...anonymous, place: 'New Delhi' });
    expect(status).toBe(200);
    expect(body.user_name).toBe('');
  });
});

describe('old service: bad input is a 400 with a JSON error string', () => {
  it.each([
    ['missing birth_date', (({ birth_date: _d, ...rest }) => rest)(DELHI), 'birth_date'],
    ['impossible date', { ...DELHI, birth_date: '2023-02-29' }, 'datetime'],
    ['bad time', { ...DELHI, birth_time: '25:00' }, 'datetime'],
    ['time with letters', { ...DELHI, birth_time: '2pm' }, 'birth_time'],
    ['latitude out of range', { ...DELHI, latitude: 91 }, 'latitude'],
    ['longitude not a number', { ...DELHI, longitude: 'east' }, 'longitude'],
    ['offset out of range', { ...DELHI, timezone_offset: 15 }, 'timezone_offset'],
  ])('%s', async (_name, body, path) => {
    for (const route of ['/lahiri/natal', '/raman/navamsha_d9', '/lahiri/transit', '/lahiri/shodasha_varga_summary']) {
      const res = await post(route, body);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
      expect(res.body.error.length).toBeGreaterThan(0);
      expect(typeof res.body.code).toBe('string');
      expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
      expect(JSON.stringify(res.body)).not.toMatch(/\.ts:|node_modules|\n\s+at /);
    }
  });

  it('malformed JSON', async () => {
    const res = await post('/lahiri/natal', '{"birth_date": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.any(String), code: 'invalid_json' });
  });

  it('a body that is not JSON', async () => {
    const res = await post('/lahiri/natal', 'birth_date=1990-05-15', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: expect.any(String), code: 'unsupported_media_type' });
  });
});
