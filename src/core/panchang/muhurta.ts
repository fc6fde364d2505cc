/**
 * Periods of the day counted from sunrise and sunset: Rahu kaal and its kin
 * (eighths of the daytime), muhurtas (fifteenths of the day and the night),
 * choghadiyas (eighths) and horas (twelfths). All take their tables from
 * rules.ts; the division of the day into unequal "temporal" parts is the
 * traditional one (the day's parts are longer in summer).
 */
import {
  ABHIJIT_DAY_MUHURTA,
  BRAHMA_NIGHT_MUHURTA,
  CHOGHADIYA_QUALITY,
  CHOGHADIYA_TABLE,
  DAY_EIGHTH_PERIODS,
  DUR_MUHURTAS,
  HORA_ORDER,
  MUHURTAS_PER_HALF,
  PRADOSH_NIGHT_MUHURTAS,
  VARAS,
  type Choghadiya,
  type VaraLord,
} from './rules';

export interface Period {
  startJdUt: number;
  endJdUt: number;
}

export interface DayFrame {
  /** Sunrise of the day, its sunset, the next sunrise, and the sunset before the day's sunrise. */
  sunriseJdUt: number;
  sunsetJdUt: number;
  nextSunriseJdUt: number;
  previousSunsetJdUt: number;
  /** 0 = Sunday. */
  weekday: number;
}

export interface ChoghadiyaPeriod extends Period {
  name: Choghadiya;
  quality: (typeof CHOGHADIYA_QUALITY)[Choghadiya];
}

export interface HoraPeriod extends Period {
  /** 1–24 from sunrise; 1–12 by day, 13–24 by night. */
  number: number;
  lord: VaraLord;
}

export interface Muhurtas {
  rahuKaal: Period;
  yamaganda: Period;
  gulikaKaal: Period;
  abhijit: Period;
  durMuhurtas: Period[];
  brahmaMuhurta: Period;
  pradoshKaal: Period;
  choghadiya: { day: ChoghadiyaPeriod[]; night: ChoghadiyaPeriod[] };
  hora: HoraPeriod[];
}

/** Part `n` (1-based) of `parts` equal parts of [start, end). */
function part(startJd: number, endJd: number, parts: number, n: number): Period {
  const len = (endJd - startJd) / parts;
  return { startJdUt: startJd + (n - 1) * len, endJdUt: startJd + n * len };
}

export function computeMuhurtas(f: DayFrame): Muhurtas {
  const { sunriseJdUt: rise, sunsetJdUt: set, nextSunriseJdUt: nextRise, weekday } = f;
  const dayPart = (parts: number, n: number) => part(rise, set, parts, n);
  const nightPart = (parts: number, n: number) => part(set, nextRise, parts, n);
  const dur = DUR_MUHURTAS[weekday];
  const chog = CHOGHADIYA_TABLE[weekday];
  const choghadiya = (names: readonly Choghadiya[], span: (n: number) => Period): ChoghadiyaPeriod[] =>
    names.map((name, i) => ({ ...span(i + 1), name, quality: CHOGHADIYA_QUALITY[name] }));
  const firstLord = HORA_ORDER.indexOf(VARAS[weekday].lord);
  const hora: HoraPeriod[] = [];
  for (let i = 0; i < 24; i++) {
    const span = i < 12 ? dayPart(12, i + 1) : nightPart(12, i - 11);
    hora.push({ ...span, number: i + 1, lord: HORA_ORDER[(firstLord + i) % 7] });
  }
  const pradoshEnd = nightPart(MUHURTAS_PER_HALF, PRADOSH_NIGHT_MUHURTAS).endJdUt;
  return {
    rahuKaal: dayPart(8, DAY_EIGHTH_PERIODS.rahuKaal[weekday]),
    yamaganda: dayPart(8, DAY_EIGHTH_PERIODS.yamaganda[weekday]),
    gulikaKaal: dayPart(8, DAY_EIGHTH_PERIODS.gulikaKaal[weekday]),
    abhijit: dayPart(MUHURTAS_PER_HALF, ABHIJIT_DAY_MUHURTA),
    durMuhurtas: [
      ...dur.day.map((n) => dayPart(MUHURTAS_PER_HALF, n)),
      ...dur.night.map((n) => nightPart(MUHURTAS_PER_HALF, n)),
    ],
    // The night before this day's sunrise: the previous sunset to this sunrise.
    brahmaMuhurta: part(f.previousSunsetJdUt, rise, MUHURTAS_PER_HALF, BRAHMA_NIGHT_MUHURTA),
    pradoshKaal: { startJdUt: set, endJdUt: pradoshEnd },
    choghadiya: {
      day: choghadiya(chog.day, (n) => dayPart(8, n)),
      night: choghadiya(chog.night, (n) => nightPart(8, n)),
    },
    hora,
  };
}
