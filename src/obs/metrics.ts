/**
 * Counters and histograms, kept as plain numbers under one flat key per
 * series so that an isolate's increments can be added to a Redis hash with
 * HINCRBY and read back with HGETALL. The same flat form is rendered as the
 * Prometheus text exposition format or as JSON.
 *
 * Names follow the old Flask service where they mean the same
 * (`astro_engine_requests_total`, `astro_engine_request_duration_seconds`,
 * `astro_engine_calculation_duration_seconds`, `astro_engine_errors_total`,
 * `astro_engine_chart_requests_total`, `astro_engine_cache_operations_total`).
 * Label values come only from our own code (route patterns, error codes,
 * enum values), never from raw paths or input, so cardinality stays bounded.
 */

interface BaseDef {
  name: string;
  help: string;
  labels: readonly string[];
}
export interface CounterDef extends BaseDef {
  type: 'counter';
}
export interface HistogramDef extends BaseDef {
  type: 'histogram';
  /** Upper bounds in seconds, ascending; +Inf is implied. */
  bucketsSec: readonly number[];
}
export type MetricDef = CounterDef | HistogramDef;

const counter = (name: string, help: string, labels: readonly string[]): CounterDef => ({ type: 'counter', name, help, labels });
const histogram = (name: string, help: string, labels: readonly string[], bucketsSec: readonly number[]): HistogramDef => ({
  type: 'histogram',
  name,
  help,
  labels,
  bucketsSec,
});

