/**
 * Request and response schemas shared by validation and the OpenAPI document.
 * The chart request is the contract other routes (divisional, transits, bulk)
 * extend: add fields, never rename them.
 */
import { z } from '@hono/zod-openapi';
import { AYANAMSAS, HOUSE_SYSTEMS, NODE_TYPES, PROFILES } from '../core/settings';
import { NAKSHATRAS, NAKSHATRA_LORDS, SIGNS } from '../core/zodiac';
import { PLANETS } from '../core/natal';

const latitude = z.number().min(-90).max(90).openapi({ description: 'Geographic latitude, degrees, north positive', example: 13.0878 });
const longitude = z.number().min(-180).max(180).openapi({ description: 'Geographic longitude, degrees, east positive', example: 80.2785 });

/** Fields of every chart request, as JSON body members. */
export const chartFields = {
  datetime: z.string().min(1).max(40).openapi({
    description:
      'Local wall time `YYYY-MM-DDTHH:MM[:SS[.fff]]` (years 1000–2999), or an instant with `Z` or an offset. ' +
      'A local time needs `timezone` or `utcOffset`; a time in a DST gap or fold is rejected unless an explicit offset is given.',
    example: '1996-12-07T10:34:00',
  }),
  timezone: z.string().min(1).max(64).optional().openapi({ description: 'IANA zone name; historical offsets and DST applied', example: 'Asia/Kolkata' }),
  utcOffset: z.string().min(1).max(9).optional().openapi({ description: 'Explicit UTC offset `±HH:MM` (or `±HH:MM:SS`)', example: '+05:30' }),
  latitude,
  longitude,
  ayanamsa: z.enum(AYANAMSAS).default('lahiri').openapi({ description: 'Sidereal zodiac (ayanamsa)' }),
  node: z.enum(NODE_TYPES).default('mean').openapi({ description: 'Lunar node for Rahu/Ketu' }),
  houseSystem: z.enum(HOUSE_SYSTEMS).default('whole_sign').openapi({ description: 'sripati = Porphyry; kp = Placidus cusps' }),
  profile: z.enum(PROFILES).default('default').openapi({
    description: '`default`: Swiss Ephemeris apparent positions; `jhora`: true geometric positions without nutation, as Jagannatha Hora',
  }),
};

export const ChartRequestSchema = z.strictObject(chartFields).openapi('ChartRequest');
export type ChartRequest = z.infer<typeof ChartRequestSchema>;
export const CHART_FIELD_NAMES = Object.keys(chartFields);

/** A decimal number in a query string; anything else (``, `1e999`, `abc`) stays a string and fails. */
const decimal = (schema: z.ZodNumber) =>
  z
    .string()
    .max(32)
    .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'expected a decimal number')
    .transform(Number)
    .pipe(schema);

/** The same fields as query parameters for `GET`. */
export const ChartQuerySchema = z.strictObject({
  ...chartFields,
  latitude: decimal(latitude).openapi({ param: { name: 'latitude', in: 'query' }, type: 'number', example: '13.0878' }),
  longitude: decimal(longitude).openapi({ param: { name: 'longitude', in: 'query' }, type: 'number', example: '80.2785' }),
});

const ErrorDetailSchema = z.object({ path: z.string(), message: z.string() });
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ description: 'Stable machine-readable code', example: 'validation_error' }),
      message: z.string(),
      details: z.array(ErrorDetailSchema).optional(),
      requestId: z.string(),
    }),
  })
  .openapi('Error');

export const errorResponses = {
  400: { description: 'Malformed request (e.g. invalid JSON)', content: { 'application/json': { schema: ErrorSchema } } },
  413: { description: 'Body too large', content: { 'application/json': { schema: ErrorSchema } } },
  415: { description: 'Body is not JSON', content: { 'application/json': { schema: ErrorSchema } } },
  422: { description: 'A field is invalid, or a local time is ambiguous or nonexistent', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

const sign = z.enum(SIGNS);
const placementFields = {
  longitudeDeg: z.number().openapi({ description: 'Sidereal longitude, degrees, [0, 360)' }),
  sign,
  degreeInSign: z.number().openapi({ description: 'Degrees inside the sign, [0, 30)' }),
  nakshatra: z.enum(NAKSHATRAS),
  nakshatraLord: z.enum(NAKSHATRA_LORDS),
  pada: z.number().int().min(1).max(4),
};

export const MetaSchema = z
  .object({
    utc: z.string().openapi({ example: '1996-12-07T05:04:00Z' }),
    utcOffset: z.string().openapi({ example: '+05:30' }),
    timezone: z.string().nullable(),
    jdUt: z.number().openapi({ description: 'Julian day, UT' }),
    latitude: z.number(),
    longitude: z.number(),
    ayanamsa: z.enum(AYANAMSAS),
    ayanamsaDeg: z.number(),
    node: z.enum(NODE_TYPES),
    houseSystem: z.enum(HOUSE_SYSTEMS),
    profile: z.enum(PROFILES),
    ephemeris: z.enum(['swiss', 'moshier']).openapi({ description: '`moshier` when a position fell back from the bundled files (outside 1800–2399)' }),
    engine: z.string(),
  })
  .openapi('ChartMeta');

const PlanetSchema = z
  .object({
    ...placementFields,
    latitudeDeg: z.number(),
    speedDegPerDay: z.number(),
    retrograde: z.boolean(),
    house: z.number().int().min(1).max(12),
  })
  .openapi('PlanetPosition');

export const NatalResponseSchema = z
  .object({
    meta: MetaSchema,
    ascendant: z.object(placementFields).openapi('Ascendant'),
    planets: z.object(Object.fromEntries(PLANETS.map((p) => [p, PlanetSchema])) as Record<(typeof PLANETS)[number], typeof PlanetSchema>),
    houses: z.array(z.object({ house: z.number().int(), sign, cuspDeg: z.number() })).length(12),
  })
  .openapi('NatalChart');
