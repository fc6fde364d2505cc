/**
 * The one bisection the core uses to find when something changes: a sign
 * ingress (transits), the end of a tithi or nakshatra (panchang), an
 * ascendant change (lagna table). Callers bracket the change; this narrows it.
 */

/**
 * Narrows [lo, hi] (lo before the change, hi after it) until the two are less
 * than `toleranceDays` apart, and returns the sample just after the change:
 * the first instant found in the new state, at most `toleranceDays` late.
 * `before(s)` says whether a sample is still in the old state; the change
 * must be the only one in the bracket (the caller's monotonicity argument).
 */
export function bisectChange<S extends { jdUt: number }>(
  lo: S,
  hi: S,
  at: (jdUt: number) => S,
  before: (sample: S) => boolean,
  toleranceDays: number,
): S {
  let a = lo;
  let b = hi;
  while (b.jdUt - a.jdUt >= toleranceDays) {
    const mid = at((a.jdUt + b.jdUt) / 2);
    if (before(mid)) a = mid;
    else b = mid;
  }
  return b;
}
