/**
 * The lunar month (amanta and purnimanta, with the adhika flag), the ritu,
 * the ayana and the samvat years for an instant. Rules: README.md "Masa".
 */
import { normalizeDeg, signIndex } from '../zodiac';
import { angleCrossing, limbAngle, type SunMoon, type SunMoonAt } from './limbs';
import { MASA_NAMES, RITUS, SHAKA_OFFSET_YEARS, VIKRAM_MINUS_SHAKA_YEARS } from './rules';
import type { LocalDate } from './clock';

export type MasaName = (typeof MASA_NAMES)[number];

export interface Masa {
  /** 1 = Chaitra … 12 = Phalguna. */
  number: number;
  name: MasaName;
  /** A month in which the Sun enters no sign (no sankranti): the intercalary month, named after the month it precedes. */
  adhika: boolean;
}

export interface LunarYear {
  amanta: Masa;
  purnimanta: Masa;
  /** Julian days UT of the new moons that begin and end the amanta month. */
  newMoonJdUt: number;
  nextNewMoonJdUt: number;
  ritu: (typeof RITUS)[number];
  ayana: 'Uttarayana' | 'Dakshinayana';
  samvat: { vikram: number; shaka: number };
}

const elongation = (s: SunMoon) => limbAngle('tithi', s);
/** The elongation grows at most 16°/day (see MAX_RATE_DEG_PER_DAY in limbs.ts). */
const ELONGATION_MAX_RATE = 16;

/** The month named after the Sun's sidereal sign at its opening new moon, plus one (Meena → Chaitra). */
function masaIndexFromSunSign(sunDeg: number): number {
  return (signIndex(sunDeg) + 1) % 12;
}

/**
 * The lunar month and year containing `s`. The new moons are found by the
 * same root-finder as the tithis (the elongation crossing 0°, within 0.1 s),
 * and the Sun's sidereal sign there decides the month: equal signs at both
 * new moons mean no sankranti in between, an adhika month. A kshaya month
 * (two sankrantis in one lunation, last in 1983) is not given a second name.
 */
export function lunarYearAt(at: SunMoonAt, s: SunMoon, date: LocalDate): LunarYear {
  const e = elongation(s);
  const opening = e === 0 ? s : angleCrossing(at, elongation, s, e, ELONGATION_MAX_RATE, -1);
  const closing = angleCrossing(at, elongation, s, 360 - e, ELONGATION_MAX_RATE);
  const index = masaIndexFromSunSign(opening.sunDeg);
  const nextIndex = masaIndexFromSunSign(closing.sunDeg);
  const adhika = index === nextIndex;
  const amanta = masa(index, adhika);
  // Purnimanta months run full moon to full moon: the dark half belongs to the month
  // that follows amanta-wise, except inside an adhika month, which is kept whole.
  const krishna = e >= 180;
  const purnimanta = !krishna || adhika ? amanta : masa(nextIndex, false);
  const sunDeg = normalizeDeg(s.sunDeg);
  // Before Chaitra of this Gregorian year (Pausha…Phalguna in its first half), the lunar year began the year before.
  const shaka = date.year - SHAKA_OFFSET_YEARS - (date.month <= 6 && index >= 6 ? 1 : 0);
  return {
    amanta,
    purnimanta,
    newMoonJdUt: opening.jdUt,
    nextNewMoonJdUt: closing.jdUt,
    ritu: RITUS[Math.floor(index / 2)],
    ayana: sunDeg >= 270 || sunDeg < 90 ? 'Uttarayana' : 'Dakshinayana',
    samvat: { vikram: shaka + VIKRAM_MINUS_SHAKA_YEARS, shaka },
  };
}

function masa(index: number, adhika: boolean): Masa {
  return { number: index + 1, name: MASA_NAMES[index], adhika };
}
