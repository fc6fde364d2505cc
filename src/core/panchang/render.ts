/**
 * A computed day as the API shows it: instants as local ISO strings with the
 * offset in force (rounded to the second), names beside numbers, and the
 * `method` of every rule where traditions differ.
 */
import { toLocalIso, type LocalClock } from './clock';
import type { PanchangDay } from './day';
import { limbNames, type LimbTransition } from './limbs';
import type { Period } from './muhurta';
import { VARAS, type Paksha } from './rules';
import { NAKSHATRAS, NAKSHATRA_LORDS } from '../zodiac';

/** Where traditions differ, the rule this service applies, echoed in every response. */
export const PANCHANG_METHODS = {
  masa: 'amanta_and_purnimanta_sidereal_sankranti',
  ritu: 'lunar_month_pairs',
  ayana: 'sidereal_sankranti',
  samvat: 'chaitradi',
  hora: 'unequal_day_night_twelfths',
  durMuhurta: 'drik_weekday_table',
  brahmaMuhurta: 'night_14th_of_15',
  pradoshKaal: 'three_night_muhurtas',
  abhijit: 'day_8th_of_15',
} as const;

export function renderPanchang(day: PanchangDay, clock: LocalClock) {
  const iso = (jd: number | null) => (jd === null ? null : toLocalIso(jd, clock));
  const period = (p: Period) => ({ start: toLocalIso(p.startJdUt, clock), end: toLocalIso(p.endJdUt, clock) });
  const m = day.muhurtas;
  return {
    ...renderCompact(day, clock),
    moonrise: iso(day.moonriseJdUt),
    moonset: iso(day.moonsetJdUt),
    transitions: day.transitions.map((t) => renderTransition(t, clock)),
    ritu: day.lunar.ritu,
    ayana: day.lunar.ayana,
    samvat: day.lunar.samvat,
    muhurta:
      m === null
        ? null
        : {
            rahuKaal: period(m.rahuKaal),
            yamaganda: period(m.yamaganda),
            gulikaKaal: period(m.gulikaKaal),
            abhijit: period(m.abhijit),
            durMuhurtas: m.durMuhurtas.map(period),
            brahmaMuhurta: period(m.brahmaMuhurta),
            pradoshKaal: period(m.pradoshKaal),
            choghadiya: {
              day: m.choghadiya.day.map((c) => ({ name: c.name, quality: c.quality, ...period(c) })),
              night: m.choghadiya.night.map((c) => ({ name: c.name, quality: c.quality, ...period(c) })),
            },
            hora: m.hora.map((h) => ({ number: h.number, lord: h.lord, ...period(h) })),
          },
    gandMool: day.gandMool.map((g) => ({ nakshatra: g.nakshatra, ...period(g) })),
  };
}

/** The calendar's entry: the day frame, vara, the four limbs at sunrise and the month. */
export function renderCompact(day: PanchangDay, clock: LocalClock) {
  const iso = (jd: number | null) => (jd === null ? null : toLocalIso(jd, clock));
  const { tithi, nakshatra, yoga, karana } = day.limbs;
  const vara = VARAS[day.weekday];
  const tithiNames = limbNames('tithi', tithi.number);
  return {
    date: day.date.text,
    sunrise: iso(day.sunriseJdUt),
    sunset: iso(day.sunsetJdUt),
    nextSunrise: iso(day.nextSunriseJdUt),
    polar: day.polar,
    limbsAt: toLocalIso(day.referenceJdUt, clock),
    vara: { name: vara.name, lord: vara.lord, weekday: day.weekday },
    tithi: { number: tithi.number, name: tithiNames.name, paksha: tithiNames.paksha as Paksha, endsAt: toLocalIso(tithi.endJdUt, clock) },
    nakshatra: { number: nakshatra.number, name: NAKSHATRAS[nakshatra.number - 1], pada: day.nakshatraPada, lord: NAKSHATRA_LORDS[(nakshatra.number - 1) % 9], endsAt: toLocalIso(nakshatra.endJdUt, clock) },
    yoga: { number: yoga.number, name: limbNames('yoga', yoga.number).name, endsAt: toLocalIso(yoga.endJdUt, clock) },
    karana: { number: karana.number, name: limbNames('karana', karana.number).name, endsAt: toLocalIso(karana.endJdUt, clock) },
    masa: { amanta: day.lunar.amanta, purnimanta: day.lunar.purnimanta },
  };
}

function renderTransition(t: LimbTransition, clock: LocalClock) {
  const names = limbNames(t.limb, t.number);
  return {
    limb: t.limb,
    number: t.number,
    name: names.name,
    ...(names.paksha ? { paksha: names.paksha } : {}),
    startsAt: toLocalIso(t.startJdUt, clock),
    endsAt: toLocalIso(t.endJdUt, clock),
  };
}
