/**
 * Bundles the TypeScript sources the Node benchmarks call into one ESM file
 * (esbuild JS API, everything inlined, no minification) and loads the wasm
 * module bytes and ephemeris files the way test/support/node-engine.ts does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Two bundles, so a broken route elsewhere in the app (other work in progress)
 * costs only the in-process Hono figure, not the engine figures; a third,
 * tiny one holds the default cache policy.
 */
const ENTRIES = {
  core: `
export { SwissEphemeris } from './src/engine/swisseph';
export { wasiImports } from './src/engine/wasi';
export { computeNatal } from './src/core/natal';
export { SHODASAVARGA, vargaChart } from './src/core/varga';
export { computeTransits } from './src/core/transits';
export { DEFAULT_SETTINGS } from './src/core/settings';
export { resolveTime } from './src/core/time';
export { resolveChartRequest, chartMeta } from './src/http/chart-request';
`,
  app: `export { createApp } from './src/app';\n`,
  /** The default cache policy, for the cache-tiers verdicts (plain data, no imports). */
  policy: `export { CACHE_POLICY } from './src/cache/policy';\n`,
};

export const EPHEMERIS_NAMES = ['sepl_18.se1', 'semo_18.se1'];

/** Writes `<outDir>/<name>-bundle.mjs` for ENTRIES[name] and returns its path. */
export async function bundleSources(root, outDir, name) {
  const result = await build({
    stdin: { contents: ENTRIES[name], resolveDir: root, sourcefile: `bench-${name}-entry.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const file = join(outDir, `${name}-bundle.mjs`);
  writeFileSync(file, result.outputFiles[0].contents);
  return file;
}

export async function importBundle(file) {
  return import(pathToFileURL(file).href);
}

export function wasmBytes(root) {
  return readFileSync(join(root, 'wasm', 'swisseph.wasm'));
}

export function ephemerisFiles(root) {
  return EPHEMERIS_NAMES.map((name) => ({ name, data: readFileSync(join(root, 'wasm', name)) }));
}

/** A SwissEphemeris from the 'core' bundle module `m`, as test/support/node-engine.ts builds one. */
export function createEngine(root, m) {
  return m.SwissEphemeris.create(new WebAssembly.Module(wasmBytes(root)), ephemerisFiles(root));
}
