/**
 * Divisional charts and transits computed in this Node process through the
 * WASM engine (the 'core' bundle), one thread:
 * - a full Shodasavarga set: computeNatal once, then vargaChart(natal, d) for
 *   each of the 16 divisions in SHODASAVARGA, with the two stages timed
 *   separately in the same loop so the varga cost shows on its own;
 * - computeTransits (12 planets, each with its next-sign-change search) for a
 *   natal chart (computed first, not timed) and a transit instant.
 * Every input has its own random instant and place; none is repeated.
 */
import { createEngine } from './build.mjs';
import { timeStages } from './timing.mjs';
import { JD_1800, JD_2400, envInt, num, randomCharts, rng } from './util.mjs';

// Transit instants stay before 2360, so every sign-change search has its full
// 40-year horizon inside the bundled ephemeris (which ends in 2400).
const JD_2360 = JD_2400 - 40 * 365.25;

export default {
  name: 'vargas-node',
  title: 'Shodasavarga (16 divisional charts) and transits in Node (WASM engine via esbuild bundle, one thread)',
  async run(ctx) {
    const m = (await ctx.bundle('core')).module;
    const engine = createEngine(ctx.root, m);
    const settings = m.DEFAULT_SETTINGS;
    const divisions = [...m.SHODASAVARGA];
    const n = Math.round(envInt('BENCH_VARGA_CHARTS', 5000));
    const warmup = Math.round(envInt('BENCH_VARGA_WARMUP', 1000));
    const nTransits = Math.round(envInt('BENCH_TRANSITS', 1000));
    const warmupTransits = Math.round(envInt('BENCH_TRANSITS_WARMUP', 200));
    // Its own stream of draws (seed + 1), so these inputs are not natal-node's.
    const random = rng(envInt('BENCH_SEED', 20240601) + 1);

    let sink = 0; // results feed this so the calls cannot be optimised away
    const natalOf = (c) => m.computeNatal(engine, { jdUt: c.jdUt, latDeg: c.latDeg, lonDeg: c.lonDeg, settings });
    const allVargas = (natal) => {
      for (const d of divisions) sink += m.vargaChart(natal, d).planets.Moon.longitudeDeg;
      return natal;
    };

    // One pool of distinct instants for warm-up + timed Shodasavarga sets.
    const births = randomCharts(warmup + n, random);
    ctx.log(`vargas-node: computeNatal + ${divisions.length}×vargaChart (${warmup} warm-up + ${n} timed)`);
    await timeStages(births.slice(0, warmup), [natalOf, allVargas]);
    const sets = await timeStages(births.slice(warmup), [natalOf, allVargas]);

    // Transits: birth charts and transit instants from two further pools of distinct instants.
    const total = warmupTransits + nTransits;
    const natals = randomCharts(total, random);
    const instants = randomCharts(total, random).map((c) => JD_1800 + ((c.jdUt - JD_1800) / (JD_2400 - JD_1800)) * (JD_2360 - JD_1800));
    const transitInputs = natals.map((c, i) => ({ birth: c, jdUt: instants[i] }));
    const natalFor = (t) => ({ jdUt: t.jdUt, natal: natalOf(t.birth) });
    const transits = (t) => {
      const out = m.computeTransits(engine, { jdUt: t.jdUt, natal: t.natal, settings });
      sink += out.Pluto.nextSignChange?.jdUt ?? 0;
      return out;
    };
    ctx.log(`vargas-node: computeTransits (${warmupTransits} warm-up + ${nTransits} timed)`);
    await timeStages(transitInputs.slice(0, warmupTransits), [natalFor, transits]);
    const tr = await timeStages(transitInputs.slice(warmupTransits), [natalFor, transits]);

    // Engine calls behind one computeTransits, counted on a few already-timed inputs (untimed).
    let calcUtCalls = 0;
    const counting = Object.create(engine);
    counting.calcUt = (...args) => (calcUtCalls++, engine.calcUt(...args));
    const countSample = transitInputs.slice(warmupTransits, warmupTransits + 100);
    for (const t of countSample) m.computeTransits(counting, { jdUt: t.jdUt, natal: natalOf(t.birth), settings });

    const [natalStage, vargaStage] = sets.stages;
    const { stages: _s, ...full } = sets;
    return {
      settings,
      divisions: divisions.map((d) => `D${d}`),
      warmupSets: warmup,
      shodasavarga: {
        full: { ...full, vargaChartsPerSec: full.chartsPerSec * divisions.length },
        computeNatal: { ...natalStage, chartsPerSec: 1e6 / natalStage.meanUs },
        vargaCharts: { ...vargaStage, chartsPerSec: 1e6 / vargaStage.meanUs, perVargaChartUs: vargaStage.meanUs / divisions.length },
      },
      transits: {
        warmup: warmupTransits,
        instantsRange: '1800-01-01..2360-01-01 UT (full 40-year sign-change horizon)',
        ...tr.stages[1],
        chartsPerSec: 1e6 / tr.stages[1].meanUs,
        untimedNatalMeanUs: tr.stages[0].meanUs,
        calcUtCallsPerTransit: calcUtCalls / countSample.length,
      },
      checksum: sink,
    };
  },
  report(f) {
    const s = f.shodasavarga;
    const head = (label, rate) =>
      `  ${label.padEnd(40)} ${'mean µs'.padStart(8)} ${'p50 µs'.padStart(8)} ${'p99 µs'.padStart(8)} ${rate.padStart(9)}`;
    const row = (label, r, rate = r.chartsPerSec) =>
      `  ${label.padEnd(40)} ${num(r.meanUs, 1).padStart(8)} ${num(r.p50Us, 1).padStart(8)} ${num(r.p99Us, 1).padStart(8)} ${num(rate, 0).padStart(9)}`;
    const share = (100 * s.vargaCharts.meanUs) / s.full.meanUs;
    const t = f.transits;
    return [
      `  ${s.full.n} timed Shodasavarga sets after ${f.warmupSets} warm-up, each with a unique random instant in 1800-2399`,
      `  and place (lat -66..66, lon -180..180); DEFAULT_SETTINGS (${Object.values(f.settings).join(', ')}); default methods.`,
      `  divisions: ${f.divisions.join(' ')}`,
      head('per Shodasavarga set', 'sets/s'),
      row(`computeNatal + ${f.divisions.length}×vargaChart (full)`, s.full),
      row('  of which computeNatal', s.computeNatal),
      row(`  of which ${f.divisions.length}×vargaChart`, s.vargaCharts),
      `  full: ${num(s.full.chartsPerSec, 0)} sets/s = ${num(s.full.vargaChartsPerSec, 0)} divisional charts/s over the loop's wall time;` +
        ' the "of which" rows: 1e6 / mean µs of that stage.',
      `  vargaChart: ${num(s.vargaCharts.perVargaChartUs, 2)} µs per chart (ascendant + 12 planets), ${num(share, 0)}% of the full set's mean time.`,
      '',
      `  ${t.n} timed computeTransits after ${t.warmup} warm-up; unique random natal chart + transit instant in ${t.instantsRange}`,
      head('per transits computation', 'calls/s'),
      row('computeTransits (12 planets+next change)', t),
      `  calls/s = 1e6 / mean µs (the natal chart each uses is computed first, untimed: ${num(t.untimedNatalMeanUs, 1)} µs mean);` +
        ` ${num(t.calcUtCallsPerTransit, 0)} engine.calcUt calls per computeTransits (mean of 100).`,
    ];
  },
};
