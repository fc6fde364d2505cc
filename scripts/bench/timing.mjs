/**
 * Per-call timing loops for the in-process (Node) sections: one input per
 * call, never repeated; figures in µs per call plus calls/s over the loop.
 */
import { performance } from 'node:perf_hooks';
import { summary } from './util.mjs';

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
const YIELD_EVERY_MS = 100; // so Ctrl-C is handled promptly; the yield itself is not timed

export function perChart(us) {
  const s = summary(us);
  return { n: s.n, meanUs: s.mean, p50Us: s.p50, p90Us: s.p90, p99Us: s.p99, maxUs: s.max };
}

/**
 * Runs `stages` as a pipeline per input (stage k gets stage k−1's result, the
 * first gets the input) and times every stage separately. Returns the whole
 * pipeline's per-call figures and chartsPerSec (inputs / wall time of the
 * loop), and `stages[k]`, each stage's per-call figures.
 */
export async function timeStages(inputs, stages) {
  const n = inputs.length;
  const total = new Float64Array(n);
  const per = stages.map(() => new Float64Array(n));
  const t0 = performance.now();
  let lastYield = t0;
  for (let i = 0; i < n; i++) {
    let x = inputs[i];
    const start = performance.now();
    let t = start;
    for (let k = 0; k < stages.length; k++) {
      x = stages[k](x);
      const now = performance.now();
      per[k][i] = (now - t) * 1000;
      t = now;
    }
    total[i] = (t - start) * 1000;
    if (t - lastYield > YIELD_EVERY_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  const wallMs = performance.now() - t0;
  return { ...perChart(total), chartsPerSec: n / (wallMs / 1000), stages: per.map(perChart) };
}

/** Times `fn(input)` per call: timeStages with one stage. */
export async function timeSync(inputs, fn) {
  const { stages, ...figures } = await timeStages(inputs, [fn]);
  return figures;
}

export async function timeAsync(inputs, fn) {
  const us = new Float64Array(inputs.length);
  const t0 = performance.now();
  for (let i = 0; i < inputs.length; i++) {
    const s = performance.now();
    await fn(inputs[i]);
    us[i] = (performance.now() - s) * 1000;
  }
  const wallMs = performance.now() - t0;
  return { ...perChart(us), chartsPerSec: inputs.length / (wallMs / 1000) };
}
