/**
 * Engine start-up in Node: compile the .wasm bytes, instantiate, and
 * `SwissEphemeris.create` (instantiate + copy the ephemeris files into WASM
 * memory + first library call), then the first chart. Each run is a fresh
 * Node process, so V8's in-process cache of compiled modules (keyed by the
 * wire bytes) and warm JIT state cannot make later runs look cheaper.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EPHEMERIS_NAMES } from './build.mjs';
import { runToEnd } from './procs.mjs';
import { envInt, num, summary } from './util.mjs';

const CHILD = `
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
const [bundleUrl, wasmDir, ...names] = process.argv.slice(2);
const m = await import(bundleUrl);
const bytes = readFileSync(wasmDir + '/swisseph.wasm');
const files = names.map((name) => ({ name, data: readFileSync(wasmDir + '/' + name) }));
const ms = () => performance.now();
let t = ms();
const module = new WebAssembly.Module(bytes);
const compileMs = ms() - t;
let memory;
t = ms();
const bare = new WebAssembly.Instance(module, m.wasiImports(() => memory));
const instantiateMs = ms() - t;
memory = bare.exports.memory;
t = ms();
const engine = m.SwissEphemeris.create(module, files);
const createMs = ms() - t;
t = ms();
const chart = m.computeNatal(engine, { jdUt: 2450424.7, latDeg: 13.0878, lonDeg: 80.2785, settings: m.DEFAULT_SETTINGS });
const firstChartMs = ms() - t;
t = ms();
m.computeNatal(engine, { jdUt: 2460000.3, latDeg: 51.5, lonDeg: -0.12, settings: m.DEFAULT_SETTINGS });
const secondChartMs = ms() - t;
const dataBytes = files.reduce((a, f) => a + f.data.byteLength, 0);
console.log(JSON.stringify({ compileMs, instantiateMs, createMs, firstChartMs, secondChartMs, wasmBytes: bytes.byteLength, dataBytes,
  memoryBytes: engine.exports?.memory?.buffer.byteLength ?? null, version: engine.version, asc: chart.ascendant.longitudeDeg }));
`;

const KEYS = ['compileMs', 'instantiateMs', 'createMs', 'firstChartMs', 'secondChartMs'];

export default {
  name: 'startup',
  title: 'Engine start-up in Node (fresh process per run)',
  async run(ctx) {
    const { file } = await ctx.bundle('core');
    const child = join(ctx.tmp, 'startup-child.mjs');
    writeFileSync(child, CHILD);
    const runs = Math.round(envInt('BENCH_STARTUP_RUNS', 20));
    const samples = [];
    ctx.log(`startup: ${runs} fresh node processes`);
    for (let i = 0; i < runs; i++) {
      const args = [child, pathToFileURL(file).href, join(ctx.root, 'wasm'), ...EPHEMERIS_NAMES];
      const { code, output } = await runToEnd(process.execPath, args, { cwd: ctx.root });
      const line = output.split('\n').findLast((l) => l.startsWith('{'));
      if (code !== 0 || !line) throw new Error(`startup child failed (exit ${code}):\n${output}`);
      samples.push(JSON.parse(line));
    }
    const out = { runs, wasmBytes: samples[0].wasmBytes, ephemerisBytes: samples[0].dataBytes, wasmMemoryBytes: samples[0].memoryBytes, engineVersion: samples[0].version };
    for (const key of KEYS) {
      const s = summary(samples.map((x) => x[key]));
      out[key] = { median: s.p50, min: s.min, max: s.max };
    }
    return out;
  },
  report(f) {
    const row = (label, key) => {
      const s = f[key];
      return `  ${label.padEnd(52)} ${num(s.median, 2).padStart(7)} ms  (min ${num(s.min, 2)}, max ${num(s.max, 2)})`;
    };
    return [
      `  median of ${f.runs} runs; wasm ${num(f.wasmBytes / 1024, 0)} KiB, ephemeris data ${num(f.ephemerisBytes / 1024, 0)} KiB, WASM memory after create ${num(f.wasmMemoryBytes / 1048576, 1)} MiB, swisseph ${f.engineVersion}`,
      row('compile: new WebAssembly.Module(bytes)', 'compileMs'),
      row('instantiate alone: new WebAssembly.Instance', 'instantiateMs'),
      row('SwissEphemeris.create (instantiate+copy data+1st call)', 'createMs'),
      row('first computeNatal after create (cold)', 'firstChartMs'),
      row('second computeNatal (another date/place)', 'secondChartMs'),
    ];
  },
};
