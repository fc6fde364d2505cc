/**
 * Reading our /metrics with `parse-prometheus-text-format` (the npm parser
 * with the most users). Its one known gap: it merges the series of a labelled
 * histogram into one and drops their _sum and _count, so histograms are read
 * one series at a time (the family's HELP/TYPE lines plus that series' lines),
 * which it parses correctly into cumulative buckets.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }[];
}

export function parseMetrics(text: string): ParsedFamily[] {
  return parsePrometheusTextFormat(text) as ParsedFamily[];
}

const sameLabels = (a: Record<string, string> = {}, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** A counter's value for exactly these labels; 0 when the series does not exist yet. */
export function counterValue(text: string, name: string, labels: Record<string, string>): number {
  const family = parseMetrics(text).find((f) => f.name === name);
  if (!family) throw new Error(`no metric family ${name} in the scrape`);
  if (family.type !== 'COUNTER') throw new Error(`${name} is a ${family.type}, not a counter`);
  const series = family.metrics.find((m) => sameLabels(m.labels, labels));
  return series ? Number(series.value) : 0;
}

/** Cumulative bucket counts (by `le`) of one histogram series; empty when the series does not exist yet. */
export function histogramBuckets(text: string, name: string, labels: Record<string, string>): Record<string, number> {
  const lines = text.split('\n');
  const header = lines.filter((l) => l.startsWith(`# HELP ${name} `) || l === `# TYPE ${name} histogram`);
  if (header.length !== 2) throw new Error(`no histogram family ${name} in the scrape`);
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const series = lines.filter((l) => l.startsWith(`${name}_bucket{`) && wanted.every((w) => l.includes(w)) && labelCount(l) === wanted.length + 1);
  const [family] = parseMetrics([...header, ...series, ''].join('\n'));
  const buckets = family?.metrics[0]?.buckets ?? {};
  return Object.fromEntries(Object.entries(buckets).map(([le, n]) => [le, Number(n)]));
}

function labelCount(line: string): number {
  const inside = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
  return inside.split('",').length;
}
