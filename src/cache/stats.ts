/**
 * Hit/miss/error counters. Each isolate counts locally; when Redis is
 * configured the increments since the last flush are added to one global
 * hash (`ae:stats`, HINCRBY in one pipelined request, scheduled through
 * `ctx.waitUntil` at most every STATS_FLUSH_SEC per isolate), so `stats()` can
 * report every isolate's traffic: the Redis totals plus this isolate's part
 * not flushed yet. Other isolates' unflushed parts (at most STATS_FLUSH_SEC of
 * traffic each, or until their next request) are missing from the total.
 *
 * A flush that fails is put back and retried with the next one; a flush that
 * timed out after Redis applied it is then counted twice: these are
 * operational figures, not billing.
 */

export const COUNTER_NAMES = [
  'misses', // lookups answered by compute (bypassed and failed computes included)
  'edgeHits',
  'edgeMisses',
  'edgeErrors',
  'sharedHits',
  'sharedMisses', // failed lookups included: they did not hit
  'sharedErrors', // every failed Redis call: lookups, fills, namespace, flushes
  'sharedSkipped', // Redis calls not made: retry-after window after a failure, or no budget left
  'computeErrors',
  'bypassed', // namespace unknown (Redis unreachable since the isolate started): cache not used
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counts = Record<CounterName, number>;

export function zeroCounts(): Counts {
  return Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counts;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return Object.fromEntries(COUNTER_NAMES.map((n) => [n, a[n] + b[n]])) as Counts;
}

/** Counters read back from the Redis hash; fields it does not know (e.g. lastClearAt) are ignored. */
export function countsFromFields(fields: Record<string, string>): Counts {
  const counts = zeroCounts();
  for (const name of COUNTER_NAMES) counts[name] = Number(fields[name] ?? 0) || 0;
  return counts;
}

export class CacheCounters {
  private readonly totals = zeroCounts();
  private pending = zeroCounts();
  private inFlight = zeroCounts();

  count(name: CounterName, n = 1): void {
    this.totals[name] += n;
    this.pending[name] += n;
  }

  /** Everything this isolate counted since it started. */
  local(): Counts {
    return { ...this.totals };
  }

  /** What Redis has not acknowledged yet: pending plus a flush in flight. */
  unflushed(): Counts {
    return addCounts(this.pending, this.inFlight);
  }

  /** Moves the pending increments into a flush; null when there is nothing to flush. */
  startFlush(): Counts | null {
    if (COUNTER_NAMES.every((n) => this.pending[n] === 0)) return null;
    const batch = this.pending;
    this.inFlight = addCounts(this.inFlight, batch);
    this.pending = zeroCounts();
    return batch;
  }

  finishFlush(batch: Counts, ok: boolean): void {
    for (const n of COUNTER_NAMES) this.inFlight[n] -= batch[n];
    if (!ok) this.pending = addCounts(this.pending, batch);
  }
}

export interface TierStats {
  hits: number;
  misses: number;
  errors: number;
  /** hits / (hits + misses) for lookups that reached this tier; null before any. */
  hitRate: number | null;
}

export interface CacheStatsSnapshot {
  /** `global`: every isolate, aggregated in Redis; `isolate`: this isolate only (no Redis, or Redis unreachable). */
  scope: 'global' | 'isolate';
  note: string;
  /** What plays the shared tier: `memory` is the per-isolate stand-in, reported as HIT-REDIS. */
  sharedBackend: 'redis' | 'memory';
  redis: { configured: boolean; reachable: boolean | null; lastError?: string; lastErrorAt?: string };
  lookups: number;
  hits: number;
  misses: number;
  hitRate: number | null;
  tiers: { edge: TierStats & { enabled: boolean }; shared: TierStats & { skipped: number } };
  computeErrors: number;
  bypassed: number;
  lastClear?: { at: string; namespace: number };
}

export type SnapshotContext = Pick<CacheStatsSnapshot, 'scope' | 'note' | 'sharedBackend' | 'redis' | 'lastClear'> & {
  edgeEnabled: boolean;
};

export function summarise(c: Counts, ctx: SnapshotContext): CacheStatsSnapshot {
  const hits = c.edgeHits + c.sharedHits;
  const { edgeEnabled, ...context } = ctx;
  return {
    ...context,
    lookups: hits + c.misses,
    hits,
    misses: c.misses,
    hitRate: rate(hits, c.misses),
    tiers: {
      edge: { enabled: edgeEnabled, hits: c.edgeHits, misses: c.edgeMisses, errors: c.edgeErrors, hitRate: rate(c.edgeHits, c.edgeMisses) },
      shared: {
        hits: c.sharedHits,
        misses: c.sharedMisses,
        errors: c.sharedErrors,
        skipped: c.sharedSkipped,
        hitRate: rate(c.sharedHits, c.sharedMisses),
      },
    },
    computeErrors: c.computeErrors,
    bypassed: c.bypassed,
  };
}

function rate(hits: number, misses: number): number | null {
  return hits + misses === 0 ? null : hits / (hits + misses);
}
