/**
 * Counting from code that has no request context at hand (the cache wrapper,
 * bulk chunks). The observability middleware points `current` at the
 * registry of the isolate's configuration at the start of every request.
 */
import type { CounterName } from '../cache/stats';
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

/** The cache's own events (src/cache/stats.ts) as `astro_engine_cache_operations_total{tier, result}`. */
const CACHE_EVENTS: Record<CounterName, readonly [string, string]> = {
  misses: ['compute', 'run'],
  computeErrors: ['compute', 'error'],
  edgeHits: ['edge', 'hit'],
  edgeMisses: ['edge', 'miss'],
  edgeErrors: ['edge', 'error'],
  sharedHits: ['shared', 'hit'],
  sharedMisses: ['shared', 'miss'],
  sharedErrors: ['shared', 'error'],
  sharedSkipped: ['shared', 'skipped'],
  bypassed: ['cache', 'bypassed'],
};

export function recordCacheEvent(name: CounterName): void {
  current.inc(METRICS.cacheOperations, CACHE_EVENTS[name]);
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
