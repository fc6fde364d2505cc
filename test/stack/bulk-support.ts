/**
 * Helpers for test/stack/bulk-e2e.test.ts: a real `wrangler dev` Worker wired to the whole local
 * stack (redis-server behind the Upstash REST emulator, and the QStash emulator delivering chunks
 * back to the Worker), a Node HTTP server that records webhook deliveries byte for byte, the
 * QStash emulator's control endpoints, and bulk-job inputs and polling.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWranglerDev, type WranglerDev } from '../../scripts/bench/wrangler-dev.mjs';
import type { QStashFaults, QStashMessageLog, QStashMessagesReport } from '../../scripts/stack/index.mjs';
import { mulberry32 } from '../support/prng';
import type { UpstashStackInfo } from './global-setup';
import { ROOT, sleep, toReply, type Reply } from './worker-pair';
import { groupListensOn } from './port-owner';

export { sleep, type Reply };

/** The internal route QStash delivers chunks to. */
export const CHUNK_PATH = '/internal/bulk/chunk';

// ---------------------------------------------------------------------------------------------
// The Worker

export interface BulkWorker {
  base: string;
  dev: WranglerDev;
  /** WEBHOOK_SECRET of this Worker. */
  webhookSecret: string;
  /** `${base}/internal/bulk/chunk`: the chunks' QStash destination. */
  chunkUrl: string;
  request(method: string, path: string, options?: { json?: unknown; body?: string; headers?: Record<string, string> }): Promise<Reply>;
  post(path: string, json: unknown, headers?: Record<string, string>): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  stop(): Promise<void>;
}


/**
 * The port `startWranglerDev` will pick: it takes the first port from 8790 up that it can bind on
 * 127.0.0.1 (scripts/bench/util.mjs freePort). Predicting it lets PUBLIC_BASE_URL name the
 * Worker's own origin; the start is retried when the prediction turns out wrong.
 */
