/** Request and response schemas of `POST /v1/dashas/{system}` (validation and the OpenAPI document). */
import { z } from '@hono/zod-openapi';
import { MAX_LEVELS, MAX_WINDOW_DAYS, NAKSHATRA_DASHA_SYSTEMS, YEAR_DAYS } from '../core/dashas';
import { NAKSHATRAS, NAKSHATRA_LORDS } from '../core/zodiac';
import { MetaSchema, chartFields } from './schemas';

const instant = (description: string) => z.string().min(1).max(40).optional().openapi({ description, example: '2026-01-01T00:00:00Z' });

export const dashaFields = {
  ...chartFields,
  levels: z.number().int().min(1).max(MAX_LEVELS).default(3).openapi({ description: '1 maha, 2 antar, 3 pratyantar, 4 sookshma, 5 prana' }),
  yearDays: z
    .union(YEAR_DAYS.map((d) => z.literal(d)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>, ...z.ZodLiteral<number>[]])
    .optional()
    .openapi({ description: `Days in a dasha year: ${YEAR_DAYS.join(', ')} (365.256364 = sidereal, as Jagannatha Hora); default: the system's (365.25)`, example: 365.25 }),
  method: z.string().min(1).max(32).optional().openapi({ description: 'Where traditions differ (ashtottari: `abhijit` or `no_abhijit`); echoed in meta' }),
  at: instant('An instant: `current` lists the period running then on every level'),
  from: instant(`Start of the window levels 4–5 are restricted to (with \`to\`; at most ${MAX_WINDOW_DAYS[4]} days for level 4, ${MAX_WINDOW_DAYS[5]} for level 5). Default with \`at\`: the pratyantar running at \`at\``),
  to: instant('End of that window'),
};
export const DashaRequestSchema = z.strictObject(dashaFields).openapi('DashaRequest');
export type DashaRequest = z.infer<typeof DashaRequestSchema>;
export const DASHA_FIELD_NAMES = Object.keys(dashaFields);

/** A bulk item names its system beside the body of the sync route. */
export const DashaBulkRequestSchema = z
  .strictObject({ system: z.enum(NAKSHATRA_DASHA_SYSTEMS).openapi({ description: 'The `{system}` of the sync route' }), ...dashaFields })
  .openapi('DashaBulkRequest');
export type DashaBulkRequest = z.infer<typeof DashaBulkRequestSchema>;

const periodFields = {
  lord: z.string().openapi({ description: 'Graha (or yogini) ruling the period', example: 'Rahu' }),
  planet: z.string().optional().openapi({ description: 'The graha behind a yogini (Yogini dasha only)' }),
  start: z.string().openapi({ description: 'UTC instant, to the second', example: '1996-07-18T10:21:19Z' }),
  end: z.string().openapi({ example: '2014-07-18T16:18:44Z' }),
  years: z.number().openapi({ description: 'Length in dasha years' }),
};
// Five explicit levels rather than a recursive schema: the document shows the depth there is.
const Prana = z.object(periodFields).openapi('DashaPeriodL5');
const Sookshma = z.object({ ...periodFields, periods: z.array(Prana).optional() }).openapi('DashaPeriodL4');
const Pratyantar = z.object({ ...periodFields, periods: z.array(Sookshma).optional().openapi({ description: 'Only the periods overlapping the window' }) }).openapi('DashaPeriodL3');
const Antar = z.object({ ...periodFields, periods: z.array(Pratyantar).optional() }).openapi('DashaPeriodL2');
const Maha = z.object({ ...periodFields, periods: z.array(Antar).optional() }).openapi('DashaPeriodL1');

export const DashaMetaSchema = MetaSchema.extend({
  system: z.enum(NAKSHATRA_DASHA_SYSTEMS),
  method: z.string(),
  yearDays: z.number(),
  levels: z.number().int(),
  window: z.object({ from: z.string(), to: z.string() }).nullable().openapi({ description: 'The window levels 4–5 were restricted to; null for levels 1–3' }),
  at: z.string().nullable(),
}).openapi('DashaMeta');

export const DashaResponseSchema = z
  .object({
    meta: DashaMetaSchema,
    moon: z.object({
      longitudeDeg: z.number().openapi({ description: 'Sidereal longitude of the Moon, degrees' }),
      nakshatra: z.enum(NAKSHATRAS),
      nakshatraLord: z.enum(NAKSHATRA_LORDS),
      pada: z.number().int().min(1).max(4),
      fractionElapsed: z.number().openapi({ description: "Part of the Moon's nakshatra gone at birth, [0, 1)" }),
    }),
    balance: z.object({ lord: z.string(), years: z.number().openapi({ description: 'Decimal dasha years of the birth period left at birth' }) }),
    applicability: z
      .object({ applicable: z.boolean(), reason: z.string() })
      .nullable()
      .openapi({ description: "Whether the system's classical condition holds for this chart (null: the system has none); the periods are computed either way" }),
    periods: z.array(Maha),
    current: z
      .array(z.object({ level: z.number().int(), lord: z.string(), start: z.string(), end: z.string() }))
      .nullable()
      .openapi({ description: 'With `at`: the period running then on each level' }),
  })
  .openapi('DashaResponse', {
    example: {
      meta: {
        utc: '1996-12-07T05:04:00Z', utcOffset: '+05:30', timezone: 'Asia/Kolkata', jdUt: 2450424.7111111,
        latitude: 13.0878, longitude: 80.2785, ayanamsa: 'lahiri', ayanamsaDeg: 23.81, node: 'mean', houseSystem: 'whole_sign', profile: 'jhora',
        ephemeris: 'swiss', engine: 'astro-engine-edge/0.1.0 swisseph/2.10.03 (wasm32)',
        system: 'vimshottari', method: 'parashara', yearDays: 365.256364, levels: 1, window: null, at: null,
      },
      moon: { longitudeDeg: 186.95949, nakshatra: 'Swati', nakshatraLord: 'Rahu', pada: 1, fractionElapsed: 0.02196 },
      balance: { lord: 'Rahu', years: 17.6047 },
      applicability: null,
      periods: [{ lord: 'Rahu', start: '1996-07-21T06:21:05Z', end: '2014-07-21T14:23:31Z', years: 18 }],
      current: null,
    },
  });
