/**
 * `POST|GET /v1/panchang` (one local day), `POST /v1/panchang/calendar` (up
 * to 366 compact days) and `POST /v1/panchang/lagna` (the ascendant's sign
 * changes over a day). The plans are shared with bulk jobs and the old
 * service's routes (src/routes/legacy-panchang.ts).
 */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  LAGNA_STEP_MINUTES,
  PANCHANG_METHODS,
  addDays,
  computePanchangDay,
  lagnaTable,
  localMidnightJd,
  renderCompact,
  renderPanchang,
  resolveLocalDay,
  toLocalIso,
  type LocalClock,
  type PanchangDay,
  type PanchangSettings,
} from '../core/panchang';
import { formatUtcOffset } from '../core/time';
import type { SwissEphemeris } from '../engine/swisseph';
import type { AppEnv } from '../env';
import { cachedJson } from '../http/cached-response';
import { engineLabel } from '../http/chart-request';
import { errorResponses } from '../http/schemas';
import { validationHook } from '../http/validation';
import {
  CALENDAR_FIELD_NAMES,
  CalendarRequestSchema,
  CalendarResponseSchema,
  LAGNA_FIELD_NAMES,
  LagnaRequestSchema,
  LagnaResponseSchema,
  PANCHANG_FIELD_NAMES,
  PanchangQuerySchema,
  PanchangRequestSchema,
  PanchangResponseSchema,
  type CalendarRequest,
  type LagnaRequest,
  type PanchangRequest,
} from './panchang-schemas';

const json = <S>(description: string, schema: S) => ({ 200: { description, content: { 'application/json': { schema } } }, ...errorResponses });

const postDay = createRoute({
  method: 'post',
  path: '/v1/panchang',
  summary: 'Panchang of one local day',
  description:
    'Sunrise, sunset, moonrise, moonset and the next sunrise; vara; tithi, nakshatra, yoga and karana at sunrise with their end instants (root-found to the second) and every change before the next sunrise; masa (amanta and purnimanta, adhika), ritu, ayana, samvat; Rahu kaal, Yamaganda, Gulika, Abhijit, Dur muhurtas, Brahma muhurta, Pradosh kaal, choghadiya, hora and Gand mool. Polar days answer with null sun times and a `polar` note.',
  tags: ['panchang'],
  request: { body: { required: true, content: { 'application/json': { schema: PanchangRequestSchema } } } },
  responses: json('Panchang', PanchangResponseSchema),
});
const getDay = createRoute({
  method: 'get',
  path: '/v1/panchang',
  summary: 'Panchang of one local day (query parameters)',
  description: 'Same as POST, with the request fields as query parameters.',
  tags: ['panchang'],
  request: { query: PanchangQuerySchema },
  responses: json('Panchang', PanchangResponseSchema),
});
const postCalendar = createRoute({
  method: 'post',
  path: '/v1/panchang/calendar',
  summary: 'Panchang calendar: one compact entry per day',
  description: 'From `from`, `days` days (1–366): sunrise, sunset, vara, the four limbs at sunrise with their ends, masa.',
  tags: ['panchang'],
  request: { body: { required: true, content: { 'application/json': { schema: CalendarRequestSchema } } } },
  responses: json('Panchang calendar', CalendarResponseSchema),
});
const postLagna = createRoute({
  method: 'post',
  path: '/v1/panchang/lagna',
  summary: 'Lagna table: the ascendant sign over a local day',
  description: `Start and end of each rising sign from local midnight to the next (sampled every ${LAGNA_STEP_MINUTES} min, changes bisected to 0.1 s).`,
  tags: ['panchang'],
  request: { body: { required: true, content: { 'application/json': { schema: LagnaRequestSchema } } } },
  responses: json('Lagna table', LagnaResponseSchema),
});

type Place = { latitude: number; longitude: number };

function metaOf(req: Place & { ayanamsa: PanchangSettings['ayanamsa'] }, clock: LocalClock, engine: SwissEphemeris) {
  return {
    latitude: req.latitude,
    longitude: req.longitude,
    timezone: clock.timezone,
    utcOffset: clock.fixedOffsetSec === null ? null : formatUtcOffset(clock.fixedOffsetSec),
    ayanamsa: req.ayanamsa,
    engine: engineLabel(engine),
  };
}

