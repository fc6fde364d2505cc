/**
 * Helpers for test/stack/cache-e2e.test.ts: two real `wrangler dev` Workers (two processes, two
 * Cache API stores: two data centres) sharing the stack's Upstash emulator + redis-server, and
 * small HTTP helpers to talk to them, to the emulator and to its control endpoints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWranglerDev, type WranglerDev } from '../../scripts/bench/wrangler-dev.mjs';
import type { UpstashStackInfo } from './global-setup';
import { groupListensOn } from './port-owner';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty / not JSON. */
  body: any;
  xCache: string | null;
}

export interface Worker {
  name: string;
  base: string;
  dev: WranglerDev;
  request(method: string, path: string, options?: { json?: unknown; headers?: Record<string, string> }): Promise<Reply>;
  post(path: string, json: unknown, headers?: Record<string, string>): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
}

/** A fetch Response read once: status, headers, text, parsed JSON (if any), X-Cache. */
export async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body, xCache: res.headers.get('x-cache') };
}

function worker(name: string, dev: WranglerDev): Worker {
  const base = `http://127.0.0.1:${dev.port}`;
  const request: Worker['request'] = async (method, path, { json, headers = {} } = {}) => {
    const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(30_000) };
    if (json !== undefined) {
      init.body = JSON.stringify(json);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return toReply(await fetch(base + path, init));
  };
  return {
    name,
    base,
    dev,
    request,
    post: (path, json, headers) => request('POST', path, { json, headers }),
    get: (path, headers) => request('GET', path, { headers }),
  };
}

export interface WorkerPair {
  a: Worker;
  b: Worker;
  adminToken: string;
  stop(): Promise<void>;
}


/**
 * startWranglerDev probes for free ports, then spawns, then waits for GET /health = 200. Another
 * `wrangler dev` starting at the same moment (another test run, a bench) can take the same port:
 * ours then fails to bind, or, worse, the other one answers our /health and we would be testing a
 * Worker with another configuration. So check that our process group owns the port; retry if not.
 */
export async function startOwnWorker(ctx: { root: string; tmp: string }, vars: Record<string, string>): Promise<WranglerDev> {
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const dev = await startWranglerDev(ctx, { vars });
      if (groupListensOn(dev.pgid, dev.port)) return dev;
      problem = `port ${dev.port} answered /health but is not held by our wrangler dev (pgid ${dev.pgid})`;
      await dev.stop();
    } catch (err) {
      problem = String((err as Error).message);
      if (!/Address already in use/.test(problem)) throw err;
    }
    if (attempt >= 6) throw new Error(`wrangler dev did not start on a port of its own after ${attempt} attempts: ${problem}`);
    console.warn(`cache-e2e: retrying wrangler dev (attempt ${attempt}: ${problem.split('\n')[0]})`);
    await sleep(200 + Math.random() * 800 * attempt);
  }
}

/**
 * Starts A, then B (one after the other: startWranglerDev picks "free" ports by probing, so two
 * parallel starts can pick the same ones). If B fails, A is stopped before the error is thrown.
 */
export async function startWorkerPair(upstash: UpstashStackInfo, extraVars: Record<string, string> = {}): Promise<WorkerPair> {
  const tmp = mkdtempSync(join(tmpdir(), 'ae-cache-e2e-'));
  const adminToken = `adm-${crypto.randomUUID()}`;
  const vars = {
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    ADMIN_TOKEN: adminToken,
    REDIS_TIMEOUT_MS: '300',
    ...extraVars,
  };
  const devs: WranglerDev[] = [];
  const cleanup = async () => {
    await Promise.allSettled(devs.map((d) => d.stop()));
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 2; i++) devs.push(await startOwnWorker({ root: ROOT, tmp }, vars));
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { a: worker('A', devs[0]), b: worker('B', devs[1]), adminToken, stop: cleanup };
}

/** One command on the Upstash REST emulator (what the Workers talk to). */
export async function redisCommand(upstash: UpstashStackInfo, ...args: (string | number)[]): Promise<unknown> {
  const res = await fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
    signal: AbortSignal.timeout(5_000),
  });
  const out = (await res.json()) as { result?: unknown; error?: string };
  if (!res.ok || out.error) throw new Error(`redis ${args[0]} failed: ${res.status} ${out.error ?? ''}`);
  return out.result;
}

/** The transit entries currently in Redis (every namespace). */
export async function transitKeys(upstash: UpstashStackInfo): Promise<Set<string>> {
  return new Set((await redisCommand(upstash, 'KEYS', 'ae:*:transits:*')) as string[]);
}

/** Waits until a transit key not in `before` is in Redis (the asynchronous fill of a MISS); returns it. */
export async function waitForNewTransitKey(upstash: UpstashStackInfo, before: Set<string>, timeoutMs = 3_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = [...(await transitKeys(upstash))].filter((k) => !before.has(k));
    if (fresh.length === 1) return fresh[0];
    if (fresh.length > 1) throw new Error(`expected one new transit key, found ${fresh.length}: ${fresh.join(', ')}`);
    if (Date.now() > deadline) throw new Error(`no new transit key in Redis within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** POST /__stack/redis/stop|start on the emulator (stops / restarts the managed redis-server). */
/** Stops or starts the stack's redis-server; `keepData` makes a stop an outage (data reloaded on start), not a loss. */
export async function controlRedis(upstash: UpstashStackInfo, op: 'stop' | 'start', options: { keepData?: boolean } = {}): Promise<void> {
  const query = options.keepData ? '?keepData=1' : '';
  const res = await fetch(`${upstash.url}/__stack/redis/${op}${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.controlToken}` },
    signal: AbortSignal.timeout(20_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`redis ${op}: ${res.status} ${body}`);
}

export async function stackRedisUp(upstash: UpstashStackInfo): Promise<boolean> {
  const res = await fetch(`${upstash.url}/__stack/health`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { redis: string }).redis === 'up';
}
