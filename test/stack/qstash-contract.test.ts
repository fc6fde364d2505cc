/**
 * Contract tests: the official `@upstash/qstash` 2.12 client (the one the Worker uses) publishing
 * to the local QStash emulator (scripts/stack/qstash.mjs), and the official `Receiver` verifying
 * what the emulator delivers to a plain Node HTTP server standing in for the Worker. The stack is
 * started once per run by test/stack/global-setup.ts.
 *
 * Every test uses its own paths on the sink, so no test sees another's deliveries.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, QstashError, Receiver } from '@upstash/qstash';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';

const { controlToken, qstash } = inject('upstash');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Delivery {
  path: string;
  /** The full URL the request was made to: what the signature's `sub` must be. */
  url: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  socket: string;
}

interface Reply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** What the sink answers to the n-th (0-based) request on a path. */
type Behaviour = (delivery: Delivery, n: number) => Reply | undefined;

/** A stand-in for the Worker: records every request, answers per path. */
class Sink {
  readonly deliveries: Delivery[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  private server!: http.Server;
  base = '';

  async start() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const path = (req.url ?? '/').split('?')[0];
        const d: Delivery = {
          path,
          url: `${this.base}${req.url}`,
          method: req.method ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          socket: `${req.socket.remotePort}`,
        };
        const n = this.deliveries.filter((x) => x.path === path).length;
        this.deliveries.push(d);
        const now = (this.inFlight.get(path) ?? 0) + 1;
        this.inFlight.set(path, now);
        this.maxInFlight.set(path, Math.max(now, this.maxInFlight.get(path) ?? 0));
        const reply = this.behaviours.get(path)?.(d, n) ?? {};
        if (reply.delayMs) await sleep(reply.delayMs);
        this.inFlight.set(path, (this.inFlight.get(path) ?? 1) - 1);
        res.writeHead(reply.status ?? 200, { 'Content-Type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? 'ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A fresh path (and its full URL) with the given behaviour. */
  route(behaviour: Behaviour = () => undefined) {
    const path = `/t/${randomUUID()}`;
    this.behaviours.set(path, behaviour);
    return { path, url: `${this.base}${path}` };
  }

  at(path: string) {
    return this.deliveries.filter((d) => d.path === path);
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const sink = new Sink();
const client = new Client({ baseUrl: qstash.url, token: qstash.token, retry: false, enableTelemetry: false });
const receiver = new Receiver({ currentSigningKey: qstash.currentSigningKey, nextSigningKey: qstash.nextSigningKey });

async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function control(method: string, path: string, body?: unknown, token = controlToken) {
  const res = await fetch(`${qstash.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

interface LogEntry {
  messageId: string;
  kind: string;
  sourceMessageId?: string;
  destination: string;
  state: string;
  status: number | null;
  attempts: Array<{ retried: number; status?: number; error?: string; injected?: boolean; duplicate?: boolean }>;
}

async function messageLog(): Promise<LogEntry[]> {
  const res = await control('GET', '/__stack/qstash/messages');
  expect(res.status).toBe(200);
  return res.body.messages;
}

/** The log entry of a message once it is in a final state. */
async function settled(messageId: string): Promise<LogEntry> {
  return waitFor(`message ${messageId} to settle`, async () => {
    const m = (await messageLog()).find((e) => e.messageId === messageId);
    return m && !['pending', 'retry'].includes(m.state) ? m : undefined;
  });
}

function jwtParts(token: string) {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

beforeAll(() => sink.start());
afterAll(() => sink.stop());
afterEach(async () => {
  vi.restoreAllMocks();
  await control('DELETE', '/__stack/qstash/faults');
});

/** The SDK logs every refused request with console.error; the tests that expect refusals mute it. */
const muteSdkErrors = () => vi.spyOn(console, 'error').mockImplementation(() => {});

describe('publish and delivery', () => {
  it('publishJSON → delivered once, with the JSON body, headers and a messageId', async () => {
    const dest = sink.route();
    const body = { hello: 'wörld 😀', n: 42, nested: { ok: true } };
    const res = await client.publishJSON({ url: dest.url, body, headers: { 'X-Trace-Id': 'abc' } });
    expect(res.messageId).toMatch(/^msg_\w+$/);
    expect(res.url).toBe(dest.url);
    expect(res.deduplicated).toBeUndefined();

    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    expect(d.method).toBe('POST');
    expect(JSON.parse(d.body)).toEqual(body);
    expect(d.body).toBe(JSON.stringify(body));
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['x-trace-id']).toBe('abc');
    expect(d.headers['upstash-message-id']).toBe(res.messageId);
    expect(d.headers['upstash-retried']).toBe('0');
    expect(d.headers['user-agent']).toBe('Upstash-QStash');
    expect(d.headers['upstash-signature']).toBeTruthy();
    // Nothing of the publish's own plumbing leaks through.
    expect(Object.keys(d.headers).filter((h) => /^upstash-(forward|method|telemetry)/.test(h))).toEqual([]);

    const log = await settled(res.messageId);
    expect(log).toMatchObject({ kind: 'message', destination: dest.url, state: 'delivered', status: 200 });
    expect(log.attempts).toHaveLength(1);
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(1);
  });

  it('publish forwards the raw body, Content-Type, method and Upstash-Forward-* headers; the query string is part of the destination', async () => {
    const dest = sink.route();
    const url = `${dest.url}?job=7&x=a%20b`;
    const res = await client.publish({
      url,
      body: 'plain text, not JSON',
      method: 'PUT',
      headers: { 'Content-Type': 'text/x-custom', Authorization: 'Bearer inner-token', 'X-Multi': 'one' },
    });
    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    expect(d.method).toBe('PUT');
    expect(d.url).toBe(url);
    expect(d.body).toBe('plain text, not JSON');
    expect(d.headers['content-type']).toBe('text/x-custom');
    expect(d.headers.authorization).toBe('Bearer inner-token');
    expect(d.headers['x-multi']).toBe('one');
    expect(await receiver.verify({ signature: String(d.headers['upstash-signature']), body: d.body, url })).toBe(true);
    expect((await settled(res.messageId)).state).toBe('delivered');
  });

  it('a raw publish (no SDK): Upstash-Method GET without a body, Upstash-Forward-* only', async () => {
    const dest = sink.route();
    const res = await fetch(`${qstash.url}/v2/publish/${dest.url}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${qstash.token}`, 'Upstash-Method': 'GET', 'Upstash-Forward-X-A': '1' },
    });
    expect(res.status).toBe(200);
    const { messageId } = (await res.json()) as { messageId: string };
    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    expect(d.method).toBe('GET');
    expect(d.body).toBe('');
    expect(d.headers['x-a']).toBe('1');
    expect(d.headers['content-type']).toBeUndefined();
    expect(d.headers['upstash-message-id']).toBe(messageId);
    expect(await receiver.verify({ signature: String(d.headers['upstash-signature']), body: '', url: dest.url })).toBe(true);
  });

  it('batchJSON of 50 → 50 message ids, 50 deliveries, each with its own body', async () => {
    const dest = sink.route();
    const res = await client.batchJSON(Array.from({ length: 50 }, (_, i) => ({ url: `${dest.url}?i=${i}`, body: { i } })));
    expect(res).toHaveLength(50);
    const ids = res.map((r) => r.messageId);
    expect(new Set(ids).size).toBe(50);
    for (const r of res) expect(r.messageId).toMatch(/^msg_/);

    const ds = await waitFor('50 deliveries', () => sink.at(dest.path).length === 50 && sink.at(dest.path));
    for (const d of ds) {
      const { i } = JSON.parse(d.body) as { i: number };
      expect(d.headers['upstash-message-id']).toBe(ids[i]);
      expect(d.url).toBe(`${dest.url}?i=${i}`);
      expect(await receiver.verify({ signature: String(d.headers['upstash-signature']), body: d.body, url: d.url })).toBe(true);
    }
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(50);
  });

  it('a 10,000-message batch is delivered with at most 16 requests (and sockets) at a time', async () => {
    const dest = sink.route(() => ({ delayMs: 1 }));
    const n = 10_000;
    const res = await client.batchJSON(Array.from({ length: n }, (_, i) => ({ url: dest.url, body: i })));
    expect(res).toHaveLength(n);
    await waitFor(`${n} deliveries`, () => sink.at(dest.path).length === n, 45_000);
    const max = sink.maxInFlight.get(dest.path) ?? 0;
    expect(max).toBeGreaterThan(1);
    expect(max).toBeLessThanOrEqual(16);
    expect(new Set(sink.at(dest.path).map((d) => d.socket)).size).toBeLessThanOrEqual(16);
    expect(new Set(sink.at(dest.path).map((d) => d.body)).size).toBe(n);
  }, 60_000);
});

describe('signatures', () => {
  it('the official Receiver verifies a delivery against the exact raw body and URL', async () => {
    const dest = sink.route();
    const body = { text: 'ünïcødé', list: [1, 2, 3] };
    await client.publishJSON({ url: dest.url, body });
    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    const signature = String(d.headers['upstash-signature']);

    expect(await receiver.verify({ signature, body: d.body, url: dest.url })).toBe(true);
    expect(await receiver.verify({ signature, body: d.body })).toBe(true); // URL check is optional
    // Key rotation: a receiver that only knows the current key as its "next" one still accepts.
    const rotated = new Receiver({ currentSigningKey: 'sig_notTheRightKeyAtAll00000000', nextSigningKey: qstash.currentSigningKey });
    expect(await rotated.verify({ signature, body: d.body, url: dest.url })).toBe(true);

    await expect(receiver.verify({ signature, body: d.body.replace('1,2,3', '1,2,4'), url: dest.url })).rejects.toThrow(/body hash/);
    await expect(receiver.verify({ signature, body: JSON.stringify(JSON.parse(d.body), null, 1), url: dest.url })).rejects.toThrow();
    await expect(receiver.verify({ signature, body: d.body, url: `${dest.url}/other` })).rejects.toThrow(/invalid subject/);
    await expect(receiver.verify({ signature: signature.slice(0, -2) + 'xx', body: d.body, url: dest.url })).rejects.toThrow();
    const wrongKeys = new Receiver({ currentSigningKey: 'sig_wrong1', nextSigningKey: 'sig_wrong2' });
    await expect(wrongKeys.verify({ signature, body: d.body, url: dest.url })).rejects.toThrow();
  });

  it('the JWT is what QStash sends: HS256, iss Upstash, sub = URL, 5-minute lifetime, padded base64url body hash', async () => {
    const dest = sink.route();
    await client.publish({ url: dest.url, body: 'x'.repeat(1000) });
    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    const { header, payload } = jwtParts(String(d.headers['upstash-signature']));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.iss).toBe('Upstash');
    expect(payload.sub).toBe(dest.url);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp - payload.iat).toBe(300);
    expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(10);
    expect(payload.jti).toMatch(/^jwt_\w+$/);
    const hash = createHash('sha256').update(d.body).digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(hash.endsWith('=')).toBe(true);
    expect(payload.body).toBe(hash);
  });

  it('GET /v2/keys answers the signing keys (what the SDK dev-server probe checks)', async () => {
    const res = await fetch(`${qstash.url}/v2/keys`, { headers: { Authorization: `Bearer ${qstash.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ current: qstash.currentSigningKey, next: qstash.nextSigningKey });
  });
});

describe('retries and callbacks', () => {
  it('a destination failing twice then succeeding → Upstash-Retried 0, 1, 2 with backoff, then delivered', async () => {
    const dest = sink.route((_d, n) => (n < 2 ? { status: 500, body: `fail ${n}` } : { status: 200, body: 'done' }));
    const res = await client.publishJSON({ url: dest.url, body: { job: 1 } });
    const ds = await waitFor('three attempts', () => sink.at(dest.path).length === 3 && sink.at(dest.path));
    expect(ds.map((d) => d.headers['upstash-retried'])).toEqual(['0', '1', '2']);
    expect(new Set(ds.map((d) => d.headers['upstash-message-id']))).toEqual(new Set([res.messageId]));
    for (const d of ds) {
      expect(await receiver.verify({ signature: String(d.headers['upstash-signature']), body: d.body, url: dest.url })).toBe(true);
    }
    // Default backoff: retryBaseMs (100) · 2^retried.
    expect(ds[1].at - ds[0].at).toBeGreaterThanOrEqual(90);
    expect(ds[2].at - ds[1].at).toBeGreaterThanOrEqual(180);
    const log = await settled(res.messageId);
    expect(log.state).toBe('delivered');
    expect(log.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    await sleep(300);
    expect(sink.at(dest.path)).toHaveLength(3);
  });

  it('the callback is called after every attempt (as QStash does), signed, with the response', async () => {
    const dest = sink.route((_d, n) => (n < 1 ? { status: 502, body: 'bad gateway' } : { status: 201, body: 'created', headers: { 'X-Result': 'r1' } }));
    const cb = sink.route();
    const res = await client.publishJSON({ url: dest.url, body: { job: 2 }, callback: cb.url, headers: { 'X-Src': 's' } });
    const cbs = await waitFor('two callbacks', () => sink.at(cb.path).length === 2 && sink.at(cb.path));
    const bodies = cbs.map((d) => JSON.parse(d.body)).sort((a, b) => a.retried - b.retried);
    expect(bodies.map((b) => [b.status, b.retried, b.maxRetries])).toEqual([
      [502, 0, 3],
      [201, 1, 3],
    ]);
    const ok = bodies[1];
    expect(unb64(ok.body)).toBe('created');
    expect(ok.header['X-Result']).toEqual(['r1']);
    expect(ok).toMatchObject({ sourceMessageId: res.messageId, url: dest.url, method: 'POST' });
    expect(unb64(ok.sourceBody)).toBe(JSON.stringify({ job: 2 }));
    expect(ok.sourceHeader['Content-Type']).toEqual(['application/json']);
    expect(ok.sourceHeader['X-Src']).toEqual(['s']);
    expect(typeof ok.createdAt).toBe('number');
    expect(unb64(bodies[0].body)).toBe('bad gateway');
    for (const d of cbs) {
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.headers['upstash-message-id']).not.toBe(res.messageId); // a message of its own
      expect(await receiver.verify({ signature: String(d.headers['upstash-signature']), body: d.body, url: cb.url })).toBe(true);
      await expect(receiver.verify({ signature: String(d.headers['upstash-signature']), body: d.body, url: dest.url })).rejects.toThrow();
    }
    const log = await messageLog();
    expect(log.filter((m) => m.sourceMessageId === res.messageId).map((m) => m.kind)).toEqual(['callback', 'callback']);
  });

  it('retries exhausted → the failure callback, once, with the last response; Upstash-Failure-Callback-Forward-* headers', async () => {
    const dest = sink.route(() => ({ status: 503, body: 'down for maintenance' }));
    const fcb = sink.route();
    const res = await client.publishJSON({
      url: dest.url,
      body: { job: 3 },
      retries: 2,
      failureCallback: fcb.url,
      headers: { 'Upstash-Failure-Callback-Forward-X-Secret': 's3cret' },
    });
    const [f] = await waitFor('the failure callback', () => sink.at(fcb.path).length === 1 && sink.at(fcb.path));
    expect(sink.at(dest.path).map((d) => d.headers['upstash-retried'])).toEqual(['0', '1', '2']);
    const body = JSON.parse(f.body);
    expect(body).toMatchObject({ status: 503, retried: 2, maxRetries: 2, sourceMessageId: res.messageId, url: dest.url, method: 'POST' });
    expect(unb64(body.body)).toBe('down for maintenance');
    expect(unb64(body.sourceBody)).toBe(JSON.stringify({ job: 3 }));
    expect(body.dlqId).toMatch(/^\d+-\d+$/);
    expect(f.headers['x-secret']).toBe('s3cret');
    expect(await receiver.verify({ signature: String(f.headers['upstash-signature']), body: f.body, url: fcb.url })).toBe(true);
    expect((await settled(res.messageId)).state).toBe('failed');
    await sleep(300);
    expect(sink.at(fcb.path)).toHaveLength(1);
    expect(sink.at(dest.path)).toHaveLength(3);
  });

  it('489 with Upstash-NonRetryable-Error: true → no retries, straight to the failure callback', async () => {
    const dest = sink.route(() => ({ status: 489, body: 'bad job', headers: { 'Upstash-NonRetryable-Error': 'true' } }));
    const fcb = sink.route();
    const res = await client.publishJSON({ url: dest.url, body: {}, failureCallback: fcb.url });
    const [f] = await waitFor('the failure callback', () => sink.at(fcb.path).length === 1 && sink.at(fcb.path));
    expect(JSON.parse(f.body)).toMatchObject({ status: 489, retried: 0, maxRetries: 3 });
    expect((await settled(res.messageId)).attempts).toHaveLength(1);
    expect(sink.at(dest.path)).toHaveLength(1);
  });

  it('Upstash-Retry-Delay and Retry-After set the wait before a retry', async () => {
    const a = sink.route((_d, n) => (n === 0 ? { status: 500 } : undefined));
    await client.publishJSON({ url: a.url, body: {}, retryDelay: '300 + 0 * pow(2, retried)' });
    const b = sink.route((_d, n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined));
    await client.publishJSON({ url: b.url, body: {} });
    const da = await waitFor('two attempts on a', () => sink.at(a.path).length === 2 && sink.at(a.path));
    const db = await waitFor('two attempts on b', () => sink.at(b.path).length === 2 && sink.at(b.path));
    expect(da[1].at - da[0].at).toBeGreaterThanOrEqual(280);
    expect(db[1].at - db[0].at).toBeGreaterThanOrEqual(950);
  });

  it('a destination that refuses connections is retried, then fails', async () => {
    const fcb = sink.route();
    const dead = 'http://127.0.0.1:9/nothing-listens-here';
    const res = await client.publishJSON({ url: dead, body: {}, retries: 1, failureCallback: fcb.url });
    const [f] = await waitFor('the failure callback', () => sink.at(fcb.path).length === 1 && sink.at(fcb.path));
    const body = JSON.parse(f.body);
    expect(body).toMatchObject({ status: 0, retried: 1, maxRetries: 1, url: dead });
    expect(body.error).toMatch(/ECONNREFUSED/);
    const log = await settled(res.messageId);
    expect(log.state).toBe('failed');
    expect(log.attempts.map((x) => x.error && /ECONNREFUSED/.test(x.error))).toEqual([true, true]);
  });
});

describe('deduplication, delay, auth and validation', () => {
  it('the same Upstash-Deduplication-Id → accepted with the first messageId, deduplicated: true, delivered once', async () => {
    const dest = sink.route();
    const deduplicationId = `job-${randomUUID()}`;
    const first = await client.publishJSON({ url: dest.url, body: { v: 1 }, deduplicationId });
    const second = await client.publishJSON({ url: dest.url, body: { v: 2 }, deduplicationId });
    expect(first.deduplicated).toBeUndefined();
    expect(second).toEqual({ messageId: first.messageId, url: dest.url, deduplicated: true });
    const raw = await fetch(`${qstash.url}/v2/publish/${dest.url}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${qstash.token}`, 'Upstash-Deduplication-Id': deduplicationId },
      body: 'v3',
    });
    expect(raw.status).toBe(202); // QStash answers duplicates with 202
    const batch = await client.batchJSON([
      { url: dest.url, body: { v: 4 }, deduplicationId },
      { url: dest.url, body: { v: 5 } },
    ]);
    expect(batch[0]).toMatchObject({ messageId: first.messageId, deduplicated: true });
    expect(batch[1].deduplicated).toBeUndefined();
    await waitFor('two deliveries', () => sink.at(dest.path).length === 2);
    await sleep(300);
    expect(sink.at(dest.path).map((d) => JSON.parse(d.body).v).sort()).toEqual([1, 5]);
  });

  it('content-based deduplication: same body and headers once, a different body again', async () => {
    const dest = sink.route();
    const body = { nonce: randomUUID() };
    const a = await client.publishJSON({ url: dest.url, body, contentBasedDeduplication: true });
    const b = await client.publishJSON({ url: dest.url, body, contentBasedDeduplication: true });
    const c = await client.publishJSON({ url: dest.url, body: { ...body, other: 1 }, contentBasedDeduplication: true });
    expect(b).toMatchObject({ messageId: a.messageId, deduplicated: true });
    expect(c.messageId).not.toBe(a.messageId);
    await waitFor('two deliveries', () => sink.at(dest.path).length === 2);
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(2);
  });

  it("a deduplication id with ':' is refused with 400, as QStash does (the whole batch too)", async () => {
    muteSdkErrors();
    const dest = sink.route();
    const err = await client.publishJSON({ url: dest.url, body: {}, deduplicationId: 'job:1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QstashError);
    expect((err as QstashError).status).toBe(400);
    expect((err as QstashError).message).toContain("DeduplicationId cannot contain ':'");
    const batchErr = await client
      .batchJSON([{ url: dest.url, body: {} }, { url: dest.url, body: {}, deduplicationId: 'a:b' }])
      .catch((e: unknown) => e);
    expect((batchErr as QstashError).status).toBe(400);
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(0);
  });

  it('Upstash-Delay and Upstash-Not-Before hold a message back; later undelayed ones overtake it', async () => {
    const delayed = sink.route();
    const notBefore = sink.route();
    const now = sink.route();
    const t0 = Date.now();
    await client.publishJSON({ url: delayed.url, body: {}, delay: 1 }); // "1s"
    const nb = Math.ceil(Date.now() / 1000) + 1;
    await client.publishJSON({ url: notBefore.url, body: {}, notBefore: nb });
    await client.publishJSON({ url: now.url, body: {} });
    const [dn] = await waitFor('the undelayed delivery', () => sink.at(now.path).length === 1 && sink.at(now.path));
    const [dd] = await waitFor('the delayed delivery', () => sink.at(delayed.path).length === 1 && sink.at(delayed.path));
    const [db] = await waitFor('the not-before delivery', () => sink.at(notBefore.path).length === 1 && sink.at(notBefore.path));
    expect(dn.at).toBeLessThan(dd.at);
    expect(dd.at - t0).toBeGreaterThanOrEqual(950);
    expect(db.at).toBeGreaterThanOrEqual(nb * 1000 - 5);
  });

  it('a wrong or missing token → 401 JSON error; the client throws', async () => {
    muteSdkErrors();
    const dest = sink.route();
    const wrong = new Client({ baseUrl: qstash.url, token: 'not-the-token', retry: false, enableTelemetry: false });
    const err = await wrong.publishJSON({ url: dest.url, body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QstashError);
    expect((err as QstashError).status).toBe(401);
    await expect(wrong.batchJSON([{ url: dest.url, body: {} }])).rejects.toThrow();
    const missing = await fetch(`${qstash.url}/v2/publish/${dest.url}`, { method: 'POST', body: 'x' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'Unauthorized' });
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(0);
  });

  it('refuses what it cannot deliver: non-http destinations, URL groups, queues, bad header values', async () => {
    muteSdkErrors();
    const post = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${qstash.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${qstash.token}`, ...headers }, body: 'x' });
    expect((await post('/v2/publish/ftp://127.0.0.1/x')).status).toBe(400);
    expect((await post('/v2/publish/my-url-group')).status).toBe(400);
    expect((await post('/v2/enqueue/q1/http://127.0.0.1:9/x')).status).toBe(404);
    const dest = sink.route();
    expect((await post(`/v2/publish/${dest.url}`, { 'Upstash-Delay': 'soon' })).status).toBe(400);
    expect((await post(`/v2/publish/${dest.url}`, { 'Upstash-Retries': '-1' })).status).toBe(400);
    expect((await post(`/v2/publish/${dest.url}`, { 'Upstash-Method': 'TRACE' })).status).toBe(400);
    expect((await post(`/v2/publish/${dest.url}`, { 'Upstash-Retry-Delay': 'pow(2' })).status).toBe(400);
    expect((await post(`/v2/publish/${dest.url}`, { 'Upstash-Callback': 'not a url' })).status).toBe(400);
    const err = await client.batchJSON([{ url: dest.url, body: {} }, { urlGroup: 'group', body: {} }]).catch((e: unknown) => e);
    expect((err as QstashError).status).toBe(400);
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(0);
  });
});

describe('fault switches (/__stack/qstash/faults)', () => {
  it('need the control token', async () => {
    expect((await control('POST', '/__stack/qstash/faults', { failFirst: 1 }, 'wrong')).status).toBe(401);
    expect((await control('GET', '/__stack/qstash/messages', undefined, qstash.token)).status).toBe(401);
    expect((await control('POST', '/__stack/qstash/faults', { nonsense: 1 })).status).toBe(400);
    expect((await control('POST', '/__stack/qstash/faults', { failFirst: -1 })).status).toBe(400);
  });

  it('duplicateDeliveries: the destination sees the same messageId more than once', async () => {
    const dest = sink.route();
    expect((await control('POST', '/__stack/qstash/faults', { duplicateDeliveries: 2, match: dest.path })).body).toEqual({
      duplicateDeliveries: 2,
      match: dest.path,
    });
    const res = await client.publishJSON({ url: dest.url, body: { once: true } });
    const ds = await waitFor('three deliveries', () => sink.at(dest.path).length === 3 && sink.at(dest.path));
    expect(ds.map((d) => d.headers['upstash-message-id'])).toEqual([res.messageId, res.messageId, res.messageId]);
    for (const d of ds) {
      expect(await receiver.verify({ signature: String(d.headers['upstash-signature']), body: d.body, url: dest.url })).toBe(true);
    }
    const log = await settled(res.messageId);
    await waitFor('the duplicates to be logged', async () => (await settled(res.messageId)).attempts.length === 3);
    expect(log.state).toBe('delivered');
    const attempts = (await settled(res.messageId)).attempts;
    expect(attempts.filter((a) => a.duplicate)).toHaveLength(2);
  });

  it('duplicateConcurrently: the copies arrive while the first is still being processed', async () => {
    const dest = sink.route(() => ({ delayMs: 150 }));
    await control('POST', '/__stack/qstash/faults', { duplicateDeliveries: 1, duplicateConcurrently: true, match: dest.path });
    const res = await client.publishJSON({ url: dest.url, body: {} });
    const ds = await waitFor('two deliveries', () => sink.at(dest.path).length === 2 && sink.at(dest.path));
    expect(ds.map((d) => d.headers['upstash-message-id'])).toEqual([res.messageId, res.messageId]);
    expect(sink.maxInFlight.get(dest.path)).toBe(2);
  });

  it('failFirst: the first attempts fail without reaching the destination, then it is delivered', async () => {
    const dest = sink.route();
    const other = sink.route();
    await control('POST', '/__stack/qstash/faults', { failFirst: 2, match: dest.path });
    const res = await client.publishJSON({ url: dest.url, body: {} });
    await client.publishJSON({ url: other.url, body: {} }); // not matched: delivered at once
    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    expect(d.headers['upstash-retried']).toBe('2');
    expect(sink.at(other.path).map((x) => x.headers['upstash-retried'])).toEqual(['0']);
    const log = await settled(res.messageId);
    expect(log.state).toBe('delivered');
    expect(log.attempts.map((a) => Boolean(a.injected))).toEqual([true, true, false]);
  });

  it('failFirst beyond the retries → failure callback; dropCallbacks → it is not sent', async () => {
    const dest = sink.route();
    const fcb = sink.route();
    const cb = sink.route();
    await control('POST', '/__stack/qstash/faults', { failFirst: 5, dropCallbacks: true, match: dest.path });
    const res = await client.publishJSON({ url: dest.url, body: {}, retries: 1, failureCallback: fcb.url, callback: cb.url });
    expect((await settled(res.messageId)).state).toBe('failed');
    const fc = await waitFor('the dropped failure callback', async () =>
      (await messageLog()).find((m) => m.sourceMessageId === res.messageId && m.state === 'dropped'),
    );
    expect(fc.kind).toBe('failure-callback');
    await sleep(200);
    expect(sink.at(dest.path)).toHaveLength(0);
    expect(sink.at(fcb.path)).toHaveLength(0);
    expect(sink.at(cb.path)).toHaveLength(0); // no HTTP response → no callback anyway
  });

  it('delayMs delays every delivery; DELETE resets', async () => {
    const dest = sink.route();
    await control('POST', '/__stack/qstash/faults', { delayMs: 400, match: dest.path });
    const t0 = Date.now();
    await client.publishJSON({ url: dest.url, body: {} });
    const [d] = await waitFor('the delivery', () => sink.at(dest.path).length === 1 && sink.at(dest.path));
    expect(d.at - t0).toBeGreaterThanOrEqual(390);
    expect((await control('DELETE', '/__stack/qstash/faults')).body).toEqual({});
    const t1 = Date.now();
    await client.publishJSON({ url: dest.url, body: {} });
    const ds = await waitFor('the second delivery', () => sink.at(dest.path).length === 2 && sink.at(dest.path));
    expect(ds[1].at - t1).toBeLessThan(390);
  });
});
