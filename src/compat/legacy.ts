/**
 * Adapters for the old Flask service's request and response shapes. Every value
 * comes from the new core; this file only renames and formats.
 */
import { z } from '@hono/zod-openapi';
import { SEFLG, type SwissEphemeris } from '../engine/swisseph';
import { computeNatal, type NatalChart, type Planet } from '../core/natal';
import { SIDEREAL_MODE, type ChartSettings } from '../core/settings';
import { formatUtcOffset, resolveTime } from '../core/time';
import { vargaChart, VARGA_NAMES, type Division } from '../core/varga';
import type { ErrorDetail } from '../http/errors';
import { suggestField } from '../http/validation';

/** The old service's ayanamsas, by URL prefix. */
export const LEGACY_AYANAMSAS = { lahiri: 'Lahiri', raman: 'Raman' } as const;
export type LegacyAyanamsa = keyof typeof LEGACY_AYANAMSAS;

/** The nine grahas the old service returned, in its order. */
export const LEGACY_PLANETS = ['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu'] as const satisfies readonly Planet[];

/** The old service accepted numbers or numeric strings (Flask's float()). */
const looseNumber = z.union([
  z.number(),
  z
    .string()
    .max(32)
    .trim()
    .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'expected a number')
    .transform(Number),
]);

/**
 * Unknown fields are ignored, as the old service did: existing clients send
 * extras (`place`, …). Only a near-miss of a field name (`latitute`,
 * `Birth_Date`) is refused, by misspeltLegacyFields: the old service would have
 * silently used a default or failed on the missing field without naming it.
 * The schema is loose so that the extras reach that check.
 */
export const LegacyRequestSchema = z
  .looseObject({
    user_name: z.string().max(200).optional().openapi({ example: 'Asha' }),
    birth_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').openapi({ example: '1990-05-15' }),
    birth_time: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'expected HH:MM:SS or HH:MM').openapi({ example: '14:30:00' }),
    latitude: looseNumber.pipe(z.number().min(-90).max(90)).openapi({ type: 'number', example: 28.6139 }),
    longitude: looseNumber.pipe(z.number().min(-180).max(180)).openapi({ type: 'number', example: 77.209 }),
    timezone_offset: looseNumber.pipe(z.number().min(-14).max(14)).openapi({ type: 'number', description: 'Hours east of UTC, e.g. 5.5 or 5.75', example: 5.5 }),
  })
  .openapi('LegacyRequest');
/** The fields of an old request; with `chart_type` and `ayanamsa` of `POST /batch/calculate`. */
export const LEGACY_FIELD_NAMES = [...Object.keys(LegacyRequestSchema.shape), 'chart_type', 'ayanamsa'] as const;

/**
 * Unknown fields of an old request that look like a misspelt known field
 * (within two edits, any case), each named with the field it resembles.
 * Other unknown fields are ignored, as before.
 */
export function misspeltLegacyFields(body: unknown): ErrorDetail[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const known: readonly string[] = LEGACY_FIELD_NAMES;
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(body)) {
    if (known.includes(key)) continue;
    const hint = suggestField(key, known);
    if (hint) details.push({ path: key, message: `unknown field '${key}'; did you mean '${hint}'?` });
  }
  return details;
}
export type LegacyRequest = z.infer<typeof LegacyRequestSchema>;

/** The old service used the true node, apparent positions and whole-sign houses. */
export function legacySettings(ayanamsa: LegacyAyanamsa): ChartSettings {
  return { ayanamsa, node: 'true', houseSystem: 'whole_sign', profile: 'default' };
}

export function legacyInstant(req: LegacyRequest) {
  const time = req.birth_time.length === 5 ? `${req.birth_time}:00` : req.birth_time;
  // 5.75 h is exactly +05:45 (the old service rounded it to 5.8).
  const utcOffset = formatUtcOffset(Math.round(req.timezone_offset * 3600));
  return resolveTime({ datetime: `${req.birth_date}T${time}`, utcOffset });
}

export function legacyNatal(engine: SwissEphemeris, req: LegacyRequest, ayanamsa: LegacyAyanamsa): NatalChart {
  const { jdUt } = legacyInstant(req);
  return computeNatal(engine, { jdUt, latDeg: req.latitude, lonDeg: req.longitude, settings: legacySettings(ayanamsa) });
}

/** `D° M' S.ss"` with carries, so 29.99999999° never prints as 29° 59' 60.00". */
export function formatDms(deg: number): string {
  const hundredths = Math.round(deg * 360000);
  const d = Math.floor(hundredths / 360000);
  const m = Math.floor((hundredths % 360000) / 6000);
  const s = (hundredths % 6000) / 100;
  return `${d}° ${m}' ${s.toFixed(2)}"`;
}

interface LegacyPointSource {
  sign: string;
  degreeInSign: number;
  nakshatra: string;
  pada: number;
}

function legacyPoint(p: LegacyPointSource) {
  return { sign: p.sign, degrees: formatDms(p.degreeInSign), nakshatra: p.nakshatra, pada: p.pada };
}

function legacyPlanet(p: LegacyPointSource & { retrograde: boolean; house: number }) {
  return { sign: p.sign, degrees: formatDms(p.degreeInSign), retrograde: p.retrograde ? 'R' : '', house: p.house, nakshatra: p.nakshatra, pada: p.pada };
}

export type LegacyPlanet = (typeof LEGACY_PLANETS)[number];
export type LegacyPlanetSource = LegacyPointSource & { retrograde: boolean; house: number };

/** The nine grahas in the old shape; `source` picks each one's values (natal, varga or transit). */
export function legacyPlanets(source: (name: LegacyPlanet) => LegacyPlanetSource) {
  return Object.fromEntries(LEGACY_PLANETS.map((name) => [name, legacyPlanet(source(name))]));
}

export function birthDetails(req: LegacyRequest) {
  return {
    birth_date: req.birth_date,
    birth_time: req.birth_time,
    latitude: req.latitude,
    longitude: req.longitude,
    timezone_offset: req.timezone_offset,
  };
}

/** The ayanamsa without nutation, six decimals, as the old service reported it. */
export function legacyNotes(engine: SwissEphemeris, jdUt: number, ayanamsa: LegacyAyanamsa, chartType: string) {
  const valueDeg = engine.ayanamsaUt(jdUt, SIDEREAL_MODE[ayanamsa], SEFLG.SWIEPH | SEFLG.NONUT);
  return { ayanamsa: LEGACY_AYANAMSAS[ayanamsa], ayanamsa_value: valueDeg.toFixed(6), chart_type: chartType, house_system: 'Whole Sign' };
}

export function legacyChartType(division: Division): string {
  return division === 1 ? 'Rasi' : `${VARGA_NAMES[division]} (D${division})`;
}

/**
 * Natal (D1) or one divisional chart: the old envelope without the caller's
 * echo (`user_name`, `birth_details`), which the route adds per request.
 */
export function legacyChartPayload(engine: SwissEphemeris, req: LegacyRequest, ayanamsa: LegacyAyanamsa, division: Division) {
  const { jdUt } = legacyInstant(req);
  const natal = legacyNatal(engine, req, ayanamsa);
  const chart = division === 1 ? natal : vargaChart(natal, division);
  return {
    planetary_positions: legacyPlanets((name) => chart.planets[name]),
    ascendant: legacyPoint(chart.ascendant),
    notes: legacyNotes(engine, jdUt, ayanamsa, legacyChartType(division)),
  };
}

export { legacyPoint };
