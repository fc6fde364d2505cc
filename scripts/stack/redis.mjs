/**
 * A throw-away `redis-server` (Debian package `redis-server`) for local development and tests:
 * bound to 127.0.0.1 on a given port, working directory in a temp dir, no automatic persistence
 * (`--save '' --appendonly no`). It can be stopped and started again on the same port, which is
 * how the tests simulate a Redis outage.
 *
 *   const redis = await startRedis({ port: 6390 });
 *   await redis.stop();   // the port is free again
 *   await redis.start();  // same port, empty data set
 *   await redis.close();  // stop + remove the temp dir
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { RedisConnection } from './resp.mjs';

export const INSTALL_HINT = 'apt-get install -y redis-server';

/**
 * The redis-server binary, or null: $REDIS_SERVER when set (and only that), else
 * /usr/bin/redis-server (Debian), /usr/local/bin/redis-server or the first on PATH.
 */
export function findRedisServer() {
  if (process.env.REDIS_SERVER) return existsSync(process.env.REDIS_SERVER) ? process.env.REDIS_SERVER : null;
  const candidates = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, 'redis-server'));
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether something accepts TCP connections on host:port. */
function portAnswers(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves once `PING` answers on the port, or rejects after timeoutMs. With `pid`, only a
 * server whose INFO reports that process id counts (not another redis already on the port).
 */
export async function waitForRedis({ host = '127.0.0.1', port, pid, timeoutMs = 10_000, isDead = () => false }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (isDead()) throw new Error(`redis-server on port ${port} exited during start-up${lastError ? ` (${lastError.message})` : ''}`);
    try {
      const conn = await RedisConnection.connect({ host, port, connectTimeoutMs: 500 });
      try {
        const [reply, info] = await conn.send([['PING'], ['INFO', 'server']], 1000);
        if (String(reply) === 'PONG') {
          if (pid === undefined || String(info).includes(`\r\nprocess_id:${pid}\r\n`)) return;
          lastError = new Error(`another process answers on port ${port}`);
        }
      } finally {
        conn.close();
      }
    } catch (err) {
      lastError = err;
    }
    await sleep(25);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}`);
}

/**
 * @param {{ port: number, bin?: string, host?: string, log?: (line: string) => void,
 *           startTimeoutMs?: number }} opts
 */
export async function startRedis({ port, bin = findRedisServer() ?? undefined, host = '127.0.0.1', log, startTimeoutMs = 10_000 }) {
  if (!bin) throw new Error(`redis-server not found; install it: ${INSTALL_HINT}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`redis port must be a TCP port, got ${port}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'stack-redis-'));
  liveDirs.add(dir);
  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null;
  let exited = null; // Promise that resolves when `child` exits
  let output = '';

  const handle = {
    host,
    port,
    dir,
    get running() {
      return child !== null;
    },
    get pid() {
      return child?.pid;
    },

    async start() {
      if (child) return;
      // `--save ''` must reach redis as an empty argument, so no shell is involved.
      const args = [
        '--port', String(port),
        '--bind', host,
        '--dir', dir,
        '--save', '',
        '--appendonly', 'no',
        '--daemonize', 'no',
        '--protected-mode', 'yes',
        '--loglevel', 'warning',
        '--logfile', '',
      ];
      if (await portAnswers(host, port)) throw new Error(`port ${host}:${port} is already in use; cannot start redis-server there`);
      const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      liveChildren.add(proc);
      output = '';
      const keep = (chunk) => {
        output = (output + chunk.toString()).slice(-4000);
        if (log) for (const line of chunk.toString().split('\n')) if (line.trim()) log(line);
      };
      proc.stdout.on('data', keep);
      proc.stderr.on('data', keep);
      let dead = false;
      exited = new Promise((resolve) => {
        proc.once('exit', (code, signal) => {
          dead = true;
          liveChildren.delete(proc);
          if (child === proc) child = null;
          resolve({ code, signal });
        });
        proc.once('error', (err) => {
          dead = true;
          liveChildren.delete(proc);
          output += `\n${err.message}`;
          if (child === proc) child = null;
          resolve({ code: null, signal: null });
        });
      });
      try {
        await waitForRedis({ host, port, pid: proc.pid, timeoutMs: startTimeoutMs, isDead: () => dead });
      } catch (err) {
        await handle.stop();
        throw new Error(`${err.message}\n${output.trim()}`);
      }
    },

    /**
     * Stops the server (SIGTERM, then SIGKILL after 5 s) and waits until it has exited.
     * `keepData`: SAVE first, so the next start() reloads the data set from `dir` — an outage,
     * as a durable Redis (Upstash) has one. Otherwise the dump is removed: a data loss.
     */
    async stop({ keepData = false } = {}) {
      const proc = child;
      if (!proc) return;
      if (keepData) {
        const conn = await RedisConnection.connect({ host, port });
        try {
          await conn.send([['SAVE']]);
        } finally {
          conn.close();
        }
      }
      const done = exited;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
      if (child === proc) child = null;
      if (!keepData) rmSync(path.join(dir, 'dump.rdb'), { force: true });
    },

    async restart() {
      await handle.stop();
      await handle.start();
    },

    /** Stops the server for good and removes its temp dir. */
    async close() {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };

  try {
    await handle.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }
  return handle;
}

// A redis-server must not outlive the process that started it, whichever way that process ends
// short of SIGKILL (vitest crashing, an uncaught exception, process.exit in a signal handler).
/** @type {Set<import('node:child_process').ChildProcess>} */
const liveChildren = new Set();
/** @type {Set<string>} temp dirs not removed yet */
const liveDirs = new Set();
process.on('exit', () => {
  for (const proc of liveChildren) proc.kill('SIGKILL');
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});
