/**
 * Bulk jobs end to end: one 10,000-item job (BENCH_BULK_ITEMS) through the real local pipeline,
 *
 *   POST /v1/bulk → wrangler dev (workerd) → QStash emulator (batch publish, signed deliveries,
 *   16 in flight) → POST /internal/bulk/chunk → redis-server via the Upstash REST emulator
 *   → completion webhook through QStash → a Node HTTP receiver in this process
 *
 * timing, from the client's side: the submit call, the first result readable through
 * GET /v1/bulk/{id}/results, the completion seen on GET /v1/bulk/{id} (polled every 100 ms), and
 * the webhook's arrival; items/s = items / (submit → webhook). Reading every result back is timed
 * too. A 150-item warm-up job runs first (fresh isolate, JIT, sockets) and is reported apart.
 * Items: natal, divisional (1–4 vargas) and transits (explicit `at`) in turn, distinct inputs.
 *
 * The Worker gets the stack's Redis and QStash, a random WEBHOOK_SECRET, ALLOW_LOOPBACK_CALLBACKS
 * and PUBLIC_BASE_URL = its own origin (the port startWranglerDev will choose is predicted, and
 * the start retried if the prediction was wrong). Everything started here is stopped at the end.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { randomToken, startStack } from '../stack/index.mjs';
import { envInt, freePort, num, rng, sleep, summary } from './util.mjs';
import { startWranglerDev } from './wrangler-dev.mjs';

const CHUNK_PATH = '/internal/bulk/chunk';
const DIVISIONS = ['D1', 'D2', 'D3', 'D4', 'D7', 'D9', 'D10', 'D12', 'D16', 'D20', 'D24', 'D27', 'D30', 'D40', 'D45', 'D60'];
const TYPES = ['natal', 'divisional', 'transits'];

/** n distinct valid items, natal / divisional / transits in turn (as in test/stack/bulk-support.ts). */
export function bulkItems(n, label, random = rng()) {
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const pad = (x) => String(x).padStart(2, '0');
  return Array.from({ length: n }, (_, i) => {
    const type = TYPES[i % 3];
    const input = {
      datetime: `${int(1900, 2100)}-${pad(int(1, 12))}-${pad(int(1, 28))}T${pad(int(0, 23))}:${pad(int(0, 59))}:${pad(int(0, 59))}`,
      utcOffset: '+05:30',
      // distinct within the job: one slice of [-60, 60) per item
      latitude: Number((-60 + ((i + random()) / n) * 120).toFixed(6)),
      longitude: Number((random() * 360 - 180).toFixed(6)),
    };
    if (type === 'divisional') {
      const chosen = new Set();
      const count = int(1, 4);
      while (chosen.size < count) chosen.add(DIVISIONS[int(0, DIVISIONS.length - 1)]);
      input.divisions = [...chosen];
    }
    if (type === 'transits') {
      input.at = `${new Date(Date.UTC(2000, 0, 1) + int(0, 50 * 365) * 86_400_000 + int(0, 86_399) * 1000).toISOString().slice(0, 19)}Z`;
    }
    return { id: `${label}-${i}`, type, input };
  });
}

/** Records webhook deliveries; `waitFor(path)` resolves with the first one on that path. */
async function startReceiver() {
  const deliveries = [];
  const waiters = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const d = { path: (req.url ?? '/').split('?')[0], headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), at: performance.now() };
      deliveries.push(d);
      waiters.get(d.path)?.(d);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    deliveries,
    waitFor(path, timeoutMs) {
      const seen = deliveries.find((d) => d.path === path);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no webhook on ${path} within ${timeoutMs / 1000} s`)), timeoutMs);
        waiters.set(path, (d) => {
          clearTimeout(timer);
          waiters.delete(path);
          resolve(d);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function verifySignature(secret, header, rawBody) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${rawBody}`).digest();
  return timingSafeEqual(Buffer.from(m[2], 'hex'), expected);
}

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body };
}

/** Starts wrangler dev with PUBLIC_BASE_URL = its own origin. */
async function startWorker(ctx, vars, logLevel) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(8790);
    const base = `http://127.0.0.1:${port}`;
    const dev = await startWranglerDev(ctx, { logLevel, vars: { ...vars, PUBLIC_BASE_URL: base } });
    if (dev.port === port) return { dev, base };
    await dev.stop();
    if (attempt >= 5) throw new Error(`wrangler dev kept choosing another port than predicted (${dev.port} vs ${port})`);
    await sleep(300 * attempt);
  }
}

