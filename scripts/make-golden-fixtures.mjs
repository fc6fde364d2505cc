#!/usr/bin/env node
/**
 * Regenerates test/fixtures/golden/swetest-charts.json: reference charts computed
 * by the native Swiss Ephemeris (Debian's `swetest`), against which
 * test/unit/golden.test.ts checks our WebAssembly build and pure core.
 *
 *   npm run fixtures            (= node scripts/make-golden-fixtures.mjs)
 *   node scripts/make-golden-fixtures.mjs --seed 12345
 *   node scripts/make-golden-fixtures.mjs --check   (CI: fail unless the committed file is what swetest prints)
 *
 * Deterministic: the same seed and the same swetest produce a byte-identical file.
 * Needs `swetest` and the ephemeris files: apt-get install swetest swe-basic-data
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DEFAULT_SEED = 20240917;
const EPHE_DIR = '/usr/share/libswe/ephe';
const SWETEST = 'swetest';
const OUT_DIR = fileURLToPath(new URL('../test/fixtures/golden/', import.meta.url));
const OUT_FILE = OUT_DIR + 'swetest-charts.json';

// Mirrors src/core/settings.ts (kept literal here: this script runs in plain Node without TypeScript).
const SIDEREAL_MODE = { lahiri: 1, raman: 3, krishnamurti: 5, yukteshwar: 7, fagan_bradley: 0, true_chitra: 27 };
const AYANAMSAS = Object.keys(SIDEREAL_MODE);
const NODE_TYPES = ['mean', 'true'];
const HOUSE_SYSTEM_CODE = { whole_sign: 'W', equal: 'E', placidus: 'P', sripati: 'O', kp: 'P' };
const HOUSE_SYSTEMS = Object.keys(HOUSE_SYSTEM_CODE);
const PROFILES = ['default', 'jhora'];
/** Systems Swiss Ephemeris cannot compute inside the polar circles (our core refuses them there). */
const POLAR_LIMITED = new Set(['placidus', 'kp']);

/** Bodies in swetest's -p order: 0..9, then the node letter, then `b` (the ayanamsa as a pseudo-body). */
const BODY_NAMES = ['Sun', 'Moon', 'Mercury', 'Venus', 'Mars', 'Jupiter', 'Saturn', 'Uranus', 'Neptune', 'Pluto'];
const NODE_LETTER = { mean: 'm', true: 't' };
const NODE_LABEL = { mean: 'mean Node', true: 'true Node' };

/**
 * Time range: 1800-01-02 0h UT .. 2399-12-30 12h UT. sepl_18/semo_18 (the files our
 * WASM build bundles too) cover 1800–2400; within a day of either end swetest
 * already falls back to the Moshier theory for some body, so the ends are trimmed.
 */
const JD_MIN = 2378497.5;
const JD_MAX = 2597640.0;

function fail(message) {
  console.error(`make-golden-fixtures: ${message}`);
  process.exit(1);
}

function parseSeed(argv) {
  const i = argv.indexOf('--seed');
  if (i === -1) return DEFAULT_SEED;
  const seed = Number(argv[i + 1]);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`--seed needs an integer in [0, 2^32), got ${argv[i + 1]}`);
  return seed;
}

/** mulberry32: small, well-known 32-bit PRNG; returns floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function round(x, decimals) {
  const r = Number(x.toFixed(decimals));
  return Object.is(r, -0) ? 0 : r;
}

/** Plain decimal text for a command line (never exponent notation). */
function num(x, decimals) {
  const s = String(x);
  if (/e/i.test(s)) fail(`cannot write ${x} without exponent`);
  if (Number(s) !== x || round(x, decimals) !== x) fail(`internal: ${x} is not a ${decimals}-decimal number`);
  return s;
}

function checkSwetest() {
  const probe = spawnSync(SWETEST, ['-h'], { encoding: 'utf8' });
  if (probe.error) {
    if (probe.error.code === 'ENOENT') {
      fail(`\`${SWETEST}\` not found on PATH. Install the native Swiss Ephemeris: apt-get install swetest swe-basic-data`);
    }
    fail(`cannot run ${SWETEST}: ${probe.error.message}`);
  }
  for (const file of ['sepl_18.se1', 'semo_18.se1']) {
    if (!existsSync(`${EPHE_DIR}/${file}`)) {
      fail(`${EPHE_DIR}/${file} is missing. Install the ephemeris files: apt-get install swetest swe-basic-data`);
    }
  }
  // The version is printed in swetest's header ("version 2.10.03-deb1").
  const head = run(['-edir' + EPHE_DIR, '-bj2451545', '-ut', '-p0', '-fPl']);
  const m = /version\s+(\S+)/.exec(head);
  if (!m) fail(`could not read the swetest version from:\n${head}`);
  return m[1];
}

