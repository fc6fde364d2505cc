/**
 * Classical applicability conditions of the conditional dashas, as data, and
 * the one evaluator that reads them against a natal chart. Houses are whole
 * signs from the lagna, as in the classical statements.
 */
import type { NatalChart } from '../natal';
import { vargaPoint } from '../varga';
import { SIGNS, SIGN_LORDS, normalizeDeg, signIndex, type Sign } from '../zodiac';
import type { Graha } from './systems';

export type Condition =
  | { kind: 'all' | 'any'; of: readonly Condition[] }
  | { kind: 'not'; of: Condition }
  | { kind: 'lagna_hora'; hora: 'Sun' | 'Moon' }
  | { kind: 'paksha'; paksha: 'shukla' | 'krishna' }
  | { kind: 'birth'; when: 'day' | 'night' }
  | { kind: 'lagna_sign'; signs: readonly Sign[] }
  | { kind: 'lagna_varga_sign'; division: 9 | 12; signs: readonly Sign[] }
  | { kind: 'vargottama_lagna' }
  | { kind: 'lord_in_house'; ofHouse: number; houses: readonly number[] }
  | { kind: 'planet_in_house'; planet: Graha; houses: readonly number[] }
  | { kind: 'planet_from_lagna_lord'; planet: Graha; houses: readonly number[] };

export interface Applicability {
  applicable: boolean;
  /** Each fact the verdict rests on, as found in this chart. */
  reason: string;
}

type Chart = Pick<NatalChart, 'ascendant' | 'planets'>;

const houseOfSign = (sign: number, lagnaSign: number) => ((sign - lagnaSign + 12) % 12) + 1;
const list = (xs: readonly (string | number)[]) => xs.join(' or ');

function evaluate(c: Condition, chart: Chart): Applicability {
  const asc = chart.ascendant.longitudeDeg;
  const lagnaSign = signIndex(asc);
  const house = (planet: Graha) => houseOfSign(signIndex(chart.planets[planet].longitudeDeg), lagnaSign);
  switch (c.kind) {
    case 'all':
    case 'any': {
      const parts = c.of.map((x) => evaluate(x, chart));
      const applicable = c.kind === 'all' ? parts.every((p) => p.applicable) : parts.some((p) => p.applicable);
      return { applicable, reason: parts.map((p) => `(${p.reason})`).join(c.kind === 'all' ? ' and ' : ' or ') };
    }
    case 'not': {
      const inner = evaluate(c.of, chart);
      return { applicable: !inner.applicable, reason: `not ${inner.reason}` };
    }
    case 'lagna_hora': {
      // Parashara's hora: Leo is the Sun's half, Cancer the Moon's.
      const hora = vargaPoint(asc, 2).sign === 'Leo' ? 'Sun' : 'Moon';
      return { applicable: hora === c.hora, reason: `lagna in the ${c.hora}'s hora: ${hora === c.hora ? 'yes' : `no, the ${hora}'s`}` };
    }
    case 'paksha': {
      const elongation = normalizeDeg(chart.planets.Moon.longitudeDeg - chart.planets.Sun.longitudeDeg);
      const paksha = elongation < 180 ? 'shukla' : 'krishna';
      return { applicable: paksha === c.paksha, reason: `${c.paksha} paksha: ${paksha === c.paksha ? 'yes' : `no, ${paksha}`} (Moon ${elongation.toFixed(2)}° from the Sun)` };
    }
    case 'birth': {
      // The Sun's centre above the horizon: it lies in the half of the ecliptic behind the rising point.
      const when = normalizeDeg(chart.planets.Sun.longitudeDeg - asc) >= 180 ? 'day' : 'night';
      return { applicable: when === c.when, reason: `${c.when} birth: ${when === c.when ? 'yes' : `no, ${when}`}` };
    }
    case 'lagna_sign': {
      const sign = SIGNS[lagnaSign];
      return { applicable: c.signs.includes(sign), reason: `lagna in ${list(c.signs)}: ${c.signs.includes(sign) ? 'yes' : `no, ${sign}`}` };
    }
    case 'lagna_varga_sign': {
      const sign = vargaPoint(asc, c.division).sign;
      return { applicable: c.signs.includes(sign), reason: `D${c.division} lagna in ${list(c.signs)}: ${c.signs.includes(sign) ? 'yes' : `no, ${sign}`}` };
    }
    case 'vargottama_lagna': {
      const d9 = vargaPoint(asc, 9).sign;
      const d1 = SIGNS[lagnaSign];
      return { applicable: d9 === d1, reason: `lagna vargottama: ${d9 === d1 ? 'yes' : 'no'} (D1 ${d1}, D9 ${d9})` };
    }
    case 'lord_in_house': {
      const lord = SIGN_LORDS[(lagnaSign + c.ofHouse - 1) % 12];
      const h = house(lord);
      return { applicable: c.houses.includes(h), reason: `lord of house ${c.ofHouse} (${lord}) in house ${list(c.houses)}: ${c.houses.includes(h) ? 'yes' : `no, in ${h}`}` };
    }
    case 'planet_in_house': {
      const h = house(c.planet);
      return { applicable: c.houses.includes(h), reason: `${c.planet} in house ${list(c.houses)}: ${c.houses.includes(h) ? 'yes' : `no, in ${h}`}` };
    }
    case 'planet_from_lagna_lord': {
      const lord = SIGN_LORDS[lagnaSign];
      const h = houseOfSign(signIndex(chart.planets[c.planet].longitudeDeg), signIndex(chart.planets[lord].longitudeDeg));
      return { applicable: c.houses.includes(h), reason: `${c.planet} in house ${list(c.houses)} from the lagna lord ${lord}: ${c.houses.includes(h) ? 'yes' : `no, in ${h}`}` };
    }
  }
}

export function applicability(condition: Condition, chart: Chart): Applicability {
  return evaluate(condition, chart);
}
