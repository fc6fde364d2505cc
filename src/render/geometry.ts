/**
 * The three chart drawings as geometry: twelve convex regions (one per sign),
 * the lines to draw, where each region writes its sign, and the part of the
 * region left for the planets.
 *
 * - north: a square with its diagonals and the diamond joining the mid-points;
 *   houses are fixed (house 1 the top diamond, then anticlockwise) and each
 *   house carries the number of the sign in it.
 * - south: a 4×4 ring of cells with the signs fixed (Pisces top left, Aries
 *   beside it, clockwise); the ascendant's cell is marked with a diagonal.
 * - east: a 3×3 grid with the signs fixed (Aries top middle, anticlockwise);
 *   the corner cells are halved by their diagonals, two signs each.
 */
export const CHART_STYLES = ['north', 'south', 'east'] as const;
export type ChartStyle = (typeof CHART_STYLES)[number];

export interface Point {
  x: number;
  y: number;
}
export type Segment = [Point, Point];
export type Polygon = Point[];

/** Where a region writes its sign: a point the label is centred on, or a corner it hugs. */
export type SignAnchor = { centre: Point } | { corner: Point; dx: 1 | -1; dy: 1 | -1 };

export interface RegionShape {
  signIndex: number;
  /** The house the sign is, counted from the ascendant's sign (whole signs). */
  house: number;
  outline: Polygon;
  sign: SignAnchor;
  /** Half-plane a·x + b·y ≤ c that keeps the planets clear of the sign label. */
  keep: { a: number; b: number; c: number };
}

export interface ChartShape {
  style: ChartStyle;
  regions: RegionShape[];
  lines: Segment[];
  /** The square of the whole chart. */
  frame: { x: number; y: number; side: number };
  /** South and east: the empty middle, where the chart's name goes. */
  centre: { x: number; y: number; w: number; h: number } | null;
}

const mod12 = (n: number) => ((n % 12) + 12) % 12;
const P = (x: number, y: number): Point => ({ x, y });

/** `a·x + b·y ≤ c`, built from "x ≤ v", "y ≥ v"…, in chart units. */
function keep(axis: 'x' | 'y', op: '<=' | '>=', v: number) {
  const s = op === '<=' ? 1 : -1;
  return axis === 'x' ? { a: s, b: 0, c: s * v } : { a: 0, b: s, c: s * v };
}

interface Spec {
  outline: [number, number][];
  sign: SignAnchor;
  keep: { a: number; b: number; c: number };
}

/** North houses 1–12 in quarter-side units: outline, sign-number centre, the planets' side. */
const NORTH: Spec[] = [
  { outline: [[2, 0], [3, 1], [2, 2], [1, 1]], sign: { centre: P(2, 1.74) }, keep: keep('y', '<=', 1.5) },
  { outline: [[0, 0], [2, 0], [1, 1]], sign: { centre: P(1, 0.72) }, keep: keep('y', '<=', 0.52) },
  { outline: [[0, 0], [1, 1], [0, 2]], sign: { centre: P(0.72, 1) }, keep: keep('x', '<=', 0.5) },
  { outline: [[0, 2], [1, 1], [2, 2], [1, 3]], sign: { centre: P(1.74, 2) }, keep: keep('x', '<=', 1.5) },
  { outline: [[0, 2], [1, 3], [0, 4]], sign: { centre: P(0.72, 3) }, keep: keep('x', '<=', 0.5) },
  { outline: [[0, 4], [1, 3], [2, 4]], sign: { centre: P(1, 3.28) }, keep: keep('y', '>=', 3.48) },
  { outline: [[2, 4], [1, 3], [2, 2], [3, 3]], sign: { centre: P(2, 2.26) }, keep: keep('y', '>=', 2.5) },
  { outline: [[2, 4], [3, 3], [4, 4]], sign: { centre: P(3, 3.28) }, keep: keep('y', '>=', 3.48) },
  { outline: [[4, 4], [3, 3], [4, 2]], sign: { centre: P(3.28, 3) }, keep: keep('x', '>=', 3.5) },
  { outline: [[4, 2], [3, 3], [2, 2], [3, 1]], sign: { centre: P(2.26, 2) }, keep: keep('x', '>=', 2.5) },
  { outline: [[4, 2], [3, 1], [4, 0]], sign: { centre: P(3.28, 1) }, keep: keep('x', '>=', 3.5) },
  { outline: [[4, 0], [3, 1], [2, 0]], sign: { centre: P(3, 0.72) }, keep: keep('y', '<=', 0.52) },
];

