/**
 * Places every text of a chart picture: each body's label inside the region
 * of its sign, each region's sign label, the chart's name in the middle.
 * Pure: the same input gives the same boxes, and no two boxes overlap (the
 * renderer draws each text exactly in its box, see svg.ts).
 */
import { bandSpan, chartShape, clipPolygon, type ChartShape, type ChartStyle, type Polygon, type RegionShape } from './geometry';
import { bodyLabel, lineHeightEm, signAbbr, signNumber, textWidthEm, type Body, type LabelLanguage } from './labels';

export interface PictureBody {
  body: Body;
  signIndex: number;
  degreeInSign: number;
  retrograde: boolean;
}

export interface PictureInput {
  style: ChartStyle;
  lang: LabelLanguage;
  /** Width and height of the picture, px. */
  sizePx: number;
  ascendantSignIndex: number;
  /** The ascendant (body `Ascendant`) and the planets, each once. */
  bodies: PictureBody[];
  /** Written in the middle of south and east charts, one line each (e.g. "D9 Navamsa"). */
  centreLines: string[];
}

/** A text and the box it fills: `x`, `y` its top left corner, px. */
export interface PlacedText {
  kind: 'body' | 'sign' | 'centre';
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  fontPx: number;
  body?: Body;
  signIndex?: number;
  retrograde?: boolean;
}

export interface PlacedRegion extends RegionShape {
  isAscendant: boolean;
}

export interface ChartLayout {
  input: PictureInput;
  shape: ChartShape;
  regions: PlacedRegion[];
  texts: PlacedText[];
}

const MARGIN = 0.02;
const BODY_FONT_MAX = 0.034;
const SIGN_FONT = 0.03;
const GAP_EM = 0.45;

interface Fit {
  fontPx: number;
  boxes: { x: number; y: number; w: number; h: number }[];
}

/**
 * Rows of labels inside a convex polygon at one font size: as few rows as
 * will hold them, the block as near the middle as it fits, each row centred
 * in the width the polygon has over the row's whole height. null if they do not fit.
 */
function fitAt(poly: Polygon, widthsEm: number[], fontPx: number, lineEm: number, padPx: number): Fit | null {
  const ys = poly.map((p) => p.y);
  const top = Math.min(...ys) + padPx;
  const bottom = Math.max(...ys) - padPx;
  const lineH = fontPx * lineEm;
  const gap = fontPx * GAP_EM;
  const widths = widthsEm.map((w) => w * fontPx);
  const maxRows = Math.min(widths.length, Math.floor((bottom - top) / lineH));
  const steps = 8;
  const offsets = Array.from({ length: steps + 1 }, (_, i) => i).sort((a, b) => Math.abs(a - steps / 2) - Math.abs(b - steps / 2));
  for (let rows = 1; rows <= maxRows; rows++) {
    const slack = bottom - top - rows * lineH;
    for (const step of offsets) {
      const y0 = top + (slack * step) / steps;
      const boxes: Fit['boxes'] = [];
      let next = 0;
      for (let row = 0; row < rows && next < widths.length; row++) {
        const span = bandSpan(poly, y0 + row * lineH, y0 + (row + 1) * lineH);
        if (!span) continue;
        const l = span[0] + padPx;
        const avail = span[1] - padPx - l;
        const first = next;
        let used = 0;
        while (next < widths.length && used + (next > first ? gap : 0) + widths[next] <= avail) {
          used += (next > first ? gap : 0) + widths[next];
          next++;
        }
        let x = l + (avail - used) / 2;
        for (let i = first; i < next; i++) {
          boxes.push({ x, y: y0 + row * lineH + lineH * 0.02, w: widths[i], h: lineH * 0.96 });
          x += widths[i] + gap;
        }
      }
      if (next === widths.length) return { fontPx, boxes };
    }
  }
  return null;
}

/** The largest font (≤ maxPx) at which the labels fit; shrinks by 6 % a step. */
function fitLabels(poly: Polygon, widthsEm: number[], maxPx: number, lineEm: number, padPx: number): Fit {
  for (let fontPx = maxPx; fontPx >= 0.5; fontPx *= 0.94) {
    const fit = fitAt(poly, widthsEm, fontPx, lineEm, Math.min(padPx, fontPx * 0.3));
    if (fit) return fit;
  }
  throw new RangeError(`${widthsEm.length} labels do not fit in their region`);
}

