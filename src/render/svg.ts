/**
 * A laid-out chart as a self-contained SVG document: presentation attributes
 * only (no `<style>`, no `style=`, so a page's CSP that forbids inline styles
 * can still show it inline), no scripts, no links, no external fonts; a
 * `<title>` and `<desc>` for screen readers.
 */
import { SOUTH_ASC_MARK, type ChartLayout, type PlacedText } from './layout';
import type { Point } from './geometry';

export const CHART_THEMES = ['light', 'dark'] as const;
export type ChartTheme = (typeof CHART_THEMES)[number];

interface Palette {
  background: string;
  line: string;
  ascendantFill: string;
  text: string;
  sign: string;
  retrograde: string;
}

/** Text on background at least 7:1 (WCAG AAA) in both themes; sign labels at least 4.5:1. */
const PALETTES: Record<ChartTheme, Palette> = {
  light: { background: '#fffdf8', line: '#7a5c3e', ascendantFill: '#f6ead6', text: '#1e1b18', sign: '#6b5a48', retrograde: '#9c2a1b' },
  dark: { background: '#16181d', line: '#a89272', ascendantFill: '#2a2620', text: '#f2efe9', sign: '#b9ad9c', retrograde: '#ff9d8a' },
};

/** Local fonts only; Noto Sans Devanagari (or any Devanagari face) for Hindi labels. */
const FONT_FAMILY = "'DejaVu Sans', 'Noto Sans', 'Noto Sans Devanagari', Arial, sans-serif";

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const n = (v: number) => String(Math.round(v * 100) / 100);
const pts = (poly: Point[]) => poly.map((p) => `${n(p.x)},${n(p.y)}`).join(' ');

function textElement(t: PlacedText, palette: Palette): string {
  const fill = t.kind === 'sign' ? palette.sign : t.retrograde ? palette.retrograde : palette.text;
  const data = t.kind === 'body' ? ` data-body="${t.body}" data-sign="${t.signIndex}"` : t.kind === 'sign' ? ` data-sign-label="${t.signIndex}"` : '';
  // textLength = the width the layout reserved, so no font can make two labels touch.
  return (
    `<text x="${n(t.x)}" y="${n(t.y + t.h / 2)}" font-size="${n(t.fontPx)}" textLength="${n(t.w)}" lengthAdjust="spacingAndGlyphs"` +
    ` dominant-baseline="central" fill="${fill}"${data}>${escapeXml(t.text)}</text>`
  );
}

export interface SvgText {
  title: string;
  desc: string;
}

export function renderSvg(layout: ChartLayout, theme: ChartTheme, meta: SvgText): string {
  const palette = PALETTES[theme];
  const { sizePx, lang, style } = layout.input;
  const { frame } = layout.shape;
  const stroke = n(Math.max(1, sizePx / 300));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${sizePx}" height="${sizePx}" viewBox="0 0 ${sizePx} ${sizePx}"` +
      ` role="img" aria-labelledby="chart-title chart-desc" lang="${lang}" font-family="${escapeXml(FONT_FAMILY)}" data-style="${style}">`,
    `<title id="chart-title">${escapeXml(meta.title)}</title>`,
    `<desc id="chart-desc">${escapeXml(meta.desc)}</desc>`,
    `<rect width="${sizePx}" height="${sizePx}" fill="${palette.background}"/>`,
  );
  for (const region of layout.regions) {
    if (region.isAscendant) parts.push(`<polygon points="${pts(region.outline)}" fill="${palette.ascendantFill}" data-ascendant="true"/>`);
  }
  parts.push(`<g stroke="${palette.line}" stroke-width="${stroke}" fill="none" stroke-linecap="square">`);
  parts.push(`<rect x="${n(frame.x)}" y="${n(frame.y)}" width="${n(frame.side)}" height="${n(frame.side)}"/>`);
  for (const [a, b] of layout.shape.lines) parts.push(`<line x1="${n(a.x)}" y1="${n(a.y)}" x2="${n(b.x)}" y2="${n(b.y)}"/>`);
  if (style === 'south') {
    const asc = layout.regions.find((r) => r.isAscendant);
    if (asc) {
      const c = asc.outline[0];
      const m = (frame.side / 4) * SOUTH_ASC_MARK;
      parts.push(`<line x1="${n(c.x)}" y1="${n(c.y + m)}" x2="${n(c.x + m)}" y2="${n(c.y)}"/>`);
    }
  }
  parts.push('</g>');
  parts.push(...layout.texts.map((t) => textElement(t, palette)));
  parts.push('</svg>');
  return parts.join('\n');
}