async function predictWranglerPort(start = 8790): Promise<number> {
  for (let port = start; port < start + 200; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${start}..${start + 199}`);
}


/**
 * One `wrangler dev` Worker with every bulk variable: the stack's Redis and QStash, a random
 * WEBHOOK_SECRET, PUBLIC_BASE_URL = its own http://127.0.0.1:<port>, and ALLOW_LOOPBACK_CALLBACKS
 * as asked. Retries until the Worker listens on the predicted port and owns it.
 */
export async function startBulkWorker(upstash: UpstashStackInfo, options: { allowLoopbackCallbacks: boolean }): Promise<BulkWorker> {
  const tmp = mkdtempSync(join(tmpdir(), 'ae-bulk-e2e-'));
  const webhookSecret = randomBytes(32).toString('hex');
  let dev: WranglerDev | undefined;
  let base = '';
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await predictWranglerPort();
      base = `http://127.0.0.1:${port}`;
      const vars: Record<string, string> = {
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: upstash.token,
        QSTASH_URL: upstash.qstash.url,
        QSTASH_TOKEN: upstash.qstash.token,
        QSTASH_CURRENT_SIGNING_KEY: upstash.qstash.currentSigningKey,
        QSTASH_NEXT_SIGNING_KEY: upstash.qstash.nextSigningKey,
        WEBHOOK_SECRET: webhookSecret,
        PUBLIC_BASE_URL: base,
        REDIS_TIMEOUT_MS: '300',
      };
      if (options.allowLoopbackCallbacks) vars.ALLOW_LOOPBACK_CALLBACKS = 'true';
      let problem: string;
      try {
        const started = await startWranglerDev({ root: ROOT, tmp }, { vars });
        if (started.port === port && groupListensOn(started.pgid, started.port)) {
          dev = started;
          break;
        }
        problem = `wanted port ${port}, wrangler dev is on ${started.port} (pgid ${started.pgid}, owns it: ${groupListensOn(started.pgid, started.port)})`;
        await started.stop();
      } catch (err) {
        problem = String((err as Error).message);
        if (!/Address already in use/.test(problem)) throw err;
      }
      if (attempt >= 6) throw new Error(`wrangler dev did not start on a port of its own after ${attempt} attempts: ${problem}`);
      console.warn(`bulk-e2e: retrying wrangler dev (attempt ${attempt}: ${problem.split('\n')[0]})`);
      await sleep(200 + Math.random() * 800 * attempt);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const running = dev;
  const request: BulkWorker['request'] = async (method, path, { json, body, headers = {} } = {}) => {
    const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(60_000) };
    if (json !== undefined) {
      init.body = JSON.stringify(json);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    } else if (body !== undefined) {
      init.body = body;
    }
    return toReply(await fetch(base + path, init));
  };
  return {
    base,
    dev: running,
    webhookSecret,
    chunkUrl: `${base}${CHUNK_PATH}`,
    request,
    post: (path, json, headers) => request('POST', path, { json, headers }),
    get: (path, headers) => request('GET', path, { headers }),
    async stop() {
      await running.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver

export interface Delivery {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received (what the signature covers). */
  rawBody: string;
  at: number;
}

/** Records every request, raw body and headers included, and answers 200. */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private server: http.Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.deliveries.push({
          path: (req.url ?? '/').split('?')[0],
          method: req.method ?? '',
          headers: req.headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A callback URL no other test uses. */
  freshUrl(label: string): { url: string; path: string } {
    const path = `/hook/${label}-${randomBytes(6).toString('hex')}`;
    return { url: `${this.base}${path}`, path };
  }

  on(path: string): Delivery[] {
    return this.deliveries.filter((d) => d.path === path);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/** `X-Astro-Signature: t=<unix s>,v1=<hex>` checked independently of src/: HMAC-SHA256(secret, t + "." + rawBody). */
export function checkAstroSignature(secret: string, header: string | undefined, rawBody: string): { ok: boolean; t: number | null; why?: string } {
  if (!header) return { ok: false, t: null, why: 'no header' };
  const parts = header.split(',').map((p) => p.trim());
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  const v1 = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
  if (!t || !/^\d+$/.test(t) || v1.length === 0) return { ok: false, t: null, why: `malformed: ${header}` };
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const ok = v1.some((sig) => /^[0-9a-f]{64}$/.test(sig) && timingSafeEqual(Buffer.from(sig, 'hex'), expected));
  return { ok, t: Number(t), ...(ok ? {} : { why: 'HMAC mismatch' }) };
}

// ---------------------------------------------------------------------------------------------
// The QStash emulator's control endpoints

async function qstashControl(upstash: UpstashStackInfo, method: string, path: string, json?: unknown): Promise<unknown> {
  const res = await fetch(`${upstash.qstash.url}/__stack/qstash/${path}`, {
    method,
    headers: { authorization: `Bearer ${upstash.controlToken}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`qstash ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

export const setFaults = (upstash: UpstashStackInfo, faults: QStashFaults) => qstashControl(upstash, 'POST', 'faults', faults);
export const resetFaults = (upstash: UpstashStackInfo) => qstashControl(upstash, 'DELETE', 'faults');
export const qstashMessages = async (upstash: UpstashStackInfo) => (await qstashControl(upstash, 'GET', 'messages')) as QStashMessagesReport;

/** Waits until the emulator has nothing scheduled, queued or in flight. */
export async function waitQStashIdle(upstash: UpstashStackInfo, timeoutMs = 60_000): Promise<QStashMessagesReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await qstashMessages(upstash);
    if (report.idle) return report;
    if (Date.now() > deadline) throw new Error(`QStash emulator not idle after ${timeoutMs} ms: ${report.pending} pending`);
    await sleep(100);
  }
}

/** Ids of the messages in the emulator's log now: later, everything else is new. */
export async function messageIds(upstash: UpstashStackInfo): Promise<Set<string>> {
  return new Set((await qstashMessages(upstash)).messages.map((m) => m.messageId));
}

export async function newMessages(upstash: UpstashStackInfo, before: Set<string>): Promise<QStashMessageLog[]> {
  return (await qstashMessages(upstash)).messages.filter((m) => !before.has(m.messageId));
}

// ---------------------------------------------------------------------------------------------
// Inputs

export type ItemType = 'natal' | 'divisional' | 'transits';
export interface BulkItem {
  id: string;
  type: ItemType;
  input: Record<string, unknown>;
}

const AYANAMSAS = ['lahiri', 'raman', 'krishnamurti', 'yukteshwar', 'fagan_bradley', 'true_chitra'];
const HOUSES = ['whole_sign', 'equal', 'placidus', 'sripati', 'kp'];
const DIVISIONS = ['D1', 'D2', 'D3', 'D4', 'D7', 'D9', 'D10', 'D12', 'D16', 'D20', 'D24', 'D27', 'D30', 'D40', 'D45', 'D60'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `n` valid items, natal / divisional / transits in turn, every one with its own latitude (unique
 * within the job, random across runs), varied date, settings and time input, and for transits an
 * explicit `at`. Latitudes stay within ±60° so Placidus and KP are always defined; zone-named
 * times avoid India's 1942–45 transitions.
 */
export function makeItems(n: number, label: string, seed = Math.floor(Math.random() * 2 ** 31)): BulkItem[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const latitudes = new Set<number>();
  const items: BulkItem[] = [];
  for (let i = 0; i < n; i++) {
    let latitude: number;
    do latitude = Math.round((rnd() * 120 - 60) * 1e6) / 1e6;
    while (latitudes.has(latitude));
    latitudes.add(latitude);
    const zoned = rnd() < 0.3;
    const year = zoned ? int(1950, 2030) : int(1900, 2100);
    const datetime = `${year}-${pad(int(1, 12))}-${pad(int(1, 28))}T${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}`;
    const input: Record<string, unknown> = {
      datetime,
      ...(zoned ? { timezone: 'Asia/Kolkata' } : { utcOffset: pick(['+05:30', '+00:00', '-04:00', '+09:00', '-10:30', '+05:45']) }),
      latitude,
      longitude: Math.round((rnd() * 360 - 180) * 1e6) / 1e6,
    };
    if (rnd() < 0.5) input.ayanamsa = pick(AYANAMSAS);
    if (rnd() < 0.3) input.node = pick(['mean', 'true']);
    if (rnd() < 0.4) input.houseSystem = pick(HOUSES);
    if (rnd() < 0.1) input.profile = 'jhora';
    const type: ItemType = (['natal', 'divisional', 'transits'] as const)[i % 3];
    if (type === 'divisional' && i % 10 !== 1) {
      // Mostly a few vargas (the default is all 16 Shodasavarga: ~33 kB a result).
      const count = int(1, 4);
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(pick(DIVISIONS));
      input.divisions = [...chosen];
    }
    if (type === 'transits') {
      const atMs = Date.UTC(2000, 0, 1) + Math.floor(rnd() * 50 * 365.25 * 86_400) * 1000;
      input.at = `${new Date(atMs).toISOString().slice(0, 19)}Z`;
    }
    items.push({ id: `${label}-${i}-${Math.round(rnd() * 1e9).toString(36)}`, type, input });
  }
  return items;
}

/** The sync route of an item type. */
export const SYNC_PATH: Record<ItemType, string> = {
  natal: '/v1/charts/natal',
  divisional: '/v1/charts/divisional',
  transits: '/v1/transits',
};

// ---------------------------------------------------------------------------------------------
// Jobs

export const TERMINAL = ['completed', 'completed_with_errors', 'failed'];

export interface JobStatusBody {
  jobId: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  [k: string]: unknown;
}

/** Polls GET /v1/bulk/{jobId} every `intervalMs` until the job is terminal; throws with the trail otherwise. */
export async function waitForJob(w: BulkWorker, jobId: string, { timeoutMs = 60_000, intervalMs = 200 } = {}): Promise<JobStatusBody> {
  const deadline = Date.now() + timeoutMs;
  const trail: string[] = [];
  for (;;) {
    const r = await w.get(`/v1/bulk/${jobId}`);
    if (r.status !== 200) throw new Error(`GET /v1/bulk/${jobId} answered ${r.status}: ${r.text}`);
    const s = r.body as JobStatusBody;
    const line = `${s.status} ${s.succeeded}+${s.failed}/${s.total}`;
    if (trail.at(-1) !== line) trail.push(line);
    if (TERMINAL.includes(s.status)) return s;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not terminal after ${timeoutMs} ms; statuses seen: ${trail.join(' → ')}`);
    await sleep(intervalMs);
  }
}

export interface ResultItem {
  id: string | null;
  index: number;
  status: 'succeeded' | 'failed';
  result?: Record<string, any>;
  error?: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** Every page of GET /v1/bulk/{jobId}/results, following nextCursor; throws on a non-200 page or a loop. */
export async function fetchAllResults(w: BulkWorker, jobId: string, limit?: number): Promise<{ items: ResultItem[]; pages: number }> {
  const items: ResultItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const q = new URLSearchParams();
    if (cursor !== null) q.set('cursor', cursor);
    if (limit !== undefined) q.set('limit', String(limit));
    const qs = q.toString();
    const r = await w.get(`/v1/bulk/${jobId}/results${qs ? `?${qs}` : ''}`);
    if (r.status !== 200) throw new Error(`results page ${pages} (cursor ${cursor}) answered ${r.status}: ${r.text.slice(0, 500)}`);
    pages++;
    const page = r.body as { jobId: string; items: ResultItem[]; nextCursor: string | null };
    if (page.jobId !== jobId) throw new Error(`results page names job ${page.jobId}, not ${jobId}`);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    if (page.items.length === 0 || page.nextCursor === cursor) throw new Error(`results paging stalled at cursor ${cursor} (job still running?)`);
    cursor = page.nextCursor;
    if (pages > 100_000) throw new Error('results paging does not end');
  }
}