const settingsOf = (req: PanchangRequest | CalendarRequest): PanchangSettings => ({ ayanamsa: req.ayanamsa, profile: req.profile, sunriseMode: req.sunriseMode });
const placeOf = (req: Place) => ({ latDeg: req.latitude, lonDeg: req.longitude });

/** One day: cache key input (the local date, the clock, place and settings), calculation, body. */
export function panchangPlan(engine: SwissEphemeris, req: PanchangRequest) {
  const { date, clock } = resolveLocalDay(req.date, req);
  const settings = settingsOf(req);
  return {
    keyInput: { kind: 'day', date: date.text, clock, place: placeOf(req), settings },
    compute: () => computePanchangDay(engine, { date, clock, place: placeOf(req), settings }),
    render: (day: PanchangDay) => ({
      meta: { ...metaOf(req, clock, engine), profile: req.profile, sunriseMode: req.sunriseMode, methods: PANCHANG_METHODS },
      ...renderPanchang(day, clock),
    }),
  };
}

/** `days` compact days from `from`. */
export function calendarPlan(engine: SwissEphemeris, req: CalendarRequest) {
  const { date: first, clock } = resolveLocalDay(req.from, req, 'from');
  const settings = settingsOf(req);
  return {
    keyInput: { kind: 'calendar', from: first.text, days: req.days, clock, place: placeOf(req), settings },
    compute: () =>
      Array.from({ length: req.days }, (_, i) => computePanchangDay(engine, { date: addDays(first, i), clock, place: placeOf(req), settings }, { compact: true })),
    render: (days: PanchangDay[]) => ({
      meta: { ...metaOf(req, clock, engine), profile: req.profile, sunriseMode: req.sunriseMode, methods: PANCHANG_METHODS },
      days: days.map((d) => renderCompact(d, clock)),
    }),
  };
}

/** The ascendant's signs over the local day (midnight to midnight). */
export function lagnaPlan(engine: SwissEphemeris, req: LagnaRequest) {
  const { date, clock } = resolveLocalDay(req.date, req);
  const fromJd = localMidnightJd(date, clock);
  const toJd = localMidnightJd(date, clock, 1);
  return {
    keyInput: { kind: 'lagna', date: date.text, clock, place: placeOf(req), ayanamsa: req.ayanamsa },
    compute: () => lagnaTable(engine, fromJd, toJd, placeOf(req), req.ayanamsa),
    render: (spans: ReturnType<typeof lagnaTable>) => ({
      meta: { ...metaOf(req, clock, engine), stepMinutes: LAGNA_STEP_MINUTES },
      date: date.text,
      lagnas: spans.map((s) => ({
        sign: s.sign,
        start: toLocalIso(s.startJdUt, clock),
        end: toLocalIso(s.endJdUt, clock),
        startsInDay: s.startsInWindow,
        endsInDay: s.endsInWindow,
      })),
    }),
  };
}

function serve<T, B>(c: Context<AppEnv>, ayanamsa: string, plan: { keyInput: unknown; compute: () => T; render: (v: T) => B }) {
  return cachedJson(c, { resource: 'panchang', ayanamsa, ...plan });
}

export const panchangRoutes = new OpenAPIHono<AppEnv>()
  .openapi(postDay, (c) => { const req = c.req.valid('json'); return serve(c, req.ayanamsa, panchangPlan(c.get('engine'), req)); }, validationHook(PANCHANG_FIELD_NAMES))
  .openapi(getDay, (c) => { const req = c.req.valid('query'); return serve(c, req.ayanamsa, panchangPlan(c.get('engine'), req)); }, validationHook(PANCHANG_FIELD_NAMES))
  .openapi(postCalendar, (c) => { const req = c.req.valid('json'); return serve(c, req.ayanamsa, calendarPlan(c.get('engine'), req)); }, validationHook(CALENDAR_FIELD_NAMES))
  .openapi(postLagna, (c) => { const req = c.req.valid('json'); return serve(c, req.ayanamsa, lagnaPlan(c.get('engine'), req)); }, validationHook(LAGNA_FIELD_NAMES));