/** One job: submit, then first result / completion / webhook, then read every result back. */
async function runJob(base, receiver, items, label) {
  const hookPath = `/hook/${label}-${randomBytes(4).toString('hex')}`;
  const payload = JSON.stringify({ items, callbackUrl: `${receiver.base}${hookPath}` });
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload, signal: AbortSignal.timeout(120_000) });
  const accepted = await res.json();
  const tAccepted = performance.now();
  if (res.status !== 202) throw new Error(`${label}: POST /v1/bulk answered ${res.status}: ${JSON.stringify(accepted).slice(0, 500)}`);
  const { jobId } = accepted;
  const deadlineMs = 15 * 60_000;
  const webhook = receiver.waitFor(hookPath, deadlineMs);
  webhook.catch(() => undefined);

  let tFirst = null;
  let tCompleted = null;
  let final = null;
  let polls = 0;
  const firstResult = (async () => {
    while (tFirst === null && performance.now() - t0 < deadlineMs) {
      const r = await getJson(`${base}/v1/bulk/${jobId}/results?limit=1`);
      if (r.status === 200 && r.body.items.length > 0) tFirst = performance.now();
      else await sleep(20);
    }
  })();
  const completion = (async () => {
    while (performance.now() - t0 < deadlineMs) {
      const r = await getJson(`${base}/v1/bulk/${jobId}`);
      polls++;
      if (r.status !== 200) throw new Error(`${label}: GET /v1/bulk/${jobId} answered ${r.status}: ${r.text.slice(0, 300)}`);
      if (!['queued', 'running'].includes(r.body.status)) {
        tCompleted = performance.now();
        final = r.body;
        return;
      }
      await sleep(100);
    }
    throw new Error(`${label}: job ${jobId} not finished after ${deadlineMs / 1000} s`);
  })();
  const [hook] = await Promise.all([webhook, firstResult, completion]);

  // Every result back, 1000 per page.
  const tRead0 = performance.now();
  let cursor = null;
  let read = 0;
  let succeeded = 0;
  let pages = 0;
  let bytes = 0;
  let inOrder = true;
  do {
    const r = await getJson(`${base}/v1/bulk/${jobId}/results?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`);
    if (r.status !== 200) throw new Error(`${label}: results page at ${cursor} answered ${r.status}`);
    pages++;
    bytes += Buffer.byteLength(r.text);
    for (const item of r.body.items) {
      if (item.index !== read || item.id !== items[read].id) inOrder = false;
      read++;
      if (item.status === 'succeeded') succeeded++;
    }
    cursor = r.body.nextCursor;
  } while (cursor !== null);
  const readMs = performance.now() - tRead0;

  return {
    jobId,
    items: items.length,
    requestBytes: Buffer.byteLength(payload),
    submitMs: tAccepted - t0,
    firstResultMs: tFirst === null ? NaN : tFirst - t0,
    completedSeenMs: tCompleted - t0,
    webhookMs: hook.at - t0,
    itemsPerSec: items.length / ((hook.at - t0) / 1000),
    serverMs: Date.parse(final.completedAt) - Date.parse(final.createdAt),
    status: final.status,
    succeeded: final.succeeded,
    failed: final.failed,
    statusPolls: polls,
    webhookBody: JSON.parse(hook.rawBody),
    webhookSignatureHeader: hook.headers['x-astro-signature'] ?? null,
    webhookRaw: hook.rawBody,
    hookPath,
    results: { read, succeeded, pages, bytes, ms: readMs, inOrder },
  };
}

