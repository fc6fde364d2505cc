/**
 * Natal charts computed in this Node process through the WASM engine, three
 * ways: the core call alone, the request path without HTTP (time resolution +
 * chart + meta + JSON), and the whole Hono app in-process (`app.request`).
 * Every chart has its own random instant and place; none is repeated.
 */
import { createEngine } from './build.mjs';
import { timeAsync, timeSync } from './timing.mjs';
import { envInt, num, randomCharts, rng, wallTimeFromJd } from './util.mjs';

// Mixed zones, some with DST: a wall time in a DST gap/overlap is refused by
// resolveTime (counted as `rejected`, about 2 hours in 8760 per DST zone).
const ZONES = ['Asia/Kolkata', 'Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Tokyo', 'Africa/Lagos', 'America/Sao_Paulo', 'Europe/Berlin'];

export default {
  name: 'natal-node',
  title: 'Natal chart in Node (WASM engine via esbuild bundle, one thread)',
  async run(ctx) {
    const m = (await ctx.bundle('core')).module;
    const engine = createEngine(ctx.root, m);
    let app = null;
    let appError = null;
    try {
      app = (await ctx.bundle('app')).module.createApp({ engine });
    } catch (err) {
      appError = String(err?.message ?? err);
    }
    const settings = m.DEFAULT_SETTINGS;
    const n = Math.round(envInt('BENCH_NODE_CHARTS', 20000));
    const warmup = Math.round(envInt('BENCH_NODE_WARMUP', 5000));
    const random = rng();
    // One pool of distinct instants, split so no input is seen twice across warm-up and the three paths.
    const pool = randomCharts(warmup * 3 + n * 3, random);
    const requests = pool.map((c) => ({
      datetime: wallTimeFromJd(c.jdUt),
      timezone: ZONES[Math.floor(random() * ZONES.length)],
      latitude: Number(c.latDeg.toFixed(4)),
      longitude: Number(c.lonDeg.toFixed(4)),
      ...settings,
    }));
    const slice = (k) => [k * (warmup + n), (k + 1) * (warmup + n)];

    let sink = 0; // results feed this so the calls cannot be optimised away
    const core = (c) => {
      sink += m.computeNatal(engine, { jdUt: c.jdUt, latDeg: c.latDeg, lonDeg: c.lonDeg, settings }).ascendant.longitudeDeg;
    };
    let rejected = 0;
    const path = (req) => {
      let resolved;
      try {
        resolved = m.resolveChartRequest(req);
      } catch (err) {
        if (err?.name !== 'InputError') throw err;
        rejected++;
        return;
      }
      const chart = m.computeNatal(engine, resolved.input);
      const body = { meta: m.chartMeta(resolved, chart, engine), ascendant: chart.ascendant, planets: chart.planets, houses: chart.houses };
      sink += JSON.stringify(body).length;
    };
    const statuses = {};
    // What wrangler.toml's [vars] gives `npm start`: one local address must not hit the anonymous limit.
    const env = { RATE_LIMITS: '{"anonymous":{"requests":1000000000,"windowSec":60}}' };
    const honoRequest = async (req) => {
      const { ayanamsa, node, houseSystem, profile, ...fields } = req; // body as a client sends it: defaults omitted
      const res = await app.request('/v1/charts/natal', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fields),
      }, env);
      sink += (await res.text()).length;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    };

    const consoleLog0 = console.log;
    const runs = [
      ['engineOnly', 0, (inputs) => timeSync(inputs, core), pool],
      ['requestPath', 1, (inputs) => timeSync(inputs, path), requests],
      ['honoApp', 2, (inputs) => timeAsync(inputs, honoRequest), requests],
    ];
    const out = { warmupPerPath: warmup, chartsPerPath: n, settings, zones: ZONES };
    for (const [key, k, timer, source] of runs) {
      if (key === 'honoApp' && !app) {
        out[key] = { skipped: `app bundle failed: ${appError}` };
        continue;
      }
      const [a, b] = slice(k);
      ctx.log(`natal-node: ${key} (${warmup} warm-up + ${n} timed)`);
      if (key === 'honoApp') console.log = () => {};
      try {
        await timer(source.slice(a, a + warmup));
      } finally {
        console.log = consoleLog0;
      }
      rejected = 0;
      for (const s of Object.keys(statuses)) delete statuses[s];
      // The request log line is built as in production, then dropped: in workerd the console is
      // buffered for Logpush, while a terminal write here would dominate the figure.
      const consoleLog = console.log;
      let logLines = 0;
      if (key === 'honoApp') console.log = () => void logLines++;
      try {
        out[key] = await timer(source.slice(a + warmup, b));
      } finally {
        console.log = consoleLog;
      }
      if (key === 'honoApp') out[key].logLinesPerRequest = logLines / (b - a - warmup);
      if (key === 'requestPath') out[key].rejectedInputs = rejected;
      if (key === 'honoApp') out[key].statuses = { ...statuses };
    }
    out.checksum = sink;
    return out;
  },
  report(f) {
    const row = (label, r) =>
      `  ${label.padEnd(34)} ${num(r.meanUs, 1).padStart(7)} ${num(r.p50Us, 1).padStart(7)} ${num(r.p99Us, 1).padStart(7)} ${num(r.chartsPerSec, 0).padStart(8)}`;
    const lines = [
      `  ${f.chartsPerPath} timed charts per path after ${f.warmupPerPath} warm-up, each with a unique random`,
      `  instant in 1800-2399 and place (lat -66..66, lon -180..180); DEFAULT_SETTINGS (${Object.values(f.settings).join(', ')}).`,
      `  ${'path'.padEnd(34)} ${'mean µs'.padStart(7)} ${'p50 µs'.padStart(7)} ${'p99 µs'.padStart(7)} ${'charts/s'.padStart(8)}`,
      row('computeNatal (engine only)', f.engineOnly),
      row('resolveTime+computeNatal+meta+JSON', f.requestPath),
      f.honoApp.skipped ? `  Hono app.request: SKIPPED, ${f.honoApp.skipped.split('\n').join('\n  ')}` : row('Hono app.request POST (in-process)', f.honoApp),
    ];
    const hono = f.honoApp.statuses ? Object.entries(f.honoApp.statuses).map(([s, c]) => `${c}×${s}`).join(', ') : 'n/a';
    lines.push(`  wall times in ${f.zones.length} IANA zones; refused as DST gap/overlap: ${f.requestPath.rejectedInputs}; app.request statuses: ${hono}; log lines per request: ${f.honoApp.logLinesPerRequest ?? 'n/a'}`);
    return lines;
  },
};
