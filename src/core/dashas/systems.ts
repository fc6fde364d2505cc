/**
 * The nakshatra dasha systems as data: lords and years, how the birth lord
 * and the part of its period already gone come from the Moon's nakshatra, the
 * default year length and, for the conditional dashas, the classical
 * condition. One engine (tree.ts, start.ts, conditions.ts) reads them all.
 * Sources, per system, are in README.md beside this file.
 */
import { NAKSHATRA_LORDS, type NakshatraLord } from '../zodiac';
import type { Condition } from './conditions';

export type Graha = NakshatraLord;

export interface DashaLord {
  /** The name a period is shown under (a graha, or a yogini). */
  lord: string;
  /** The graha behind it (same as `lord` except for Yogini). */
  planet: Graha;
  years: number;
}

/**
 * How the birth lord is found.
 * - `count`: count nakshatras from `from` to the birth nakshatra (or from the
 *   birth nakshatra to `from`, `backward`), both inclusive; the remainder
 *   after dividing by the number of lords names the lord (0 = the last).
 *   The part gone is the part of the Moon's nakshatra gone.
 * - `number_plus`: (nakshatra number 1–27 + add) mod lords, 0 = the last.
 * - `groups`: counting from `from`, each lord rules `sizes[i]` nakshatras in
 *   turn; each nakshatra of a group carries an equal share of the lord's years,
 *   so the part gone is (nakshatras of the group passed + part of the Moon's
 *   nakshatra gone) / group size. With `abhijit`, the 28-mansion zodiac is used
 *   (Abhijit between Uttara Ashadha and Shravana, see start.ts).
 */
export type StartRule =
  | { kind: 'count'; from: number; direction: 'forward' | 'backward' }
  | { kind: 'number_plus'; add: number }
  | { kind: 'groups'; from: number; sizes: readonly number[]; abhijit: boolean };

export interface DashaMethod {
  name: string;
  description: string;
  start: StartRule;
}

export const NAKSHATRA_DASHA_SYSTEMS = [
  'vimshottari', 'ashtottari', 'yogini', 'shodashottari', 'dwadashottari', 'panchottari', 'shatabdika',
  'chaturashiti_sama', 'dwisaptati_sama', 'shashtihayani', 'shattrimsha_sama', 'tribhagi',
] as const;
export type NakshatraDashaSystemName = (typeof NAKSHATRA_DASHA_SYSTEMS)[number];

export interface NakshatraDashaSystem {
  name: NakshatraDashaSystemName;
  title: string;
  /** In cyclic order; sub-periods run in the same order from their parent's lord. */
  lords: readonly DashaLord[];
  /** Times the sequence repeats at level 1 (the full span is cycles × the sum of the years). */
  cycles: number;
  defaultYearDays: number;
  /** The first is the default. */
  methods: readonly [DashaMethod, ...DashaMethod[]];
  /** The classical condition under which the system applies; none = universal. */
  condition?: Condition;
}

// Nakshatra indices (0 = Ashwini), named where a rule starts counting.
const ASHWINI = 0;
const ARDRA = 5;
const PUSHYA = 7;
const SWATI = 14;
const ANURADHA = 16;
const MULA = 18;
const SHRAVANA = 21;
const REVATI = 26;

const VIMSHOTTARI_YEARS: Record<Graha, number> = { Ketu: 7, Venus: 20, Sun: 6, Moon: 10, Mars: 7, Rahu: 18, Jupiter: 16, Saturn: 19, Mercury: 17 };

const grahas = (pairs: readonly (readonly [Graha, number])[]): DashaLord[] => pairs.map(([planet, years]) => ({ lord: planet, planet, years }));
const equal = (planets: readonly Graha[], years: number): DashaLord[] => planets.map((planet) => ({ lord: planet, planet, years }));
const countFrom = (name: string, description: string, from: number, direction: 'forward' | 'backward' = 'forward'): [DashaMethod] => [
  { name, description, start: { kind: 'count', from, direction } },
];

// The nine lords in the order of NAKSHATRA_LORDS (Ketu rules Ashwini): one home for that rule.
const VIMSHOTTARI_LORDS = NAKSHATRA_LORDS.map((planet) => ({ lord: planet, planet, years: VIMSHOTTARI_YEARS[planet] }));
const VIMSHOTTARI_START = countFrom('parashara', 'Lord of the Moon\'s nakshatra (Ketu from Ashwini, in the order Ketu, Venus, Sun, …)', ASHWINI);