function signText(region: RegionShape, style: ChartStyle, lang: LabelLanguage): string {
  return style === 'north' ? signNumber(region.signIndex, lang) : signAbbr(region.signIndex, lang);
}

/** The sign label's box: centred on its point (north) or tucked into its corner (south, east). */
function signBox(region: RegionShape, text: string, fontPx: number, lineEm: number, padPx: number): PlacedText {
  const w = textWidthEm(text) * fontPx;
  const h = fontPx * lineEm;
  const a = region.sign;
  let x: number;
  let y: number;
  if ('centre' in a) {
    x = a.centre.x - w / 2;
    y = a.centre.y - h / 2;
  } else {
    x = a.dx === 1 ? a.corner.x + padPx : a.corner.x - padPx - w;
    y = a.dy === 1 ? a.corner.y + padPx * 0.5 : a.corner.y - padPx * 0.5 - h;
  }
  return { kind: 'sign', text, x, y, w, h, fontPx, signIndex: region.signIndex };
}

function centreTexts(shape: ChartShape, lines: string[], maxPx: number, lineEm: number): PlacedText[] {
  if (!shape.centre || lines.length === 0) return [];
  const c = shape.centre;
  const widest = Math.max(...lines.map(textWidthEm));
  const fontPx = Math.min(maxPx, (c.w * 0.9) / widest, (c.h * 0.9) / (lines.length * lineEm));
  const h = fontPx * lineEm;
  const top = c.y + (c.h - h * lines.length) / 2;
  return lines.map((text, i) => {
    const w = textWidthEm(text) * fontPx;
    return { kind: 'centre' as const, text, x: c.x + (c.w - w) / 2, y: top + i * h, w, h, fontPx };
  });
}

export function layoutChart(input: PictureInput): ChartLayout {
  const { style, lang, sizePx } = input;
  const margin = sizePx * MARGIN;
  const side = sizePx - 2 * margin;
  const lineEm = lineHeightEm(lang);
  const signPx = sizePx * SIGN_FONT;
  const padPx = sizePx * 0.008;
  const shape = chartShape(style, input.ascendantSignIndex, margin, margin, side, signPx * lineEm);
  const texts: PlacedText[] = [];
  const regions: PlacedRegion[] = shape.regions.map((r) => ({ ...r, isAscendant: r.signIndex === input.ascendantSignIndex }));
  for (const region of regions) {
    texts.push(signBox(region, signText(region, style, lang), signPx, lineEm, padPx));
    const bodies = input.bodies.filter((b) => b.signIndex === region.signIndex);
    if (bodies.length === 0) continue;
    const labels = bodies.map((b) => bodyLabel(b.body, b.degreeInSign, b.retrograde, lang));
    let area = clipPolygon(region.outline, region.keep);
    // South: the ascendant's diagonal cuts the cell's top left corner off.
    if (style === 'south' && region.isAscendant) area = clipPolygon(area, southAscendantKeep(region, side / 4, padPx));
    const fit = fitLabels(area, labels.map(textWidthEm), sizePx * BODY_FONT_MAX, lineEm, padPx);
    fit.boxes.forEach((box, i) => {
      const b = bodies[i];
      texts.push({ kind: 'body', text: labels[i], ...box, fontPx: fit.fontPx, body: b.body, signIndex: b.signIndex, retrograde: b.retrograde });
    });
  }
  texts.push(...centreTexts(shape, input.centreLines, sizePx * BODY_FONT_MAX * 1.1, lineEm));
  return { input, shape, regions, texts };
}

/** Fraction of a south cell's side cut by the ascendant's diagonal. */
export const SOUTH_ASC_MARK = 0.22;

/** The half-plane x + y ≥ (corner + mark + pad) of the ascendant's south cell. */
function southAscendantKeep(region: RegionShape, cellPx: number, padPx: number) {
  const corner = region.outline[0];
  return { a: -1, b: -1, c: -(corner.x + corner.y + SOUTH_ASC_MARK * cellPx + padPx * 2) };
}
