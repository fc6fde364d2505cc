/** Small shared helpers for the benchmark sections: statistics, formatting, inputs, env knobs. */
import { createServer } from 'node:net';

/** Sorted copy (numeric) of a list of samples. */
export function sorted(samples) {
  return Float64Array.from(samples).sort();
}

/** Nearest-rank percentile of an already sorted array; p in [0, 100]. */
export function pct(sortedSamples, p) {
  const n = sortedSamples.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  return sortedSamples[Math.min(n - 1, Math.max(0, rank - 1))];
}

export function mean(samples) {
  let sum = 0;
  for (const x of samples) sum += x;
  return samples.length ? sum / samples.length : NaN;
}

/** mean/min/p50/p90/p99/max of samples, all in the samples' unit. */
export function summary(samples) {
  const s = sorted(samples);
  return { n: s.length, mean: mean(s), min: s[0], p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s[s.length - 1] };
}

export function median(samples) {
  return pct(sorted(samples), 50);
}

/** Rounds every number in a (nested) figures object for the JSON file. */
export function round(value, digits = 3) {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
  if (Array.isArray(value)) return value.map((v) => round(v, digits));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v, digits)]));
  return value;
}

/** Fixed decimals for a table: 3 significant-ish digits without exponent. */
export function num(x, decimals) {
  if (!Number.isFinite(x)) return String(x);
  const d = decimals ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function kib(bytes) {
  return `${num(bytes / 1024, 1)} KiB`;
}

/** Deterministic PRNG (mulberry32) so runs draw the same inputs; seed from BENCH_SEED. */
export function rng(seed = envInt('BENCH_SEED', 20240601)) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Julian days (UT) of 1800-01-01T00:00Z and 2400-01-01T00:00Z: the range the bundled .se1 files cover. */
export const JD_1800 = 2378496.5;
export const JD_2400 = 2597641.5;
const JD_UNIX_EPOCH = 2440587.5;

/**
 * n distinct random instants in [1800, 2400): one per equal slice of the range
 * (so no two coincide), in shuffled order, plus random places.
 */
export function randomCharts(n, random) {
  const span = JD_2400 - JD_1800;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.map((slot) => ({
    jdUt: JD_1800 + ((slot + random()) / n) * span,
    latDeg: -66 + random() * 132,
    lonDeg: -180 + random() * 360,
  }));
}

/** Julian day (UT) -> "YYYY-MM-DDTHH:MM:SS", used as a local wall time. */
export function wallTimeFromJd(jdUt) {
  const ms = Math.round(((jdUt - JD_UNIX_EPOCH) * 86400000) / 1000) * 1000;
  return new Date(ms).toISOString().slice(0, 19);
}

export function envInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return n;
}

/** First TCP port >= start that 127.0.0.1 can listen on (and that is not in `avoid`). */
export async function freePort(start, avoid = []) {
  for (let port = start; port < start + 200; port++) {
    if (avoid.includes(port)) continue;
    const ok = await new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${start}..${start + 199}`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
