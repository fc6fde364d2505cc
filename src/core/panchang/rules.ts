/**
 * The panchang's rules as data. Every table names its source; README.md beside
 * this file lists the sources in full. Nakshatras and their lords are not
 * here: they live in ../zodiac.ts.
 */

/** Angular spans, degrees. Surya Siddhanta II.64–69: a tithi is 12° of elongation, a karana half a tithi, a yoga 13°20′ of the summed longitudes. */
export const TITHI_SPAN_DEG = 12;
export const KARANA_SPAN_DEG = 6;
export const YOGA_SPAN_DEG = 360 / 27;

/** Tithi names within a paksha, 1–15; the 15th is Purnima in Shukla and Amavasya in Krishna. */
export const TITHI_NAMES = [
  'Pratipada', 'Dwitiya', 'Tritiya', 'Chaturthi', 'Panchami', 'Shashthi', 'Saptami', 'Ashtami',
  'Navami', 'Dashami', 'Ekadashi', 'Dwadashi', 'Trayodashi', 'Chaturdashi', 'Purnima',
] as const;
export const AMAVASYA = 'Amavasya';
export const PAKSHAS = ['Shukla', 'Krishna'] as const;
export type Paksha = (typeof PAKSHAS)[number];

/** The 27 yogas from Vishkambha (Surya Siddhanta II.65; the same list in Muhurta Chintamani I). */
export const YOGA_NAMES = [
  'Vishkambha', 'Priti', 'Ayushman', 'Saubhagya', 'Shobhana', 'Atiganda', 'Sukarma', 'Dhriti', 'Shula',
  'Ganda', 'Vriddhi', 'Dhruva', 'Vyaghata', 'Harshana', 'Vajra', 'Siddhi', 'Vyatipata', 'Variyan',
  'Parigha', 'Shiva', 'Siddha', 'Sadhya', 'Shubha', 'Shukla', 'Brahma', 'Indra', 'Vaidhriti',
] as const;

/**
 * Karanas (Surya Siddhanta II.67–69): the fixed Kimstughna is the first half
 * of Shukla Pratipada; the seven movable ones cycle eight times (karanas
 * 2–57); Shakuni, Chatushpada and Naga close the month (58–60).
 */
export const MOVABLE_KARANAS = ['Bava', 'Balava', 'Kaulava', 'Taitila', 'Garaja', 'Vanija', 'Vishti'] as const;
export const FIXED_KARANAS = { first: 'Kimstughna', last: ['Shakuni', 'Chatushpada', 'Naga'] } as const;

/** Karana number 1–60 → name. */
export function karanaName(number: number): string {
  if (number === 1) return FIXED_KARANAS.first;
  if (number >= 58) return FIXED_KARANAS.last[number - 58];
  return MOVABLE_KARANAS[(number - 2) % 7];
}

/** Weekday 0 = Sunday: the vara's name and lord (the lord of the day's first hora). */
export const VARAS = [
  { name: 'Ravivara', lord: 'Sun' },
  { name: 'Somavara', lord: 'Moon' },
  { name: 'Mangalavara', lord: 'Mars' },
  { name: 'Budhavara', lord: 'Mercury' },
  { name: 'Guruvara', lord: 'Jupiter' },
  { name: 'Shukravara', lord: 'Venus' },
  { name: 'Shanivara', lord: 'Saturn' },
] as const;
export type VaraLord = (typeof VARAS)[number]['lord'];

/**
 * Hora order (the Chaldean order, slowest to fastest, read cyclically): each
 * hora's lord is the next in this list; the first hora after sunrise belongs
 * to the weekday lord (BPHS ch. 7 on hora lords; Surya Siddhanta XII.78–79).
 */
export const HORA_ORDER = ['Sun', 'Venus', 'Mercury', 'Moon', 'Saturn', 'Jupiter', 'Mars'] as const satisfies readonly VaraLord[];

/**
 * Rahu kaal, Yamaganda and Gulika kaal: which eighth (1–8) of the daytime
 * (sunrise → sunset) each occupies, by weekday (0 = Sunday). The common
 * South Indian panchang table, e.g. as tabulated by spiritofchennai.com
 * "Rahu Kalam, Yama Gandam" and scribd "Lesson 13: Rahukalam, Yamagandam".
 */
export const DAY_EIGHTH_PERIODS = {
  rahuKaal: [8, 2, 7, 5, 6, 4, 3],
  yamaganda: [5, 4, 3, 2, 1, 7, 6],
  gulikaKaal: [7, 6, 5, 4, 3, 2, 1],
} as const;

/** The day and the night each have 15 muhurtas (Shatapatha Brahmana X.4.2.18; Muhurta Chintamani). Abhijit is the 8th of the day. */
export const MUHURTAS_PER_HALF = 15;
export const ABHIJIT_DAY_MUHURTA = 8;

/**
 * Dur muhurtas by weekday (0 = Sunday): the muhurta numbers (1–15) of the day,
 * and of the night for Tuesday, as North Indian panchangs (Drik Panchang) print
 * them, after Muhurta Chintamani's durmuhurta verse.
 */
