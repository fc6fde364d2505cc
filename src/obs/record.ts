/**
 * Counting from code that has no request context at hand (the cache wrapper,
 * bulk chunks). The observability middleware points `current` at the
 * registry of the isolate's configuration at the start of every request.
 */
import { METRICS, MetricsRegistry } from './metrics';

let current = new MetricsRegistry();

export function useRegistry(registry: MetricsRegistry): void {
  current = registry;
}

/** A calculation that no cache tier had; `type` is the resource (natal, divisional, transits, legacy, bulk:<type>). */
export function recordCalculation(type: string, seconds: number, ephemeris?: unknown): void {
  current.observe(METRICS.calculationDuration, [type], seconds);
  if (ephemeris === 'moshier') current.inc(METRICS.ephemerisFallbacks, [type]);
}

export function recordChartRequest(chartType: string, ayanamsa: string): void {
  current.inc(METRICS.chartRequests, [chartType, ayanamsa]);
}

export type BulkJobOutcome = 'created' | 'completed' | 'completed_with_errors' | 'failed';

export function recordBulkJob(outcome: BulkJobOutcome): void {
  current.inc(METRICS.bulkJobs, [outcome]);
}

export function recordBulkItems(outcome: 'succeeded' | 'failed', n: number): void {
  if (n > 0) current.inc(METRICS.bulkItems, [outcome], n);
}
