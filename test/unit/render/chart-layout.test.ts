/**
 * The chart picture's layout (src/render/): every body drawn once, in the
 * region of its sign, inside that region, no two texts overlapping; the
 * regions where each style's convention puts them; the SVG self-contained.
 *
 * Conventions checked, written here from the descriptions of the three
 * styles (not from the implementation's tables): north: house 1 is the top
 * diamond, 4 the left, 7 the bottom, 10 the right; south: Pisces in the top
 * left cell, Aries to its right, signs clockwise; east: Aries top middle,
 * Cancer left middle, Libra bottom middle, Capricorn right middle, Taurus in
 * the top-left cell's half along the top edge.
 */
import { describe, expect, it } from 'vitest';
import { computeNatal, PLANETS, type NatalChart } from '../../../src/core/natal';
import { vargaChart } from '../../../src/core/varga';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { SIGNS } from '../../../src/core/zodiac';
import { resolveTime } from '../../../src/core/time';
import { chartLayout, chartSvg, CHART_STYLES, type DrawableChart, type PictureOptions } from '../../../src/render/chart-svg';
import { pointInConvex, type Point } from '../../../src/render/geometry';
import type { ChartLayout, PlacedText } from '../../../src/render/layout';
import { nodeEngine } from '../../support/node-engine';

const engine = nodeEngine();

function natalAt(local: string, timezone: string, latDeg: number, lonDeg: number): NatalChart {
  const time = resolveTime({ datetime: local, timezone });
  return computeNatal(engine, { jdUt: time.jdUt, latDeg, lonDeg, settings: DEFAULT_SETTINGS });
}

// The standard chart of the project's docs: 1996-12-07 10:34 IST, Chennai.
const standard = natalAt('1996-12-07T10:34:00', 'Asia/Kolkata', 13.0878, 80.2785);
// 1962-02-04/05, the "great conjunction": Sun, Moon, Mars, Mercury, Jupiter, Venus and Saturn
// all in sidereal Capricorn (with Ketu), a real chart with 5+ bodies in one sign.
const crowded = natalAt('1962-02-05T06:00:00', 'Asia/Kolkata', 28.6139, 77.209);

const options = (o: Partial<PictureOptions> = {}): PictureOptions => ({
  style: 'north', theme: 'light', sizePx: 480, labels: 'en', outer: false, chartName: 'D1 Rasi', when: '1996-12-07 10:34 +05:30', ...o,
});

function overlaps(a: PlacedText, b: PlacedText): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

const corners = (t: PlacedText): Point[] => [
  { x: t.x, y: t.y }, { x: t.x + t.w, y: t.y }, { x: t.x + t.w, y: t.y + t.h }, { x: t.x, y: t.y + t.h },
];

/** Every invariant of a layout, for a chart whose bodies are `expected` (body → sign index). */
function checkLayout(layout: ChartLayout, expected: Map<string, number>) {
  const bodies = layout.texts.filter((t) => t.kind === 'body');
  expect(bodies.map((t) => t.body).sort()).toEqual([...expected.keys()].sort());
  for (const t of bodies) {
    expect(t.signIndex, t.body).toBe(expected.get(t.body!));
    const region = layout.regions.find((r) => r.signIndex === t.signIndex)!;
    for (const c of corners(t)) expect(pointInConvex(region.outline, c, 0.01), `${t.body} inside its sign's region`).toBe(true);
    // Readable: never below 7 px at this size.
    expect(t.fontPx).toBeGreaterThanOrEqual(7);
  }
  for (const region of layout.regions) {
    const sign = layout.texts.filter((t) => t.kind === 'sign' && t.signIndex === region.signIndex);
    expect(sign).toHaveLength(1);
    for (const c of corners(sign[0])) expect(pointInConvex(region.outline, c, 0.01), `sign label ${region.signIndex}`).toBe(true);
  }
  expect(new Set(layout.regions.map((r) => r.signIndex)).size).toBe(12);
  for (let i = 0; i < layout.texts.length; i++) {
    for (let j = i + 1; j < layout.texts.length; j++) {
      const [a, b] = [layout.texts[i], layout.texts[j]];
      expect(overlaps(a, b), `"${a.text}" and "${b.text}" overlap`).toBe(false);
    }
  }
}