/** South: the cell (column, row) of each sign, Aries first. */
const SOUTH_CELLS: [number, number][] = [
  [1, 0], [2, 0], [3, 0], [3, 1], [3, 2], [3, 3], [2, 3], [1, 3], [0, 3], [0, 2], [0, 1], [0, 0],
];

/**
 * East, in thirds of the side, Aries first: the outline and the right-angle
 * corner where the sign's name sits (for the four middle cells, the cell's
 * lower right corner).
 */
const EAST: { outline: [number, number][]; corner: [number, number]; dx: 1 | -1; dy: 1 | -1 }[] = [
  { outline: [[1, 0], [2, 0], [2, 1], [1, 1]], corner: [2, 1], dx: -1, dy: -1 },
  { outline: [[0, 0], [1, 0], [1, 1]], corner: [1, 0], dx: -1, dy: 1 },
  { outline: [[0, 0], [1, 1], [0, 1]], corner: [0, 1], dx: 1, dy: -1 },
  { outline: [[0, 1], [1, 1], [1, 2], [0, 2]], corner: [1, 2], dx: -1, dy: -1 },
  { outline: [[0, 2], [1, 2], [0, 3]], corner: [0, 2], dx: 1, dy: 1 },
  { outline: [[1, 2], [1, 3], [0, 3]], corner: [1, 3], dx: -1, dy: -1 },
  { outline: [[1, 2], [2, 2], [2, 3], [1, 3]], corner: [2, 3], dx: -1, dy: -1 },
  { outline: [[2, 2], [2, 3], [3, 3]], corner: [2, 3], dx: 1, dy: -1 },
  { outline: [[2, 2], [3, 2], [3, 3]], corner: [3, 2], dx: -1, dy: 1 },
  { outline: [[2, 1], [3, 1], [3, 2], [2, 2]], corner: [3, 2], dx: -1, dy: -1 },
  { outline: [[2, 1], [3, 1], [3, 0]], corner: [3, 1], dx: -1, dy: -1 },
  { outline: [[2, 0], [3, 0], [2, 1]], corner: [2, 0], dx: 1, dy: 1 },
];

/**
 * The shape of a chart of `side` px at `(x0, y0)`. `signBandPx` is the height
 * of a sign label: the planets of a south or east cell stay that far (plus a
 * gap) from the corner the sign is written in.
 */
export function chartShape(style: ChartStyle, ascSignIndex: number, x0: number, y0: number, side: number, signBandPx: number): ChartShape {
  const frame = { x: x0, y: y0, side };
  const at = (unit: number) => (x: number, y: number) => P(x0 + x * unit, y0 + y * unit);
  const gap = signBandPx * 0.25;
  const regions: RegionShape[] = [];
  const lines: Segment[] = [];
  let centre: ChartShape['centre'] = null;

  if (style === 'north') {
    const u = side / 4;
    const p = at(u);
    NORTH.forEach((spec, i) => {
      const { a, b, c } = spec.keep;
      const centrePt = 'centre' in spec.sign ? spec.sign.centre : P(0, 0);
      regions.push({
        signIndex: mod12(ascSignIndex + i),
        house: i + 1,
        outline: spec.outline.map(([x, y]) => p(x, y)),
        sign: { centre: p(centrePt.x, centrePt.y) },
        // a·X + b·Y ≤ c in quarter units, with x = x0 + X·u.
        keep: { a, b, c: c * u + a * x0 + b * y0 },
      });
    });
    lines.push([p(0, 0), p(4, 4)], [p(4, 0), p(0, 4)], [p(2, 0), p(4, 2)], [p(4, 2), p(2, 4)], [p(2, 4), p(0, 2)], [p(0, 2), p(2, 0)]);
  } else if (style === 'south') {
    const u = side / 4;
    const p = at(u);
    SOUTH_CELLS.forEach(([col, row], signIndex) => {
      const outline = [p(col, row), p(col + 1, row), p(col + 1, row + 1), p(col, row + 1)];
      const bottom = y0 + (row + 1) * u;
      regions.push({
        signIndex,
        house: mod12(signIndex - ascSignIndex) + 1,
        outline,
        sign: { corner: p(col + 1, row + 1), dx: -1, dy: -1 },
        keep: { a: 0, b: 1, c: bottom - signBandPx - gap },
      });
    });
    lines.push([p(0, 1), p(4, 1)], [p(0, 3), p(4, 3)], [p(1, 0), p(1, 4)], [p(3, 0), p(3, 4)]);
    lines.push([p(0, 2), p(1, 2)], [p(3, 2), p(4, 2)], [p(2, 0), p(2, 1)], [p(2, 3), p(2, 4)]);
    centre = { x: x0 + u, y: y0 + u, w: 2 * u, h: 2 * u };
  } else {
    const u = side / 3;
    const p = at(u);
    EAST.forEach((spec, signIndex) => {
      const corner = p(spec.corner[0], spec.corner[1]);
      // The planets stay on the far side of the sign label's band, above or below it.
      const limit = corner.y + spec.dy * (signBandPx + gap);
      regions.push({
        signIndex,
        house: mod12(signIndex - ascSignIndex) + 1,
        outline: spec.outline.map(([x, y]) => p(x, y)),
        sign: { corner, dx: spec.dx, dy: spec.dy },
        keep: spec.dy === 1 ? { a: 0, b: -1, c: -limit } : { a: 0, b: 1, c: limit },
      });
    });
    lines.push([p(1, 0), p(1, 3)], [p(2, 0), p(2, 3)], [p(0, 1), p(3, 1)], [p(0, 2), p(3, 2)]);
    lines.push([p(0, 0), p(1, 1)], [p(3, 0), p(2, 1)], [p(0, 3), p(1, 2)], [p(3, 3), p(2, 2)]);
    centre = { x: x0 + u, y: y0 + u, w: u, h: u };
  }
  return { style, regions, lines, frame, centre };
}

