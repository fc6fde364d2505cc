#!/usr/bin/env node
/**
 * `npm run dev`: the Worker under `wrangler dev` on http://127.0.0.1:8787
 * (`PORT` overrides), with no account and no secrets, rebuilt on every edit.
 * Slower per request than `npm start` (a proxy workerd in front, every log
 * line printed through wrangler's terminal): use `npm start` to measure.
 */
import { spawn } from 'node:child_process';
import { wranglerEnv } from './wrangler-env.mjs';

const port = process.env.PORT ?? '8787';
if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
  console.error(`dev: PORT must be a TCP port number, got '${port}'`);
  process.exit(2);
}
// The inspector defaults to 9229, which often collides; keep it next to the port.
const inspectorPort = String((Number(port) + 1000) % 65536 || 9329);
const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', port, '--inspector-port', inspectorPort, ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: 'inherit', env: wranglerEnv() });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
