/**
 * `wrangler dev` on 127.0.0.1 for the HTTP benchmark: free ports, a fresh
 * persistence dir, offline env, its own process group (wrangler -> node ->
 * workerd) so stopping it leaves nothing behind.
 */
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wranglerEnv } from '../wrangler-env.mjs';
import { groupPids, killGroup, spawnGroup } from './procs.mjs';
import { freePort, sleep } from './util.mjs';

function getStatus(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/**
 * A value for wrangler's .env parser (dotenv): single quotes keep it literal. Double quotes
 * would keep `\"` as written, so a JSON value (RATE_LIMITS) would arrive with backslashes.
 */
function envFileValue(name, value) {
  const text = String(value);
  if (/['\n\r]/.test(text)) throw new Error(`wrangler-dev: ${name} contains a quote or newline, which the .env file cannot carry literally`);
  return `'${text}'`;
}

/**
 * Starts wrangler dev and resolves once GET /health answers 200.
 * `vars` become Worker variables through an .env file in ctx.tmp (values may
 * contain ':' and must not appear on a command line: tokens).
 * Returns { port, inspectorPort, pgid, logLevel, startupMs, stop() }.
 */
export async function startWranglerDev(ctx, { logLevel = 'warn', timeoutMs = 120_000, vars = {} } = {}) {
  const port = await freePort(8790);
  const inspectorPort = await freePort(9790, [port]);
  const persistTo = mkdtempSync(join(ctx.tmp, 'wrangler-persist-'));
  const wrangler = join(ctx.root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const args = [
    wrangler, 'dev',
    '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
    '--persist-to', persistTo, '--log-level', logLevel, '--show-interactive-dev-session=false',
  ];
  if (Object.keys(vars).length) {
    const envFile = join(persistTo, 'vars.env');
    writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${envFileValue(k, v)}`).join('\n') + '\n', { mode: 0o600 });
    args.push('--env-file', envFile);
  }
  const t0 = performance.now();
  const handle = spawnGroup(process.execPath, args, { cwd: ctx.root, env: wranglerEnv({ FORCE_COLOR: '0', CI: '1' }) });
  const stop = () => killGroup(handle);
  try {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      if (handle.exitedEarly) throw new Error('wrangler dev exited before /health answered');
      // A failed build leaves wrangler dev running, waiting for edits: give up at once.
      if (handle.tail.some((l) => /\[ERROR\]/.test(l))) throw new Error('wrangler dev reported an error');
      if ((await getStatus(port, '/health')) === 200) break;
      if (Date.now() > deadline) throw new Error(`GET /health did not answer 200 within ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  } catch (err) {
    const tail = handle.tail.slice(-30).join('\n');
    await stop();
    throw new Error(`${err.message}\n--- wrangler dev output (tail) ---\n${tail}`);
  }
  return {
    port,
    inspectorPort,
    pgid: handle.pgid,
    logLevel,
    startupMs: performance.now() - t0,
    processCount: () => groupPids(handle.pgid).length,
    output: () => handle.tail.slice(),
    stop,
  };
}