function expectedSigns(chart: DrawableChart, outer = false): Map<string, number> {
  const m = new Map<string, number>([['Ascendant', SIGNS.indexOf(chart.ascendant.sign)]]);
  for (const p of PLANETS) if (outer || !['Uranus', 'Neptune', 'Pluto'].includes(p)) m.set(p, SIGNS.indexOf(chart.planets[p].sign));
  return m;
}

const centreOf = (poly: Point[]) => ({ x: poly.reduce((s, p) => s + p.x, 0) / poly.length, y: poly.reduce((s, p) => s + p.y, 0) / poly.length });

describe('chart layout', () => {
  it('the crowded 1962 chart really has 5+ bodies in one sign', () => {
    const counts = new Map<string, number>();
    for (const p of PLANETS) counts.set(crowded.planets[p].sign, (counts.get(crowded.planets[p].sign) ?? 0) + 1);
    expect(counts.get('Capricorn')).toBeGreaterThanOrEqual(5);
  });

  for (const style of CHART_STYLES) {
    for (const [name, chart] of [['standard D1', standard], ['standard D9', vargaChart(standard, 9)], ['crowded D1', crowded], ['crowded D9', vargaChart(crowded, 9)]] as const) {
      for (const labels of ['en', 'hi'] as const) {
        it(`${style} ${name} (${labels}): every body once, in its sign, no overlaps`, () => {
          checkLayout(chartLayout(chart, options({ style, labels })), expectedSigns(chart));
        });
      }
    }
    it(`${style}: all twelve bodies in one sign, at the smallest size, still fit apart`, () => {
      const one: DrawableChart = {
        ascendant: { sign: 'Capricorn', degreeInSign: 1 },
        planets: Object.fromEntries(PLANETS.map((p, i) => [p, { sign: 'Capricorn', degreeInSign: i * 2.5, retrograde: i % 2 === 0 }])) as DrawableChart['planets'],
      };
      const layout = chartLayout(one, options({ style, sizePx: 200, outer: true }));
      const expected = expectedSigns(one, true);
      const bodies = layout.texts.filter((t) => t.kind === 'body');
      expect(bodies).toHaveLength(13);
      expect(bodies.every((t) => t.signIndex === expected.get(t.body!))).toBe(true);
      for (let i = 0; i < layout.texts.length; i++) for (let j = i + 1; j < layout.texts.length; j++) expect(overlaps(layout.texts[i], layout.texts[j])).toBe(false);
    });
  }

  it('north: houses fixed (1 top, 4 left, 7 bottom, 10 right), sign numbers from the ascendant', () => {
    const layout = chartLayout(standard, options({ style: 'north' }));
    const mid = 240;
    const house = (h: number) => centreOf(layout.regions.find((r) => r.house === h)!.outline);
    expect(house(1).y).toBeLessThan(mid);
    expect(Math.abs(house(1).x - mid)).toBeLessThan(1);
    expect(house(4).x).toBeLessThan(mid);
    expect(house(7).y).toBeGreaterThan(mid);
    expect(house(10).x).toBeGreaterThan(mid);
    // House 2 is anticlockwise from house 1: the top-left triangle.
    expect(house(2).x).toBeLessThan(mid);
    expect(house(2).y).toBeLessThan(house(3).y);
    // Capricorn rising (the standard chart): house 1 carries 10, house 2 carries 11.
    expect(standard.ascendant.sign).toBe('Capricorn');
    const signText = (h: number) => layout.texts.find((t) => t.kind === 'sign' && t.signIndex === layout.regions.find((r) => r.house === h)!.signIndex)!.text;
    expect([signText(1), signText(2), signText(12)]).toEqual(['10', '11', '9']);
    // The Sun (Scorpio) is in house 11 of a Capricorn ascendant.
    const sun = layout.texts.find((t) => t.body === 'Sun')!;
    const region = layout.regions.find((r) => r.signIndex === sun.signIndex)!;
    expect(region.house).toBe(11);
  });

  it('south: signs fixed, Pisces top left and clockwise; the ascendant marked', () => {
    const layout = chartLayout(standard, options({ style: 'south' }));
    const cell = (sign: string) => centreOf(layout.regions.find((r) => r.signIndex === SIGNS.indexOf(sign as never))!.outline);
    const q = 464 / 4;
    const at = (sign: string) => [Math.floor((cell(sign).x - 9.6) / q), Math.floor((cell(sign).y - 9.6) / q)];
    expect(at('Pisces')).toEqual([0, 0]);
    expect(at('Aries')).toEqual([1, 0]);
    expect(at('Gemini')).toEqual([3, 0]);
    expect(at('Cancer')).toEqual([3, 1]);
    expect(at('Virgo')).toEqual([3, 3]);
    expect(at('Sagittarius')).toEqual([0, 3]);
    expect(at('Aquarius')).toEqual([0, 1]);
    expect(layout.regions.filter((r) => r.isAscendant).map((r) => SIGNS[r.signIndex])).toEqual(['Capricorn']);
  });

  it('east: Aries top middle, Cancer left, Libra bottom, Capricorn right, Taurus along the top', () => {
    const layout = chartLayout(standard, options({ style: 'east' }));
    const third = 464 / 3;
    const cell = (sign: string) => {
      const c = centreOf(layout.regions.find((r) => r.signIndex === SIGNS.indexOf(sign as never))!.outline);
      return [Math.floor((c.x - 9.6) / third), Math.floor((c.y - 9.6) / third)];
    };
    expect(cell('Aries')).toEqual([1, 0]);
    expect(cell('Cancer')).toEqual([0, 1]);
    expect(cell('Libra')).toEqual([1, 2]);
    expect(cell('Capricorn')).toEqual([2, 1]);
    expect(cell('Taurus')).toEqual([0, 0]);
    expect(cell('Gemini')).toEqual([0, 0]);
    const taurus = layout.regions.find((r) => r.signIndex === 1)!;
    const gemini = layout.regions.find((r) => r.signIndex === 2)!;
    expect(centreOf(taurus.outline).y).toBeLessThan(centreOf(gemini.outline).y);
  });
});

