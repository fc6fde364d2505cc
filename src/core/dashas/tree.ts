/**
 * The period tree of a dasha system. Instants are integer Unix milliseconds on
 * whole seconds; every boundary below level 1 is its parent's start plus the
 * rounded proportional part of the parent's span, and the last child ends at
 * the parent's end itself, so each level tiles its parent exactly.
 */
import { InputError } from '../errors';

export interface SequenceLord {
  lord: string;
  planet?: string;
  years: number;
}

/** What the engine needs of a system: lords in cyclic order, their years, the rounds at level 1. */
export interface DashaSequence {
  lords: readonly SequenceLord[];
  cycles: number;
}

export interface DashaPeriod {
  lord: string;
  /** The graha behind a yogini (absent where `lord` is already the graha or a sign). */
  planet?: string;
  /** UTC ISO instant to the second. */
  start: string;
  end: string;
  /** Length in dasha years (the system's years, scaled down the levels). */
  years: number;
  periods?: DashaPeriod[];
}

export interface CurrentPeriod {
  level: number;
  lord: string;
  start: string;
  end: string;
}

export const MAX_LEVELS = 5;
export const LEVEL_NAMES = ['maha', 'antar', 'pratyantar', 'sookshma', 'prana'] as const;
const MS_PER_DAY = 86_400_000;

interface Node {
  lordIndex: number;
  startMs: number;
  endMs: number;
  years: number;
}

const roundToSecond = (ms: number) => Math.round(ms / 1000) * 1000;
export const isoSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface TreeInput {
  sequence: DashaSequence;
  birthMs: number;
  lordIndex: number;
  elapsedFraction: number;
  yearDays: number;
}

/** The level-1 periods: back-dated to the birth lord's theoretical start, `cycles` rounds. */
export function mahaNodes(input: TreeInput): Node[] {
  const { sequence, lordIndex, elapsedFraction, yearDays } = input;
  const n = sequence.lords.length;
  const yearMs = yearDays * MS_PER_DAY;
  const firstYears = sequence.lords[lordIndex].years;
  const startMs = roundToSecond(input.birthMs - elapsedFraction * firstYears * yearMs);
  const nodes: Node[] = [];
  let cumYears = 0;
  let prevMs = startMs;
  for (let k = 0; k < n * sequence.cycles; k++) {
    const index = (lordIndex + k) % n;
    const years = sequence.lords[index].years;
    cumYears += years;
    // From the common start, not the previous end: rounding never accumulates.
    const endMs = startMs + roundToSecond(cumYears * yearMs);
    nodes.push({ lordIndex: index, startMs: prevMs, endMs, years });
    prevMs = endMs;
  }
  return nodes;
}

function cycleTotal(sequence: DashaSequence): number {
  return sequence.lords.reduce((s, l) => s + l.years, 0);
}

/** Sub-periods of a node: the cyclic order from its own lord, in proportion to the lords' years. */
export function childNodes(sequence: DashaSequence, parent: Node): Node[] {
  const n = sequence.lords.length;
  const total = cycleTotal(sequence);
  const spanMs = parent.endMs - parent.startMs;
  const out: Node[] = [];
  let cum = 0;
  let prevMs = parent.startMs;
  for (let k = 0; k < n; k++) {
    const index = (parent.lordIndex + k) % n;
    const weight = sequence.lords[index].years;
    cum += weight;
    const endMs = k === n - 1 ? parent.endMs : parent.startMs + roundToSecond((spanMs * cum) / total);
    out.push({ lordIndex: index, startMs: prevMs, endMs, years: (parent.years * weight) / total });
    prevMs = endMs;
  }
  return out;
}

export interface TreeOptions {
  levels: number;
  /** Levels 4–5 keep only periods overlapping [fromMs, toMs). */
  windowMs?: { fromMs: number; toMs: number };
}

export function buildTree(input: TreeInput, options: TreeOptions): DashaPeriod[] {
  const { sequence } = input;
  const render = (node: Node, level: number): DashaPeriod => {
    const l = sequence.lords[node.lordIndex];
    const period: DashaPeriod = {
      lord: l.lord,
      ...(l.planet !== undefined && l.planet !== l.lord ? { planet: l.planet } : {}),
      start: isoSecond(node.startMs),
      end: isoSecond(node.endMs),
      years: node.years,
    };
    if (level < options.levels) {
      let children = childNodes(sequence, node);
      const w = options.windowMs;
      if (w && level + 1 >= 4) children = children.filter((c) => c.endMs > w.fromMs && c.startMs < w.toMs);
      period.periods = children.map((c) => render(c, level + 1));
    }
    return period;
  };
  return mahaNodes(input).map((node) => render(node, 1));
}

/** The period running at `atMs` on each level 1…levels. */
export function currentPeriods(input: TreeInput, levels: number, atMs: number): CurrentPeriod[] {
  let nodes = mahaNodes(input);
  const first = nodes[0].startMs;
  const last = nodes[nodes.length - 1].endMs;
  if (atMs < first || atMs >= last) {
    throw new InputError(
      'instant_out_of_range',
      'at',
      `'at' must fall inside the dasha span ${isoSecond(first)} to ${isoSecond(last)}`,
    );
  }
  const out: CurrentPeriod[] = [];
  for (let level = 1; level <= levels; level++) {
    const node = nodes.find((x) => x.startMs <= atMs && atMs < x.endMs);
    // Unreachable: the levels tile their parent, so one node contains atMs.
    if (!node) break;
    const l = input.sequence.lords[node.lordIndex];
    out.push({ level, lord: l.lord, start: isoSecond(node.startMs), end: isoSecond(node.endMs) });
    nodes = childNodes(input.sequence, node);
  }
  return out;
}

/** Span of the level-1 periods, for window checks. */
export function treeSpanMs(input: TreeInput): { startMs: number; endMs: number } {
  const nodes = mahaNodes(input);
  return { startMs: nodes[0].startMs, endMs: nodes[nodes.length - 1].endMs };
}

/** The level-3 period containing atMs (the default window of levels 4–5). */
export function periodAt(input: TreeInput, level: number, atMs: number): { startMs: number; endMs: number } {
  let nodes = mahaNodes(input);
  let found: Node | undefined;
  for (let l = 1; l <= level; l++) {
    found = nodes.find((x) => x.startMs <= atMs && atMs < x.endMs);
    if (!found) break;
    nodes = childNodes(input.sequence, found);
  }
  if (!found) throw new InputError('instant_out_of_range', 'at', `'at' falls outside the dasha span`);
  return { startMs: found.startMs, endMs: found.endMs };
}