export const METRICS = {
  requests: counter('astro_engine_requests_total', 'HTTP requests by method, route pattern and status.', ['method', 'route', 'status']),
  requestDuration: histogram(
    'astro_engine_request_duration_seconds',
    'Time from the request entering the Worker to the response, by method and route pattern (workerd advances its clock only across I/O).',
    ['method', 'route'],
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ),
  calculationDuration: histogram(
    'astro_engine_calculation_duration_seconds',
    'Time spent computing a result that no cache tier had, by calculation type (workerd advances its clock only across I/O).',
    ['type'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  ),
  chartRequests: counter('astro_engine_chart_requests_total', 'Chart requests answered, by chart type and ayanamsa (cache hits included).', ['chart_type', 'ayanamsa']),
  cacheOperations: counter(
    'astro_engine_cache_operations_total',
    'Cache events by tier (edge, shared: Redis or the in-memory stand-in, compute) and result (hit, miss, error, skipped, run, bypassed).',
    ['tier', 'result'],
  ),
  errors: counter('astro_engine_errors_total', 'Error answers by stable error code and status.', ['code', 'status']),
  bulkJobs: counter('astro_engine_bulk_jobs_total', 'Bulk jobs by outcome: created, then completed, completed_with_errors or failed.', ['outcome']),
  bulkItems: counter('astro_engine_bulk_items_total', 'Bulk items computed, by outcome (succeeded or failed).', ['outcome']),
  ephemerisFallbacks: counter(
    'astro_engine_ephemeris_fallbacks_total',
    'Calculations outside the bundled Swiss files (1800-2399) that used the Moshier theory instead.',
    ['type'],
  ),
} as const satisfies Record<string, MetricDef>;

const DEFS_BY_NAME = new Map<string, MetricDef>(Object.values(METRICS).map((d) => [d.name, d]));

/** Field of one number: `[name, [label values…], part]` as JSON. part: 'v' counter, bucket index, 'sum_us'. */
type Part = 'v' | 'sum_us' | number;

function fieldOf(def: MetricDef, labelValues: readonly string[], part: Part): string {
  return JSON.stringify([def.name, labelValues, part]);
}

function parseField(field: string): { def: MetricDef; labelValues: string[]; part: Part } | null {
  try {
    const parsed: unknown = JSON.parse(field);
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [name, labelValues, part] = parsed as [unknown, unknown, unknown];
    const def = typeof name === 'string' ? DEFS_BY_NAME.get(name) : undefined;
    if (!def || !Array.isArray(labelValues) || labelValues.length !== def.labels.length) return null;
    if (!labelValues.every((v) => typeof v === 'string')) return null;
    if (def.type === 'counter' ? part !== 'v' : !(part === 'sum_us' || (Number.isInteger(part) && (part as number) >= 0 && (part as number) <= def.bucketsSec.length))) {
      return null;
    }
    return { def, labelValues: labelValues as string[], part: part as Part };
  } catch {
    return null;
  }
}

export type Sample = Map<string, number>;

export function addInto(target: Sample, source: Sample): Sample {
  for (const [field, n] of source) target.set(field, (target.get(field) ?? 0) + n);
  return target;
}

/** Redis returns the hash as strings; fields we do not know (older deploys) are dropped. */
export function sampleFromFields(fields: Record<string, string>): Sample {
  const sample: Sample = new Map();
  for (const [field, raw] of Object.entries(fields)) {
    const n = Number(raw);
    if (Number.isFinite(n) && parseField(field)) sample.set(field, n);
  }
  return sample;
}

/** Increments handed to Redis as one unit; the id makes a retried batch count once. */
export interface Batch {
  id: string;
  sample: Sample;
}

/**
 * One isolate's metrics: everything since it started (`local`), and what it
 * has not yet handed to Redis. A flush takes one batch at a time; a failed
 * batch is retried as it was, id included, before any newer counts, so a
 * batch Redis applied but whose answer was lost (a timeout) is not added twice.
 */
export class MetricsRegistry {
  private readonly totals: Sample = new Map();
  private pending: Sample = new Map();
  private inFlight: Batch | null = null;
  private retry: Batch | null = null;

  constructor(private readonly newId: () => string = () => crypto.randomUUID()) {}

  inc(def: CounterDef, labelValues: readonly string[], n = 1): void {
    this.add(fieldOf(def, labelValues, 'v'), n);
  }

  observe(def: HistogramDef, labelValues: readonly string[], seconds: number): void {
    const value = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    let bucket = def.bucketsSec.findIndex((le) => value <= le);
    if (bucket < 0) bucket = def.bucketsSec.length; // +Inf
    this.add(fieldOf(def, labelValues, bucket), 1);
    // Integer microseconds, so Redis can add them with HINCRBY.
    this.add(fieldOf(def, labelValues, 'sum_us'), Math.round(value * 1e6));
  }

  local(): Sample {
    return new Map(this.totals);
  }

  /** What Redis has not acknowledged: pending, in flight, waiting for a retry. */
  unflushed(): Sample {
    const out = new Map(this.pending);
    if (this.inFlight) addInto(out, this.inFlight.sample);
    if (this.retry) addInto(out, this.retry.sample);
    return out;
  }

  /** The next batch to send, or null (nothing to send, or a batch is already on the wire). */
  startFlush(): Batch | null {
    if (this.inFlight) return null;
    let batch = this.retry;
    if (batch) this.retry = null;
    else if (this.pending.size > 0) {
      batch = { id: this.newId(), sample: this.pending };
      this.pending = new Map();
    }
    this.inFlight = batch;
    return batch;
  }

  finishFlush(batch: Batch, ok: boolean): void {
    if (this.inFlight === batch) this.inFlight = null;
    if (!ok) this.retry = batch;
  }

  private add(field: string, n: number): void {
    if (n === 0 && this.totals.has(field)) return;
    this.totals.set(field, (this.totals.get(field) ?? 0) + n);
    this.pending.set(field, (this.pending.get(field) ?? 0) + n);
  }
}

// ---- Rendering -------------------------------------------------------------

export interface CounterSeries {
  labels: Record<string, string>;
  value: number;
}
export interface HistogramSeries {
  labels: Record<string, string>;
  /** Cumulative, as Prometheus counts them: observations ≤ le. */
  buckets: { le: string; count: number }[];
  sumSec: number;
  count: number;
}
export type MetricFamily =
  | { name: string; type: 'counter' | 'gauge'; help: string; series: CounterSeries[] }
  | { name: string; type: 'histogram'; help: string; series: HistogramSeries[] };

const labelsOf = (def: BaseDef, values: readonly string[]) => Object.fromEntries(def.labels.map((l, i) => [l, values[i]]));

/** The declared families (always present, possibly without series) from a flat sample. */
export function families(sample: Sample): MetricFamily[] {
  const grouped = new Map<string, Map<string, { labelValues: string[]; parts: Map<Part, number> }>>();
  for (const [field, n] of sample) {
    const parsed = parseField(field);
    if (!parsed) continue;
    const byLabels = grouped.get(parsed.def.name) ?? new Map();
    grouped.set(parsed.def.name, byLabels);
    const key = JSON.stringify(parsed.labelValues);
    const entry = byLabels.get(key) ?? { labelValues: parsed.labelValues, parts: new Map() };
    byLabels.set(key, entry);
    entry.parts.set(parsed.part, (entry.parts.get(parsed.part) ?? 0) + n);
  }
  const sortByLabels = <S extends { labels: Record<string, string> }>(series: S[]) =>
    series.sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

  return Object.values(METRICS).map((def): MetricFamily => {
    const entries = [...(grouped.get(def.name)?.values() ?? [])];
    if (def.type === 'counter') {
      const series = entries.map((e) => ({ labels: labelsOf(def, e.labelValues), value: e.parts.get('v') ?? 0 }));
      return { name: def.name, type: 'counter', help: def.help, series: sortByLabels(series) };
    }
    const series = entries.map((e) => {
      let running = 0;
      const buckets = [...def.bucketsSec.map(String), '+Inf'].map((le, i) => {
        running += e.parts.get(i) ?? 0;
        return { le, count: running };
      });
      return { labels: labelsOf(def, e.labelValues), buckets, sumSec: (e.parts.get('sum_us') ?? 0) / 1e6, count: running };
    });
    return { name: def.name, type: 'histogram', help: def.help, series: sortByLabels(series) };
  });
}

/** Label values escaped as the text format requires: backslash, double quote, newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** Prometheus text exposition format 0.0.4. */
export function renderText(list: readonly MetricFamily[], preamble: readonly string[] = []): string {
  const lines: string[] = preamble.map((line) => `# ${line}`);
  for (const family of list) {
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') {
      for (const s of family.series) {
        for (const b of s.buckets) lines.push(`${family.name}_bucket${labelText({ ...s.labels, le: b.le })} ${b.count}`);
        lines.push(`${family.name}_sum${labelText(s.labels)} ${numberText(s.sumSec)}`);
        lines.push(`${family.name}_count${labelText(s.labels)} ${s.count}`);
      }
    } else {
      for (const s of family.series) lines.push(`${family.name}${labelText(s.labels)} ${numberText(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
