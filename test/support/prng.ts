/**
 * mulberry32: a tiny deterministic PRNG in [0, 1). Tests that draw random
 * inputs seed it (and print the seed), so every failure reproduces.
 * scripts/make-golden-fixtures.mjs carries its own copy: it runs in plain Node.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
