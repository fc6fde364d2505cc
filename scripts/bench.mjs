#!/usr/bin/env node
/**
 * `npm run bench [-- section ...]`: measures and prints; checks nothing.
 * Sections live in scripts/bench/, each `{ name, title, run(ctx), report(figures) }`;
 * `run` returns a figures object, `report` turns it into lines. Add a section by
 * appending it to SECTIONS. Figures also go to bench-results/latest.json.
 *
 * Offline (127.0.0.1 only). Knobs: BENCH_CONCURRENCY (16), BENCH_DURATION_SEC (10),
 * BENCH_WARMUP_SEC (2), BENCH_NODE_CHARTS (20000), BENCH_NODE_WARMUP (5000),
 * BENCH_VARGA_CHARTS (5000), BENCH_VARGA_WARMUP (1000), BENCH_TRANSITS (1000),
 * BENCH_TRANSITS_WARMUP (200), BENCH_STARTUP_RUNS (20), BENCH_SEED,
 * BENCH_WRANGLER_LOG_LEVEL (warn), BENCH_CACHE_TIERS_N (300),
 * BENCH_CACHE_TIERS_WARMUP (50), BENCH_BULK_ITEMS (10000). The http section runs every route in
 * bench/http.mjs ROUTES against one wrangler dev, one after the other. The
 * cache-tiers section starts the local stack (scripts/stack/) and three wrangler
 * devs, and measures compute vs edge hit vs Redis hit (bench/cache-tiers.mjs).
 * The bulk section starts the stack and one wrangler dev, and times one
 * 10,000-item job from submit to first result and to webhook (bench/bulk.mjs).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSources, importBundle } from './bench/build.mjs';
import bulk from './bench/bulk.mjs';
import bundleSize from './bench/bundle-size.mjs';
import cacheTiers from './bench/cache-tiers.mjs';
import http from './bench/http.mjs';
import natalNode from './bench/natal-node.mjs';
import { killAll } from './bench/procs.mjs';
import startup from './bench/startup.mjs';
import vargasNode from './bench/vargas-node.mjs';
import { round } from './bench/util.mjs';

const SECTIONS = [natalNode, vargasNode, startup, bundleSize, http, cacheTiers, bulk];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu: model.trim(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

function selectSections(names) {
  if (names.length === 0) return SECTIONS;
  const unknown = names.filter((n) => !SECTIONS.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`bench: unknown section(s) ${unknown.join(', ')}; available: ${SECTIONS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  return SECTIONS.filter((s) => names.includes(s.name));
}

const selected = selectSections(process.argv.slice(2));
const tmp = mkdtempSync(join(os.tmpdir(), 'astro-bench-'));
const cleanups = [];
async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  await killAll();
  rmSync(tmp, { recursive: true, force: true });
}

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping child processes`);
    await cleanup();
    process.exit(130);
  });
}

const info = machine();
const bundles = {};
const ctx = {
  root,
  tmp,
  log,
  machine: info,
  onCleanup: (fn) => cleanups.push(fn),
  /** esbuild bundle `name` ('core', 'app' or 'policy', see bench/build.mjs), built once per run: { file, module }. */
  bundle(name) {
    bundles[name] ??= (async () => {
      log(`bundling ${name} sources for Node with esbuild`);
      const file = await bundleSources(root, tmp, name);
      return { file, module: await importBundle(file) };
    })();
    return bundles[name];
  },
};

const started = new Date();
const lines = (...xs) => console.log(xs.join('\n'));
lines(
  `astro-engine-edge benchmark  ${started.toISOString()}`,
  `machine: ${info.cpu}, ${info.cores} cores, ${info.memGiB} GiB; node ${info.node} (V8 ${info.v8}); ${info.platform}`,
  `load average at start (1/5/15 min): ${info.loadAvgAtStart.join(' ')}; sections: ${selected.map((s) => s.name).join(', ')}`,
);

const results = {};
const errors = {};
try {
  for (const section of selected) {
    const t0 = performance.now();
    try {
      const figures = await section.run(ctx);
      results[section.name] = { ...figures, sectionSec: (performance.now() - t0) / 1000 };
      lines('', `== ${section.title}`, ...section.report(figures));
    } catch (err) {
      errors[section.name] = String(err?.stack ?? err);
      lines('', `== ${section.title}`, `  FAILED: ${String(err?.message ?? err).split('\n').join('\n  ')}`);
    }
  }
} finally {
  await cleanup();
}

const out = {
  schema: 1,
  startedAt: started.toISOString(),
  durationSec: (Date.now() - started.getTime()) / 1000,
  machine: { ...info, loadAvgAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))) },
  argv: process.argv.slice(2),
  sections: round(results),
  ...(Object.keys(errors).length ? { errors } : {}),
};
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'latest.json'), `${JSON.stringify(out, null, 2)}\n`);
lines('', `load average at end: ${out.machine.loadAvgAtEnd.join(' ')}; figures written to bench-results/latest.json (${out.durationSec.toFixed(0)} s total)`);
process.exitCode = Object.keys(errors).length ? 1 : 0;
