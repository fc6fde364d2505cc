/**
 * What one request did, filled in by the code that does it and read once by
 * the observability middleware for the request's log line.
 */
export interface RequestObs {
  /** performance.now() when the request entered the Worker. */
  startedMs: number;
  /** Time spent in calculations (cache misses), milliseconds. */
  computeMs: number;
  /** The response's X-Cache (HIT-EDGE | HIT-REDIS | MISS), when it went through the cache. */
  cache?: string;
  /** The stable error code of an error answer. */
  errorCode?: string;
}

export function newRequestObs(startedMs: number): RequestObs {
  return { startedMs, computeMs: 0 };
}