export const DASHA_SYSTEMS: Record<NakshatraDashaSystemName, NakshatraDashaSystem> = {
  vimshottari: {
    name: 'vimshottari',
    title: 'Vimshottari (120 years)',
    lords: VIMSHOTTARI_LORDS,
    cycles: 1,
    defaultYearDays: 365.25,
    methods: VIMSHOTTARI_START,
  },
  tribhagi: {
    name: 'tribhagi',
    title: 'Tribhagi (Vimshottari in thirds: 40 years, three rounds)',
    lords: VIMSHOTTARI_LORDS.map((l) => ({ ...l, years: l.years / 3 })),
    cycles: 3,
    defaultYearDays: 365.25,
    methods: VIMSHOTTARI_START,
  },
  ashtottari: {
    name: 'ashtottari',
    title: 'Ashtottari (108 years)',
    lords: grahas([['Sun', 6], ['Moon', 15], ['Mars', 8], ['Mercury', 17], ['Saturn', 10], ['Jupiter', 19], ['Rahu', 12], ['Venus', 21]]),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: [
      {
        name: 'abhijit',
        description: 'Groups of 4,3,4,3,4,3,4,3 of the 28 mansions from Ardra; Abhijit (276°40′–280°53′20″) is the third of Saturn\'s four',
        start: { kind: 'groups', from: ARDRA, sizes: [4, 3, 4, 3, 4, 3, 4, 3], abhijit: true },
      },
      {
        name: 'no_abhijit',
        description: 'Groups of the 27 nakshatras from Ardra; Saturn rules three (P.Ashadha, U.Ashadha, Shravana)',
        start: { kind: 'groups', from: ARDRA, sizes: [4, 3, 4, 3, 3, 3, 4, 3], abhijit: false },
      },
    ],
    // Rahu in a kendra or trikona from the lagna lord, but not in the lagna.
    condition: {
      kind: 'all',
      of: [
        { kind: 'planet_from_lagna_lord', planet: 'Rahu', houses: [1, 4, 5, 7, 9, 10] },
        { kind: 'not', of: { kind: 'planet_in_house', planet: 'Rahu', houses: [1] } },
      ],
    },
  },
  yogini: {
    name: 'yogini',
    title: 'Yogini (36 years, three rounds)',
    lords: [
      { lord: 'Mangala', planet: 'Moon', years: 1 },
      { lord: 'Pingala', planet: 'Sun', years: 2 },
      { lord: 'Dhanya', planet: 'Jupiter', years: 3 },
      { lord: 'Bhramari', planet: 'Mars', years: 4 },
      { lord: 'Bhadrika', planet: 'Mercury', years: 5 },
      { lord: 'Ulka', planet: 'Saturn', years: 6 },
      { lord: 'Siddha', planet: 'Venus', years: 7 },
      { lord: 'Sankata', planet: 'Rahu', years: 8 },
    ],
    cycles: 3,
    defaultYearDays: 365.25,
    methods: [{ name: 'parashara', description: '(nakshatra number + 3) mod 8, 1 = Mangala, 0 = Sankata', start: { kind: 'number_plus', add: 3 } }],
  },
  shodashottari: {
    name: 'shodashottari',
    title: 'Shodashottari (116 years)',
    lords: grahas([['Sun', 11], ['Mars', 12], ['Jupiter', 13], ['Saturn', 14], ['Ketu', 15], ['Moon', 16], ['Mercury', 17], ['Venus', 18]]),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from Pushya to the birth nakshatra, remainder by 8', PUSHYA),
    condition: {
      kind: 'any',
      of: [
        { kind: 'all', of: [{ kind: 'lagna_hora', hora: 'Moon' }, { kind: 'paksha', paksha: 'krishna' }] },
        { kind: 'all', of: [{ kind: 'lagna_hora', hora: 'Sun' }, { kind: 'paksha', paksha: 'shukla' }] },
      ],
    },
  },
  dwadashottari: {
    name: 'dwadashottari',
    title: 'Dwadashottari (112 years)',
    lords: grahas([['Sun', 7], ['Jupiter', 9], ['Ketu', 11], ['Mercury', 13], ['Rahu', 15], ['Mars', 17], ['Saturn', 19], ['Moon', 21]]),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from the birth nakshatra to Revati, remainder by 8', REVATI, 'backward'),
    // Lagna in a navamsa of Venus (Taurus or Libra navamsa).
    condition: { kind: 'lagna_varga_sign', division: 9, signs: ['Taurus', 'Libra'] },
  },
  panchottari: {
    name: 'panchottari',
    title: 'Panchottari (105 years)',
    lords: grahas([['Sun', 12], ['Moon', 13], ['Mars', 14], ['Mercury', 15], ['Jupiter', 16], ['Venus', 17], ['Saturn', 18]]),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from Anuradha to the birth nakshatra, remainder by 7', ANURADHA),
    condition: { kind: 'all', of: [{ kind: 'lagna_sign', signs: ['Cancer'] }, { kind: 'lagna_varga_sign', division: 12, signs: ['Cancer'] }] },
  },
  shatabdika: {
    name: 'shatabdika',
    title: 'Shatabdika (100 years)',
    lords: grahas([['Sun', 5], ['Moon', 5], ['Venus', 10], ['Mercury', 10], ['Jupiter', 20], ['Mars', 20], ['Saturn', 30]]),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from Revati to the birth nakshatra, remainder by 7', REVATI),
    condition: { kind: 'vargottama_lagna' },
  },
  chaturashiti_sama: {
    name: 'chaturashiti_sama',
    title: 'Chaturashiti sama (84 years)',
    lords: equal(['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn'], 12),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from Swati to the birth nakshatra, remainder by 7', SWATI),
    condition: { kind: 'lord_in_house', ofHouse: 10, houses: [10] },
  },
  dwisaptati_sama: {
    name: 'dwisaptati_sama',
    title: 'Dwisaptati sama (72 years)',
    lords: equal(['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu'], 9),
    cycles: 1,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from Mula to the birth nakshatra, remainder by 8', MULA),
    condition: { kind: 'any', of: [{ kind: 'lord_in_house', ofHouse: 1, houses: [7] }, { kind: 'lord_in_house', ofHouse: 7, houses: [1] }] },
  },
  shashtihayani: {
    name: 'shashtihayani',
    title: 'Shashtihayani (60 years)',
    lords: grahas([['Jupiter', 10], ['Sun', 10], ['Mars', 10], ['Moon', 6], ['Mercury', 6], ['Venus', 6], ['Saturn', 6], ['Rahu', 6]]),
    cycles: 2,
    defaultYearDays: 365.25,
    methods: [
      {
        name: 'parashara',
        description: 'Groups of 4,3,3,4,3,3,4,3 nakshatras from Ashwini (Moon: P.Phalguni to Chitra), each nakshatra an equal share',
        start: { kind: 'groups', from: ASHWINI, sizes: [4, 3, 3, 4, 3, 3, 4, 3], abhijit: false },
      },
    ],
    condition: { kind: 'planet_in_house', planet: 'Sun', houses: [1] },
  },
  shattrimsha_sama: {
    name: 'shattrimsha_sama',
    title: 'Shattrimsha sama (36 years, three rounds)',
    lords: grahas([['Moon', 1], ['Sun', 2], ['Jupiter', 3], ['Mars', 4], ['Mercury', 5], ['Saturn', 6], ['Venus', 7], ['Rahu', 8]]),
    cycles: 3,
    defaultYearDays: 365.25,
    methods: countFrom('parashara', 'Count from Shravana to the birth nakshatra, remainder by 8', SHRAVANA),
    condition: {
      kind: 'any',
      of: [
        { kind: 'all', of: [{ kind: 'birth', when: 'day' }, { kind: 'lagna_hora', hora: 'Sun' }] },
        { kind: 'all', of: [{ kind: 'birth', when: 'night' }, { kind: 'lagna_hora', hora: 'Moon' }] },
      ],
    },
  },
};

/** Sum of one round's years. */
export function cycleYears(system: NakshatraDashaSystem): number {
  return system.lords.reduce((sum, l) => sum + l.years, 0);
}

export function isNakshatraDashaSystem(name: string): name is NakshatraDashaSystemName {
  return (NAKSHATRA_DASHA_SYSTEMS as readonly string[]).includes(name);
}

export function dashaMethod(system: NakshatraDashaSystem, name: string | undefined): DashaMethod | undefined {
  return name === undefined ? system.methods[0] : system.methods.find((m) => m.name === name);
}