/** The part of a convex polygon where a·x + b·y ≤ c (one Sutherland–Hodgman pass); still convex. */
export function clipPolygon(poly: Polygon, h: { a: number; b: number; c: number }): Polygon {
  const out: Polygon = [];
  const inside = (p: Point) => h.a * p.x + h.b * p.y <= h.c + 1e-9;
  for (let i = 0; i < poly.length; i++) {
    const cur = poly[i];
    const next = poly[(i + 1) % poly.length];
    if (inside(cur)) out.push(cur);
    if (inside(cur) !== inside(next)) {
      const fc = h.a * cur.x + h.b * cur.y - h.c;
      const fn = h.a * next.x + h.b * next.y - h.c;
      const t = fc / (fc - fn);
      out.push(P(cur.x + t * (next.x - cur.x), cur.y + t * (next.y - cur.y)));
    }
  }
  return out;
}

/** [left, right] of a convex polygon along the horizontal line at `y`; null outside. */
export function spanAt(poly: Polygon, y: number): [number, number] | null {
  let l = Infinity;
  let r = -Infinity;
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i];
    const q = poly[(i + 1) % poly.length];
    const lo = Math.min(p.y, q.y);
    const hi = Math.max(p.y, q.y);
    if (y < lo - 1e-9 || y > hi + 1e-9) continue;
    if (Math.abs(q.y - p.y) < 1e-12) {
      l = Math.min(l, p.x, q.x);
      r = Math.max(r, p.x, q.x);
    } else {
      const x = p.x + ((y - p.y) / (q.y - p.y)) * (q.x - p.x);
      l = Math.min(l, x);
      r = Math.max(r, x);
    }
  }
  return l <= r ? [l, r] : null;
}

/**
 * What a horizontal band [y0, y1] has across its whole height. For a convex
 * polygon the left edge is convex and the right concave in y, so the ends of
 * the band bound them.
 */
export function bandSpan(poly: Polygon, y0: number, y1: number): [number, number] | null {
  const a = spanAt(poly, y0);
  const b = spanAt(poly, y1);
  if (!a || !b) return null;
  const l = Math.max(a[0], b[0]);
  const r = Math.min(a[1], b[1]);
  return l < r ? [l, r] : null;
}

export function pointInConvex(poly: Polygon, pt: Point, tolerance = 1e-6): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i];
    const q = poly[(i + 1) % poly.length];
    const cross = (q.x - p.x) * (pt.y - p.y) - (q.y - p.y) * (pt.x - p.x);
    const len = Math.hypot(q.x - p.x, q.y - p.y);
    if (Math.abs(cross) / len <= tolerance) continue;
    const s = Math.sign(cross);
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