describe('chart SVG', () => {
  it('is one self-contained, well-formed SVG document with title and desc', () => {
    for (const style of CHART_STYLES) {
      for (const theme of ['light', 'dark'] as const) {
        const svg = chartSvg(standard, options({ style, theme, labels: 'hi' }));
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg).toMatch(/<title id="chart-title">[^<]+<\/title>/);
        expect(svg).toMatch(/<desc id="chart-desc">[^<]*Ascendant: Capricorn 22°26′/);
        expect(svg).not.toMatch(/<script|href|url\(|@import|<style|\sstyle=|<foreignObject|\son[a-z]+=/i);
        // Balanced tags: a tiny well-formedness check (every element closed in order).
        const stack: string[] = [];
        for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
          if (m[1]) expect(stack.pop()).toBe(m[2]);
          else if (!m[3]) stack.push(m[2]);
        }
        expect(stack).toEqual([]);
        // Each body once (nine grahas + ascendant), with its degree.
        expect([...svg.matchAll(/data-body="/g)]).toHaveLength(10);
      }
    }
  });

  it('writes degrees and the retrograde mark', () => {
    const svg = chartSvg(crowded, options({ labels: 'en', outer: true }));
    expect([...svg.matchAll(/data-body="/g)]).toHaveLength(13);
    for (const p of PLANETS) {
      const pos = crowded.planets[p];
      const deg = Math.floor(pos.degreeInSign);
      expect(svg).toMatch(new RegExp(`data-body="${p}"[^>]*>[A-Z][a-z]${pos.retrograde ? '\\(R\\)' : ''} ${deg}°`));
    }
    // Rahu and Ketu move backwards with the mean node: marked retrograde.
    expect(svg).toMatch(/data-body="Rahu"[^>]*>Ra\(R\)/);
  });

  it('escapes text and honours the size', () => {
    const svg = chartSvg(standard, options({ sizePx: 320, chartName: 'D1 <Rasi> & "x"' }));
    expect(svg).toContain('width="320" height="320" viewBox="0 0 320 320"');
    expect(svg).toContain('D1 &lt;Rasi&gt; &amp; &quot;x&quot;');
  });
});
