/** Request and response schemas of the panchang routes (validation and the OpenAPI document). */
import { z } from '@hono/zod-openapi';
import { CHOGHADIYA_QUALITY, HORA_ORDER, LIMBS, MASA_NAMES, PAKSHAS, RITUS, SUNRISE_MODES, VARAS } from '../core/panchang';
import { AYANAMSAS, PROFILES } from '../core/settings';
import { NAKSHATRAS, NAKSHATRA_LORDS, SIGNS } from '../core/zodiac';
import { ChartQuerySchema, chartFields } from '../http/schemas';

const date = z.string().min(1).max(16).openapi({ description: 'Local calendar date `YYYY-MM-DD` (years 1000–2999); the day runs from its sunrise to the next', example: '2025-03-21' });

export const panchangFields = {
  date,
  timezone: chartFields.timezone,
  utcOffset: chartFields.utcOffset,
  latitude: chartFields.latitude,
  longitude: chartFields.longitude,
  ayanamsa: z.enum(AYANAMSAS).default('lahiri').openapi({ description: 'Sidereal zodiac for nakshatra, yoga, masa (tithi and karana do not depend on it)' }),
  profile: z.enum(PROFILES).default('default').openapi({ description: 'Position model, as for charts (`jhora`: true positions without nutation)' }),
  sunriseMode: z.enum(SUNRISE_MODES).default('hindu').openapi({
    description: '`hindu`: centre of the disc on the horizon without refraction (Indian panchangs); `western`: upper limb with refraction (almanacs), 3–4 min earlier',
  }),
};

export const PanchangRequestSchema = z.strictObject(panchangFields).openapi('PanchangRequest');
export type PanchangRequest = z.infer<typeof PanchangRequestSchema>;
export const PANCHANG_FIELD_NAMES = Object.keys(panchangFields);

const queryNumbers = { latitude: ChartQuerySchema.shape.latitude, longitude: ChartQuerySchema.shape.longitude };
export const PanchangQuerySchema = z.strictObject({ ...panchangFields, ...queryNumbers });

const { date: _date, ...placeAndSettings } = panchangFields;
export const CalendarRequestSchema = z
  .strictObject({
    from: date.openapi({ description: 'First local date `YYYY-MM-DD`' }),
    days: z.number().int().min(1).max(366).default(30).openapi({ description: 'Number of days, 1–366', example: 30 }),
    ...placeAndSettings,
  })
  .openapi('PanchangCalendarRequest');
export type CalendarRequest = z.infer<typeof CalendarRequestSchema>;
export const CALENDAR_FIELD_NAMES = Object.keys(CalendarRequestSchema.shape);

const { sunriseMode: _mode, profile: _profile, ...lagnaFields } = panchangFields;
export const LagnaRequestSchema = z.strictObject(lagnaFields).openapi('LagnaRequest');
export type LagnaRequest = z.infer<typeof LagnaRequestSchema>;
export const LAGNA_FIELD_NAMES = Object.keys(LagnaRequestSchema.shape);

const instant = z.string().openapi({ description: 'Local time with the offset in force, to the second', example: '2025-03-21T06:15:51+05:30' });
const nullableInstant = instant.nullable();
const period = z.object({ start: instant, end: instant }).openapi('Period');

const tithi = z.object({ number: z.number().int().min(1).max(30), name: z.string(), paksha: z.enum(PAKSHAS), endsAt: instant });
const nakshatra = z.object({ number: z.number().int().min(1).max(27), name: z.enum(NAKSHATRAS), pada: z.number().int().min(1).max(4), lord: z.enum(NAKSHATRA_LORDS), endsAt: instant });
const yoga = z.object({ number: z.number().int().min(1).max(27), name: z.string(), endsAt: instant });
const karana = z.object({ number: z.number().int().min(1).max(60), name: z.string(), endsAt: instant });
const masa = z.object({ number: z.number().int().min(1).max(12), name: z.enum(MASA_NAMES), adhika: z.boolean() });

