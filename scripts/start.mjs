#!/usr/bin/env node
/**
 * `npm start`: the Worker as it would be deployed, served by workerd on
 * http://127.0.0.1:8787 (`PORT` overrides), with no account and no secrets.
 *
 * 1. `wrangler deploy --dry-run --outdir <tmp>` builds the exact upload (nothing is sent);
 * 2. the Miniflare API runs that bundle in one workerd process listening on the
 *    port itself: no second workerd in front (wrangler dev's proxy), no terminal
 *    pretty-printing of each line;
 * 3. the bindings are wrangler.toml's `[vars]` (or `--env NAME`'s) plus `.dev.vars`,
 *    as wrangler dev reads them, plus any `--var NAME:VALUE`; the Cache API is on
 *    (in memory, per run).
 *
 * Every log line goes to stdout as one JSON object per line: the Worker's own
 * lines as it wrote them, workerd's messages wrapped as `{ts, level, msg:'workerd', message}`.
 * SIGINT / SIGTERM stop workerd and exit 0. `npm run dev` keeps wrangler dev (live reload).
 *
 * For the benchmark only: `DIRECT_PORT` opens a second socket straight to the
 * Worker's fetch handler, bypassing Miniflare's entry worker (same process).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { wranglerEnv } from './wrangler-env.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function portOf(name, fallback) {
  const raw = process.env[name] ?? fallback;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    console.error(`start: ${name} must be a TCP port number, got '${raw}'`);
    process.exit(2);
  }
  return Number(raw);
}

/** `--env NAME` (wrangler.toml environment) and `--var NAME:VALUE` (repeatable), as wrangler dev takes them. */
function parseArgs(argv) {
  let env = '';
  const vars = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--env' || arg === '-e') env = argv[++i] ?? '';
    else if (arg.startsWith('--env=')) env = arg.slice('--env='.length);
    else if (arg === '--var' || arg.startsWith('--var=')) {
      const spec = arg === '--var' ? argv[++i] ?? '' : arg.slice('--var='.length);
      const colon = spec.indexOf(':');
      if (colon < 1) {
        console.error(`start: --var takes NAME:VALUE, got '${spec}'`);
        process.exit(2);
      }
      vars[spec.slice(0, colon)] = spec.slice(colon + 1);
    } else {
      console.error(`start: unknown argument '${arg}' (accepted: --env NAME, --var NAME:VALUE)`);
      process.exit(2);
    }
  }
  return { env, vars };
}

const port = portOf('PORT', '8787');
const directPort = portOf('DIRECT_PORT');
const { env: envName, vars: extraVars } = parseArgs(process.argv.slice(2));

const line = (level, msg, fields = {}) => process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);

const outdir = mkdtempSync(join(os.tmpdir(), 'astro-start-'));
const removeOutdir = () => rmSync(outdir, { recursive: true, force: true });
process.on('exit', removeOutdir);

const built0 = performance.now();
const wrangler = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
// `--env=` names the top-level environment explicitly (wrangler warns otherwise).
const build = spawnSync(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', outdir, `--env=${envName}`], {
  cwd: root,
  env: wranglerEnv({ FORCE_COLOR: '0', CI: '1' }),
  encoding: 'utf8',
});
if (build.status !== 0) {
  process.stderr.write(`${build.stdout}${build.stderr}`);
  console.error(`start: wrangler deploy --dry-run failed (exit ${build.status ?? build.signal})`);
  process.exit(1);
}
const buildMs = performance.now() - built0;

/**
 * Module types as wrangler.toml's [[rules]] give them to the upload: `.wasm`
 * compiled, `.se1` as ArrayBuffer data. Wrangler names each such file
 * `<sha1>-<name>` and imports it by that name from index.js.
 */
function moduleType(name) {
  if (/\.m?js$/.test(name)) return 'ESModule';
  if (name.endsWith('.wasm')) return 'CompiledWasm';
  if (name.endsWith('.se1')) return 'Data';
  return null;
}

/**
 * workerd prints a logged object in its inspect format over several lines; Workers Logs and
 * Logpush store it as JSON. This first module (not part of the upload) makes the local console
 * write the JSON text, so each line on stdout is one JSON object, as in production.
 */
const CONSOLE_JSON = `
for (const method of ['log', 'info', 'warn', 'error', 'debug']) {
  const write = console[method].bind(console);
  console[method] = (...args) => write(...args.map((a) => (a !== null && typeof a === 'object' && !(a instanceof Error) ? JSON.stringify(a) : a)));
}
`;
writeFileSync(join(outdir, 'start-console-json.mjs'), CONSOLE_JSON);
writeFileSync(join(outdir, 'start-entry.mjs'), "import './start-console-json.mjs';\nexport { default } from './index.js';\n");

const uploaded = readdirSync(outdir).filter((name) => !name.startsWith('start-') && moduleType(name));
const modules = ['start-entry.mjs', 'start-console-json.mjs', ...uploaded].map((name) => ({ type: moduleType(name), path: join(outdir, name) }));

const [{ Miniflare }, { unstable_getMiniflareWorkerOptions }] = await Promise.all([import('miniflare'), import('wrangler')]);
const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml'), envName || undefined);

/** workerd's structured lines: the Worker's JSON lines pass through unchanged; anything else is wrapped. */
function onWorkerdLog({ timestamp, level, message }) {
  const text = message.trimEnd();
  if (text.startsWith('{') && text.endsWith('}') && !text.includes('\n')) {
    process.stdout.write(`${text}\n`);
    return;
  }
  const ts = new Date(Number(timestamp)).toISOString();
  process.stdout.write(`${JSON.stringify({ ts, level: level === 'log' ? 'info' : level, msg: 'workerd', message: text })}\n`);
}

const mf = new Miniflare({
  name: 'astro-engine-edge',
  modules,
  modulesRoot: outdir,
  compatibilityDate: workerOptions.compatibilityDate,
  compatibilityFlags: workerOptions.compatibilityFlags,
  bindings: { ...workerOptions.bindings, ...extraVars },
  host: '127.0.0.1',
  port,
  // A fixed request.cf (no download of Cloudflare's live one: this runs offline).
  cf: false,
  cache: true,
  logRequests: false,
  handleStructuredLogs: onWorkerdLog,
  ...(directPort ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: directPort }] } : {}),
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  line('info', 'stopping', { signal });
  try {
    await mf.dispose();
  } finally {
    removeOutdir();
    process.exit(0);
  }
}
// Miniflare's own exit hook answers SIGINT/SIGTERM by killing workerd and exiting 130/143 at
// once; ours disposes it (workerd stops, the temp dir goes) and exits 0. Its 'exit' hook stays.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  for (const listener of process.listeners(signal)) process.off(signal, listener);
  process.on(signal, () => void stop(signal));
}
// `npm start` runs us under `sh -c`, and a SIGTERM sent to npm ends that shell without passing
// the signal on: when our parent goes, we go too, rather than leave workerd serving the port.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void stop('parent_exited');
}, 500).unref();

try {
  const url = await mf.ready;
  line('info', 'listening', {
    url: url.origin,
    ...(directPort ? { directUrl: `http://127.0.0.1:${directPort}` } : {}),
    environment: envName || '(top level)',
    buildMs: Math.round(buildMs),
    readyMs: Math.round(performance.now() - built0),
    bindings: Object.keys({ ...workerOptions.bindings, ...extraVars }),
  });
} catch (err) {
  line('error', 'start_failed', { error: String(err?.message ?? err) });
  await mf.dispose().catch(() => {});
  process.exit(1);
}