function run(args) {
  const r = spawnSync(SWETEST, args, { encoding: 'utf8' });
  if (r.error) fail(`${SWETEST} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${SWETEST} ${args.join(' ')} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Numbers at the end of a line (names may contain spaces: "mean Node", "equat. Asc."). */
function trailingNumbers(line, count) {
  const parts = line.trim().split(/\s+/);
  if (parts.length < count + 1) return null;
  const nums = parts.slice(-count).map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return null;
  return { label: parts.slice(0, -count).join(' '), nums };
}

function lines(output) {
  return output.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
}

/** Planet run: exactly one line per requested body, in order; anything else (a warning, a Moshier fallback) is fatal. */
function parsePlanets(output, command, node) {
  const expectedLabels = [...BODY_NAMES, NODE_LABEL[node], 'Ayanamsha'];
  const ls = lines(output);
  if (ls.length !== expectedLabels.length) fail(`unexpected output (${ls.length} lines) from\n  ${command}\n${output}`);
  const bodies = {};
  let ayanamsaDeg;
  ls.forEach((line, i) => {
    const parsed = trailingNumbers(line, 3);
    if (!parsed || parsed.label !== expectedLabels[i]) fail(`line ${i + 1} should be ${expectedLabels[i]}: "${line}"\n  ${command}`);
    const [lonDeg, latDeg, speedDegPerDay] = parsed.nums;
    if (parsed.label === 'Ayanamsha') ayanamsaDeg = lonDeg;
    else bodies[i < BODY_NAMES.length ? BODY_NAMES[i] : 'node'] = { lonDeg, latDeg, speedDegPerDay };
  });
  return { ayanamsaDeg, bodies };
}

/** House run: "house  1  <deg>" .. "house 12", then Ascendant, MC, ARMC, Vertex, … */
function parseHouses(output, command) {
  const cuspsDeg = [];
  let ascendantDeg;
  for (const line of lines(output)) {
    const parsed = trailingNumbers(line, 1);
    if (!parsed) fail(`unparseable line "${line}"\n  ${command}`);
    const house = /^house\s+(\d+)$/.exec(parsed.label);
    if (house) {
      if (Number(house[1]) !== cuspsDeg.length + 1) fail(`cusps out of order at "${line}"\n  ${command}`);
      cuspsDeg.push(parsed.nums[0]);
    } else if (parsed.label === 'Ascendant') {
      ascendantDeg = parsed.nums[0];
    } else if (!['MC', 'ARMC', 'Vertex', 'equat. Asc.', 'co-Asc. W.Koch', 'co-Asc Munkasey', 'Polar Asc.'].includes(parsed.label)) {
      fail(`unexpected line "${line}" (a warning?)\n  ${command}`);
    }
  }
  if (cuspsDeg.length !== 12 || ascendantDeg === undefined) fail(`expected 12 cusps and an ascendant from\n  ${command}\n${output}`);
  return { ascendantDeg, cuspsDeg };
}

function quote(args) {
  return [SWETEST, ...args].join(' ');
}

function chart(rand, settings) {
  const jdUt = round(JD_MIN + rand() * (JD_MAX - JD_MIN), 6);
  const latLimit = POLAR_LIMITED.has(settings.houseSystem) ? 66 : 89.9;
  const latDeg = round((rand() * 2 - 1) * latLimit, 4);
  const lonDeg = round((rand() * 2 - 1) * 180, 4);

  const sid = SIDEREAL_MODE[settings.ayanamsa];
  const common = [`-edir${EPHE_DIR}`, `-bj${num(jdUt, 6)}`, '-ut', `-sid${sid}`, '-head', '-ep'];
  // Planets, node and ayanamsa; `jhora` = true geometric positions without nutation.
  const planetArgs = [...common, `-p0123456789${NODE_LETTER[settings.node]}b`, '-fPlbs'];
  if (settings.profile === 'jhora') planetArgs.push('-true', '-nonut');
  // Houses: the ordinary sidereal calculation in every profile; -house takes longitude first.
  const houseArgs = [...common, '-p', '-fPl', `-house${num(lonDeg, 4)},${num(latDeg, 4)},${HOUSE_SYSTEM_CODE[settings.houseSystem]}`];

  const planetsCommand = quote(planetArgs);
  const housesCommand = quote(houseArgs);
  const { ayanamsaDeg, bodies } = parsePlanets(run(planetArgs), planetsCommand, settings.node);
  const { ascendantDeg, cuspsDeg } = parseHouses(run(houseArgs), housesCommand);
  return {
    jdUt,
    latDeg,
    lonDeg,
    settings,
    swetest: { planetsCommand, housesCommand },
    expected: { ayanamsaDeg, bodies, ascendantDeg, cuspsDeg },
  };
}

function main() {
  const seed = parseSeed(process.argv.slice(2));
  const version = checkSwetest();
  const rand = mulberry32(seed);

  // One chart per combination (6 ayanamsas × 2 nodes × 5 house systems × 2 profiles = 120),
  // each at a random instant and place.
  const charts = [];
  for (const ayanamsa of AYANAMSAS)
    for (const node of NODE_TYPES)
      for (const houseSystem of HOUSE_SYSTEMS)
        for (const profile of PROFILES) charts.push(chart(rand, { ayanamsa, node, houseSystem, profile }));

  const fixture = {
    description: 'Golden charts from the native Swiss Ephemeris (swetest); see README.md in this directory.',
    generator: 'scripts/make-golden-fixtures.mjs',
    seed,
    swetestVersion: version,
    ephemerisDir: EPHE_DIR,
    jdUtRange: [JD_MIN, JD_MAX],
    charts,
  };
  const text = JSON.stringify(fixture, null, 2) + '\n';
  if (process.argv.includes('--check')) {
    // CI: the committed fixture must be exactly what swetest prints today.
    const committed = existsSync(OUT_FILE) ? readFileSync(OUT_FILE, 'utf8') : '';
    if (committed !== text) fail(`${OUT_FILE} differs from a fresh swetest run (seed ${seed}); run npm run fixtures and review the diff`);
    console.log(`golden fixtures: ${charts.length} charts match a fresh swetest ${version} run (seed ${seed})`);
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(OUT_FILE, text);
  console.log(`wrote ${charts.length} charts (seed ${seed}, swetest ${version}) to ${OUT_FILE}`);
}

main();