export default {
  name: 'bulk',
  title: 'Bulk jobs: POST /v1/bulk → QStash emulator → wrangler dev → Redis → webhook, 127.0.0.1',
  async run(ctx) {
    const n = Math.round(envInt('BENCH_BULK_ITEMS', 10_000));
    const logLevel = process.env.BENCH_WRANGLER_LOG_LEVEL || 'warn';
    const controlToken = randomToken();

    ctx.log('bulk: starting the local stack (redis-server + Upstash REST emulator + QStash emulator)');
    const stack = await startStack({ token: randomToken(), controlToken });
    let stackStopped = false;
    const stopStack = async () => {
      if (stackStopped) return;
      stackStopped = true;
      await stack.stop();
    };
    ctx.onCleanup(stopStack);
    const receiver = await startReceiver();
    ctx.onCleanup(receiver.close);

    const webhookSecret = randomBytes(32).toString('hex');
    let dev;
    try {
      ctx.log('bulk: starting wrangler dev with the stack, WEBHOOK_SECRET, PUBLIC_BASE_URL, ALLOW_LOOPBACK_CALLBACKS=true');
      const started = await startWorker(ctx, { ...stack.env, WEBHOOK_SECRET: webhookSecret, ALLOW_LOOPBACK_CALLBACKS: 'true' }, logLevel);
      dev = started.dev;
      ctx.onCleanup(dev.stop);
      const { base } = started;

      const random = rng();
      ctx.log('bulk: warm-up job of 150 items');
      const warmup = await runJob(base, receiver, bulkItems(150, 'warmup', random), 'warmup');
      await stack.qstash.idle();
      const before = new Set(stack.qstash.messages().messages.map((m) => m.messageId));

      ctx.log(`bulk: measured job of ${n} items`);
      const job = await runJob(base, receiver, bulkItems(n, 'bench', random), 'bench');
      await stack.qstash.idle();
      await sleep(1000);
      const mine = stack.qstash.messages().messages.filter((m) => !before.has(m.messageId));
      const chunks = mine.filter((m) => m.kind === 'message' && m.destination === `${base}${CHUNK_PATH}`);
      const attempts = chunks.flatMap((m) => m.attempts);
      const deliveryMs = summary(attempts.filter((a) => a.status === 200).map((a) => a.ms));
      const webhooks = receiver.deliveries.filter((d) => d.path === job.hookPath);

      const { webhookRaw, hookPath: _hp, ...jobFigures } = job;
      const { webhookRaw: _wr, hookPath: _wp, ...warmupFigures } = warmup;
      return {
        qstashConcurrency: 16,
        workerStartupMs: dev.startupMs,
        warmup: warmupFigures,
        job: jobFigures,
        chunks: {
          messages: chunks.length,
          attempts: attempts.length,
          retries: attempts.filter((a) => a.retried > 0).length,
          notDelivered: chunks.filter((m) => m.state !== 'delivered').length,
          deliveryMs: { mean: deliveryMs.mean, p50: deliveryMs.p50, p90: deliveryMs.p90, p99: deliveryMs.p99, max: deliveryMs.max },
        },
        webhook: {
          deliveries: webhooks.length,
          signatureVerifies: verifySignature(webhookSecret, job.webhookSignatureHeader, webhookRaw),
        },
      };
    } finally {
      ctx.log('bulk: stopping wrangler dev, the receiver and the stack');
      if (dev) await dev.stop();
      await receiver.close();
      await stopStack();
    }
  },
  report(f) {
    const j = f.job;
    const s = (ms) => `${num(ms / 1000, 2)} s`;
    const lines = [
      `  one job of ${j.items} items (natal, divisional with 1–4 vargas, transits with explicit at, in turn; ${num(j.requestBytes / 2 ** 20, 2)} MiB request)`,
      `  through wrangler dev (one workerd, started in ${s(f.workerStartupMs)}) + QStash emulator (${f.qstashConcurrency} deliveries in flight) + redis-server, 127.0.0.1`,
      `  submit (POST /v1/bulk → 202, validation and queueing)   ${s(j.submitMs)}`,
      `  time to first result (results?limit=1 non-empty)          ${s(j.firstResultMs)}`,
      `  completion seen on GET /v1/bulk/{id} (polled 100 ms)       ${s(j.completedSeenMs)}   (server: createdAt → completedAt ${s(j.serverMs)})`,
      `  submit → webhook arrival                                  ${s(j.webhookMs)}   = ${num(j.itemsPerSec, 0)} items/s`,
      `  outcome: ${j.status}, ${j.succeeded} succeeded, ${j.failed} failed; webhook deliveries: ${f.webhook.deliveries}, X-Astro-Signature verifies: ${f.webhook.signatureVerifies}`,
      `  chunks: ${f.chunks.messages} QStash messages, ${f.chunks.attempts} delivery attempts (${f.chunks.retries} retries, ${f.chunks.notDelivered} not delivered);` +
        ` delivery (request → 200) ms p50 / p90 / p99 / max: ${num(f.chunks.deliveryMs.p50, 0)} / ${num(f.chunks.deliveryMs.p90, 0)} / ${num(f.chunks.deliveryMs.p99, 0)} / ${num(f.chunks.deliveryMs.max, 0)}`,
      `  reading every result back: ${j.results.read} items (${j.results.succeeded} succeeded, in order: ${j.results.inOrder}) in ${j.results.pages} pages of ≤1000,` +
        ` ${num(j.results.bytes / 2 ** 20, 1)} MiB, ${s(j.results.ms)}`,
      `  warm-up job (${f.warmup.items} items, first after start): submit → webhook ${s(f.warmup.webhookMs)}, first result ${s(f.warmup.firstResultMs)}`,
    ];
    return lines;
  },
};