const compactFields = {
  date: z.string(),
  sunrise: nullableInstant,
  sunset: nullableInstant,
  nextSunrise: nullableInstant,
  polar: z
    .object({ kind: z.enum(['polar_day', 'polar_night', 'no_sunrise', 'no_sunset']), note: z.string() })
    .nullable()
    .openapi({ description: 'Set when the Sun does not rise or set that day: the sun times are then null' }),
  limbsAt: instant.openapi({ description: 'The instant the limbs are taken at: sunrise, or 06:00 local without one' }),
  vara: z.object({ name: z.string(), lord: z.enum(VARAS.map((v) => v.lord) as [string, ...string[]]), weekday: z.number().int().min(0).max(6) }),
  tithi,
  nakshatra,
  yoga,
  karana,
  masa: z.object({ amanta: masa, purnimanta: masa }),
};

const methods = z.record(z.string(), z.string()).openapi({ description: 'The rule applied wherever traditions differ' });
const meta = z.object({
  latitude: z.number(),
  longitude: z.number(),
  timezone: z.string().nullable(),
  utcOffset: z.string().nullable().openapi({ description: 'The fixed offset when given instead of a zone' }),
  ayanamsa: z.enum(AYANAMSAS),
  profile: z.enum(PROFILES),
  sunriseMode: z.enum(SUNRISE_MODES),
  methods,
  engine: z.string(),
});

export const PanchangResponseSchema = z
  .object({
    meta,
    ...compactFields,
    moonrise: nullableInstant,
    moonset: nullableInstant,
    transitions: z.array(
      z.object({
        limb: z.enum(LIMBS),
        number: z.number().int(),
        name: z.string(),
        paksha: z.enum(PAKSHAS).optional(),
        startsAt: instant,
        endsAt: instant,
      }),
    ).openapi({ description: 'Every tithi, nakshatra, yoga and karana that begins after sunrise and before the next sunrise' }),
    ritu: z.enum(RITUS),
    ayana: z.enum(['Uttarayana', 'Dakshinayana']),
    samvat: z.object({ vikram: z.number().int(), shaka: z.number().int() }),
    muhurta: z
      .object({
        rahuKaal: period,
        yamaganda: period,
        gulikaKaal: period,
        abhijit: period,
        durMuhurtas: z.array(period),
        brahmaMuhurta: period,
        pradoshKaal: period,
        choghadiya: z.object({
          day: z.array(z.object({ name: z.string(), quality: z.enum(['good', 'neutral', 'bad'] as const satisfies readonly (typeof CHOGHADIYA_QUALITY)[keyof typeof CHOGHADIYA_QUALITY][]), start: instant, end: instant })).length(8),
          night: z.array(z.object({ name: z.string(), quality: z.enum(['good', 'neutral', 'bad']), start: instant, end: instant })).length(8),
        }),
        hora: z.array(z.object({ number: z.number().int().min(1).max(24), lord: z.enum(HORA_ORDER), start: instant, end: instant })).length(24),
      })
      .nullable()
      .openapi({ description: 'null without a sunrise, sunset and next sunrise (polar)' }),
    gandMool: z.array(z.object({ nakshatra: z.enum(NAKSHATRAS), start: instant, end: instant })).openapi({ description: 'Gandanta nakshatras of the Moon during the day, each with its full span' }),
  })
  .openapi('Panchang');

export const CalendarResponseSchema = z
  .object({ meta, days: z.array(z.object(compactFields)) })
  .openapi('PanchangCalendar');

export const LagnaResponseSchema = z
  .object({
    meta: z.object({ latitude: z.number(), longitude: z.number(), timezone: z.string().nullable(), utcOffset: z.string().nullable(), ayanamsa: z.enum(AYANAMSAS), stepMinutes: z.number(), engine: z.string() }),
    date: z.string(),
    lagnas: z.array(
      z.object({ sign: z.enum(SIGNS), start: instant, end: instant, startsInDay: z.boolean(), endsInDay: z.boolean() }),
    ).openapi({ description: 'The ascendant sign from local midnight to the next; the first and last are cut by midnight' }),
  })
  .openapi('LagnaTable');
