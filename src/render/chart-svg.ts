/**
 * A chart (natal or divisional) as an SVG picture: the one entry point the
 * routes and bulk jobs call. Charts are drawn as rasi charts: every body in
 * the box of its sign, houses counted in whole signs from the ascendant's
 * sign (what a north chart's fixed houses mean), whatever house system the
 * JSON's `house` fields used.
 */
import { PLANETS, type Planet } from '../core/natal';
import { SIGNS, type Sign } from '../core/zodiac';
import type { ChartStyle } from './geometry';
import { degreeText, type Body, type LabelLanguage } from './labels';
import { layoutChart, type ChartLayout, type PictureBody } from './layout';
import { renderSvg, type ChartTheme } from './svg';

export { CHART_STYLES, type ChartStyle } from './geometry';
export { CHART_THEMES, type ChartTheme } from './svg';
export { LABEL_LANGUAGES, type LabelLanguage } from './labels';

/** The outer planets are optional on a Vedic chart; the nine grahas always drawn. */
export const OUTER_PLANETS: readonly Planet[] = ['Uranus', 'Neptune', 'Pluto'];

export const SIZE_MIN_PX = 200;
export const SIZE_MAX_PX = 1600;
export const SIZE_DEFAULT_PX = 480;

/** What the picture needs of a chart: NatalChart and VargaChart both have it. */
export interface DrawableChart {
  ascendant: { sign: Sign; degreeInSign: number };
  planets: Record<Planet, { sign: Sign; degreeInSign: number; retrograde: boolean }>;
}

export interface PictureOptions {
  style: ChartStyle;
  theme: ChartTheme;
  sizePx: number;
  labels: LabelLanguage;
  /** Draw Uranus, Neptune and Pluto too. */
  outer: boolean;
  /** e.g. "D9 Navamsa". */
  chartName: string;
  /** The birth moment as the caller should read it, e.g. "1996-12-07 10:34 +05:30". */
  when: string;
}

const STYLE_NAME: Record<ChartStyle, string> = { north: 'North Indian', south: 'South Indian', east: 'East Indian' };

export function pictureBodies(chart: DrawableChart, outer: boolean): PictureBody[] {
  const ascendant: PictureBody = { body: 'Ascendant', signIndex: SIGNS.indexOf(chart.ascendant.sign), degreeInSign: chart.ascendant.degreeInSign, retrograde: false };
  const planets = PLANETS.filter((p) => outer || !OUTER_PLANETS.includes(p)).map((p) => {
    const pos = chart.planets[p];
    return { body: p as Body, signIndex: SIGNS.indexOf(pos.sign), degreeInSign: pos.degreeInSign, retrograde: pos.retrograde };
  });
  return [ascendant, ...planets];
}

/** Every placement in words, for `<desc>` (and so for screen readers and text search). */
export function describeChart(bodies: PictureBody[], ascSignIndex: number, options: PictureOptions): string {
  const placements = bodies.map((b) => {
    const where = `${b.body}: ${SIGNS[b.signIndex]} ${degreeText(b.degreeInSign, 'en')}`;
    if (b.body === 'Ascendant') return where;
    const house = ((b.signIndex - ascSignIndex + 12) % 12) + 1;
    return `${where}${b.retrograde ? ', retrograde' : ''}, house ${house}`;
  });
  return `${STYLE_NAME[options.style]} chart, ${options.chartName}, ${options.when}. ${placements.join('. ')}.`;
}

export function chartLayout(chart: DrawableChart, options: PictureOptions): ChartLayout {
  const bodies = pictureBodies(chart, options.outer);
  return layoutChart({
    style: options.style,
    lang: options.labels,
    sizePx: options.sizePx,
    ascendantSignIndex: bodies[0].signIndex,
    bodies,
    centreLines: [options.chartName, options.when],
  });
}

export function chartSvg(chart: DrawableChart, options: PictureOptions): string {
  const layout = chartLayout(chart, options);
  const bodies = layout.input.bodies;
  return renderSvg(layout, options.theme, {
    title: `${STYLE_NAME[options.style]} chart, ${options.chartName}`,
    desc: describeChart(bodies, layout.input.ascendantSignIndex, options),
  });
}