export const DUR_MUHURTAS: readonly { day: readonly number[]; night: readonly number[] }[] = [
  { day: [14], night: [] },
  { day: [9, 12], night: [] },
  { day: [4], night: [7] },
  { day: [8], night: [] },
  { day: [6, 12], night: [] },
  { day: [4, 9], night: [] },
  { day: [1, 2], night: [] },
];

/** Brahma muhurta: the 14th of the night's 15 muhurtas, i.e. the one but last before sunrise. */
export const BRAHMA_NIGHT_MUHURTA = 14;
/** Pradosh kaal: the first three muhurtas of the night (one fifth of it) after sunset. */
export const PRADOSH_NIGHT_MUHURTAS = 3;

export const CHOGHADIYA_QUALITY = {
  Amrit: 'good',
  Shubh: 'good',
  Labh: 'good',
  Chal: 'neutral',
  Udveg: 'bad',
  Kaal: 'bad',
  Rog: 'bad',
} as const;
export type Choghadiya = keyof typeof CHOGHADIYA_QUALITY;

/**
 * The eight day and eight night choghadiyas by weekday (0 = Sunday), as the
 * Gujarati choghadiya tables print them (e.g. gujarati.webdunia.com
 * "ચોઘડિયા"). Derivable: day from the weekday lord in hora order, night from
 * the lord four days on, stepping back two in hora order; the tests check the
 * table against that rule.
 */
export const CHOGHADIYA_TABLE: readonly { day: readonly Choghadiya[]; night: readonly Choghadiya[] }[] = [
  { day: ['Udveg', 'Chal', 'Labh', 'Amrit', 'Kaal', 'Shubh', 'Rog', 'Udveg'], night: ['Shubh', 'Amrit', 'Chal', 'Rog', 'Kaal', 'Labh', 'Udveg', 'Shubh'] },
  { day: ['Amrit', 'Kaal', 'Shubh', 'Rog', 'Udveg', 'Chal', 'Labh', 'Amrit'], night: ['Chal', 'Rog', 'Kaal', 'Labh', 'Udveg', 'Shubh', 'Amrit', 'Chal'] },
  { day: ['Rog', 'Udveg', 'Chal', 'Labh', 'Amrit', 'Kaal', 'Shubh', 'Rog'], night: ['Kaal', 'Labh', 'Udveg', 'Shubh', 'Amrit', 'Chal', 'Rog', 'Kaal'] },
  { day: ['Labh', 'Amrit', 'Kaal', 'Shubh', 'Rog', 'Udveg', 'Chal', 'Labh'], night: ['Udveg', 'Shubh', 'Amrit', 'Chal', 'Rog', 'Kaal', 'Labh', 'Udveg'] },
  { day: ['Shubh', 'Rog', 'Udveg', 'Chal', 'Labh', 'Amrit', 'Kaal', 'Shubh'], night: ['Amrit', 'Chal', 'Rog', 'Kaal', 'Labh', 'Udveg', 'Shubh', 'Amrit'] },
  { day: ['Chal', 'Labh', 'Amrit', 'Kaal', 'Shubh', 'Rog', 'Udveg', 'Chal'], night: ['Rog', 'Kaal', 'Labh', 'Udveg', 'Shubh', 'Amrit', 'Chal', 'Rog'] },
  { day: ['Kaal', 'Shubh', 'Rog', 'Udveg', 'Chal', 'Labh', 'Amrit', 'Kaal'], night: ['Labh', 'Udveg', 'Shubh', 'Amrit', 'Chal', 'Rog', 'Kaal', 'Labh'] },
];

/** The planet ruling each choghadiya (used by the derivation test). */
export const CHOGHADIYA_LORD: Record<Choghadiya, VaraLord> = {
  Udveg: 'Sun', Chal: 'Venus', Labh: 'Mercury', Amrit: 'Moon', Kaal: 'Saturn', Shubh: 'Jupiter', Rog: 'Mars',
};

/**
 * Gand mool: the Moon in a nakshatra at a junction of water and fire signs
 * (gandanta): Ashwini, Ashlesha, Magha, Jyeshtha, Mula, Revati (Muhurta
 * Chintamani, gandanta; BPHS ch. 93 on birth in gandanta).
 */
export const GAND_MOOL_NAKSHATRAS = ['Ashwini', 'Ashlesha', 'Magha', 'Jyeshtha', 'Mula', 'Revati'] as const;

/** Lunar months from Chaitra; the month is named after the Sun's sign at the new moon that begins it, plus one (Meena → Chaitra). */
export const MASA_NAMES = [
  'Chaitra', 'Vaishakha', 'Jyeshtha', 'Ashadha', 'Shravana', 'Bhadrapada',
  'Ashvina', 'Kartika', 'Margashirsha', 'Pausha', 'Magha', 'Phalguna',
] as const;

/** Ritus by pairs of lunar months from Chaitra (Vasanta = Chaitra + Vaishakha, …). */
export const RITUS = ['Vasanta', 'Grishma', 'Varsha', 'Sharad', 'Hemanta', 'Shishira'] as const;

/** Shaka year = Gregorian year − 78 from Chaitra Shukla Pratipada; Vikram (Chaitradi) = Shaka + 135. */
export const SHAKA_OFFSET_YEARS = 78;
export const VIKRAM_MINUS_SHAKA_YEARS = 135;
