/**
 * A local QStash emulator: the parts of QStash v2 the Worker uses, the way `@upstash/qstash` 2.12
 * speaks them (the contract is pinned by test/stack/qstash-contract.test.ts). Messages live in
 * memory only. Bound to 127.0.0.1; for development and tests only.
 *
 *   POST /v2/publish/<destination URL>   body forwarded as is    → 200 {"messageId","url"}
 *        (the destination is the rest of the path plus the query string, e.g.
 *         /v2/publish/http://127.0.0.1:8787/internal/x?a=1)
 *        a duplicate (same Upstash-Deduplication-Id, or same content with
 *        Upstash-Content-Based-Deduplication: true, within dedupWindowMs, default 10 minutes
 *        as QStash's API reference says)
 *                                                               → 202 {"messageId" (the first one's),
 *                                                                      "url","deduplicated":true}
 *   POST /v2/batch   [{destination, headers: {name: value}, body?}, …]
 *                                                               → 200 [{"messageId","url"[,"deduplicated"]}, …]
 *                    (all or nothing: one invalid entry → 400, nothing enqueued)
 *   GET  /v2/keys                                               → {"current","next"} (what the SDK's
 *                                                                 dev-server probe checks)
 *   Authorization: Bearer <token>                               → else 401 {"error":"Unauthorized"}
 *   anything invalid                                            → 400 {"error":"…"}; other paths 404
 *
 * Publish headers honoured (names case-insensitive; batch entries carry them in `headers`):
 *   Content-Type                       forwarded to the destination
 *   Upstash-Forward-<Name>: v          delivered as `<Name>: v` (Host, Content-Length, Connection,
 *                                      Transfer-Encoding and the like are not forwarded)
 *   Upstash-Method                     GET|POST|PUT|PATCH|DELETE, default POST
 *   Upstash-Retries                    retries after the first attempt, default 3
 *   Upstash-Retry-Delay                ms, an expression of `retried` (pow, sqrt, abs, exp, floor,
 *                                      ceil, round, min, max; + - * / %), as QStash evaluates it
 *   Upstash-Delay / Upstash-Not-Before first attempt after a duration ("10s", "3m", "1h30m", "1d") /
 *                                      at a unix time in seconds (wins over the delay)
 *   Upstash-Timeout                    per-attempt HTTP timeout, duration ("30s") or seconds
 *   Upstash-Deduplication-Id           no ':' allowed (QStash answers 400 for it, so do we)
 *   Upstash-Content-Based-Deduplication: true
 *                                      dedup id = hash of destination, body, Content-Type and the
 *                                      Upstash-Forward-* headers
 *   Upstash-Callback / Upstash-Failure-Callback   http(s) URLs; configured like QStash with
 *                                      Upstash-(Failure-)Callback-{Retries,Delay,Method,Timeout,
 *                                      Retry-Delay,Forward-<Name>}
 *   Upstash-Label                      kept in the delivery log
 *   Upstash-Flow-Control-*, Upstash-Redact-Fields, Upstash-Telemetry-*   accepted and ignored
 *   Upstash-Queue-Name, URL groups, api/llm destinations   → 400 (not emulated)
 *
 * Delivery (a worker pool of `concurrency`, default 16, requests in flight at once over keep-alive
 * agents: a 10,000-message batch does not open 10,000 sockets):
 *   <method> <destination> with the body and
 *     Content-Type, the forwarded headers, User-Agent: Upstash-QStash, Upstash-Message-Id,
 *     Upstash-Retried: 0|1|…, Upstash-Caller-Ip, Upstash-Signature: an HS256 JWT signed with the
 *     CURRENT signing key: {iss:"Upstash", sub:<destination>, iat, nbf: iat, exp: iat+300,
 *     jti:"jwt_…", body: base64url(sha256(raw body)) WITH '=' padding, as QStash sends it
 *     (the SDK's Receiver strips padding on both sides before comparing)}
 *   2xx → delivered. Anything else, a timeout or a network error → retried after
 *     Upstash-Retry-Delay(retried) if given, else the response's Retry-After /
 *     X-RateLimit-Reset(-Requests|-Tokens) (seconds, HTTP date or "6m5s"; at most a day), else
 *     min(retryMaxMs, retryBaseMs · 2^retried) — QStash's own default is min(1 day, e^(2.5·retried)
 *     s), far too slow for tests. 489 with `Upstash-NonRetryable-Error: true` → failed at once.
 *   Callback: like QStash, after EVERY attempt that got an HTTP response (not only the successful
 *     one; `retried == maxRetries` on the last), a new signed message (its own messageId, sub = the
 *     callback URL) with the JSON body
 *       {status, header: {Name: [values]}, body: base64(response body), retried, maxRetries,
 *        sourceMessageId, url, method, sourceHeader, sourceBody: base64, notBefore, createdAt,
 *        callerIP}
 *   Failure callback: once, when the retries are exhausted (or non-retryable), the same body plus
 *     dlqId; if the last attempt got no HTTP response, status 0, empty header/body and `error`.
 *
 * With a `controlToken` (tests only), also, with Authorization: Bearer <controlToken>:
 *   POST   /__stack/qstash/faults   {duplicateDeliveries?: n, duplicateConcurrently?: bool,
 *                                    delayMs?: n, failFirst?: n, dropCallbacks?: bool,
 *                                    match?: "substring of the destination URL"}
 *          duplicateDeliveries: each delivered message is sent n more times with the same
 *            messageId (after its success, or together with each attempt when
 *            duplicateConcurrently); delayMs: every attempt (callbacks' too) waits that much
 *            longer; failFirst: the first n attempts of each message count as failed (as if the
 *            connection was refused: no HTTP response, so no callback for them) without calling
 *            the destination; dropCallbacks: callbacks and failure callbacks are not sent (logged
 *            as "dropped"); match: only messages whose destination contains it (and their
 *            callbacks) are affected. Duplicates and failFirst never apply to callbacks.
 *                                                                → the faults now in force
 *   DELETE /__stack/qstash/faults                                → reset
 *   GET    /__stack/qstash/messages                              → {idle, pending, messages: [{messageId,
 *            kind: "message"|"callback"|"failure-callback", sourceMessageId?, destination, method,
 *            state: "pending"|"retry"|"delivered"|"failed"|"dropped", status (last HTTP status or
 *            null), maxRetries, attempts: [{retried, at, ms, status?, error?, injected?,
 *            duplicate?}], createdAt, notBefore, label?, deduplicationId?}]} oldest first
 *   DELETE /__stack/qstash/messages                              → forget finished messages
 *
 * Not emulated: queues, URL groups, schedules, DLQ / messages / logs APIs, flow control, LLM / email
 * APIs, multi-region headers.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { HttpError, bearerMatches, errorJson, listen, readBody } from './http-util.mjs';

/** The SDK's built-in dev-server credentials (`DEV_CREDENTIALS` in @upstash/qstash 2.12). */
export const QSTASH_DEV_CREDENTIALS = Object.freeze({
  token: 'eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=',
  currentSigningKey: 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r',
  nextSigningKey: 'sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs',
});

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Forwarded header names the emulator does not pass on: they belong to the connection. */
const NOT_FORWARDED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect']);
const DAY_MS = 86_400_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';


function randomId(prefix, length = 27) {
  let s = prefix;
  for (let i = 0; i < length; i++) s += ID_CHARS[randomInt(ID_CHARS.length)];
  return s;
}

/** A random signing key shaped like QStash's (`sig_` + 28 characters). */
export function randomSigningKey() {
  return randomId('sig_', 28);
}





// ---------------------------------------------------------------------------------------------
// Signing

/** base64url of the SHA-256 of the body, with '=' padding as QStash puts it in the `body` claim. */
export function bodyHashClaim(body) {
  return createHash('sha256').update(body).digest().toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The `Upstash-Signature` JWT for a delivery of `body` to `url`. */
export function signDelivery(signingKey, url, body, nowMs = Date.now()) {
  const now = Math.floor(nowMs / 1000);
  const enc = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const payload = enc({
    iss: 'Upstash',
    sub: url,
    exp: now + 300,
    nbf: now,
    iat: now,
    jti: randomId('jwt_'),
    body: bodyHashClaim(body),
  });
  const sig = createHmac('sha256', signingKey).update(`${head}.${payload}`).digest('base64url');
  return `${head}.${payload}.${sig}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing of header values

const DURATION_UNITS = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** "10s", "1h30m", "1.5m", "250ms", "1d" → milliseconds; null when not a duration. */
export function parseDuration(value) {
  const s = String(value).trim();
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+$/.test(s)) return null;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g)) total += Number(n) * DURATION_UNITS[unit];
  return Math.round(total);
}

/** A duration, or a bare number of seconds. */
function parseDurationOrSeconds(value, name) {
  const s = String(value).trim();
  if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const ms = parseDuration(s);
  if (ms === null) throw new HttpError(400, `invalid ${name} '${s}': use a duration like 10s, 5m, 2h or 1d`);
  return ms;
}

function parseRetries(value, name) {
  const s = String(value).trim();
  if (!/^\d{1,3}$/.test(s) || Number(s) > 100) throw new HttpError(400, `invalid ${name} '${s}': an integer from 0 to 100`);
  return Number(s);
}

function parseMethod(value, name) {
  const m = String(value).trim().toUpperCase();
  if (!METHODS.has(m)) throw new HttpError(400, `invalid ${name} '${value}': one of ${[...METHODS].join(', ')}`);
  return m;
}

/** `http:/host` (a proxy folded the slashes) → `http://host`; percent-encoded URLs decoded. */
function normaliseDestination(raw) {
  let dest = raw;
  if (!/^https?:/i.test(dest) && /^https?%3A/i.test(dest)) {
    try {
      dest = decodeURIComponent(dest);
    } catch {
      /* reported below */
    }
  }
  dest = dest.replace(/^(https?):\/(?!\/)/i, '$1://');
  return dest;
}

function checkUrl(value, what) {
  let url;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new HttpError(400, `invalid ${what} '${value}': the emulator delivers to http:// or https:// URLs only (queues, URL groups and APIs are not emulated)`);
  }
  return value;
}

/**
 * `Upstash-Retry-Delay`: an arithmetic expression of `retried` → a function retried → ms.
 * Grammar: expr = term (('+'|'-') term)*; term = unary (('*'|'/'|'%') unary)*;
 * unary = ('-'|'+') unary | primary; primary = number | 'retried' | fn '(' expr (',' expr)* ')' | '(' expr ')'.
 */
export function compileRetryDelay(source) {
  const tokens = String(source).match(/\d+(?:\.\d+)?|[A-Za-z_]\w*|[-+*/%(),]|\S/g) ?? [];
  const FNS = {
    pow: [2, Math.pow], sqrt: [1, Math.sqrt], abs: [1, Math.abs], exp: [1, Math.exp], floor: [1, Math.floor],
    ceil: [1, Math.ceil], round: [1, Math.round], min: [-1, Math.min], max: [-1, Math.max],
  };
  let i = 0;
  const fail = (why) => {
    throw new HttpError(400, `invalid Upstash-Retry-Delay '${source}': ${why}`);
  };
  const peek = () => tokens[i];
  const take = (t) => {
    if (tokens[i] !== t) fail(`expected '${t}' at token ${i + 1}`);
    i++;
  };
  function expr() {
    let node = term();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[i++];
      const l = node;
      const r = term();
      node = op === '+' ? (x) => l(x) + r(x) : (x) => l(x) - r(x);
    }
    return node;
  }
  function term() {
    let node = unary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = tokens[i++];
      const l = node;
      const r = unary();
      node = op === '*' ? (x) => l(x) * r(x) : op === '/' ? (x) => l(x) / r(x) : (x) => l(x) % r(x);
    }
    return node;
  }
  function unary() {
    if (peek() === '-') {
      i++;
      const n = unary();
      return (x) => -n(x);
    }
    if (peek() === '+') {
      i++;
      return unary();
    }
    return primary();
  }
  function primary() {
    const t = tokens[i++];
    if (t === undefined) fail('unexpected end');
    if (/^\d/.test(t)) {
      const v = Number(t);
      return () => v;
    }
    if (t === 'retried') return (x) => x;
    if (t === '(') {
      const n = expr();
      take(')');
      return n;
    }
    if (Object.hasOwn(FNS, t)) {
      const [arity, fn] = FNS[t];
      take('(');
      const args = [expr()];
      while (peek() === ',') {
        i++;
        args.push(expr());
      }
      take(')');
      if (arity >= 0 && args.length !== arity) fail(`${t} takes ${arity} argument(s)`);
      return (x) => fn(...args.map((a) => a(x)));
    }
    return fail(`unexpected '${t}'`);
  }
  if (tokens.length === 0) fail('empty');
  const node = expr();
  if (i !== tokens.length) fail(`unexpected '${tokens[i]}'`);
  return (retried) => {
    const v = node(retried);
    return Number.isFinite(v) && v > 0 ? Math.min(v, DAY_MS) : 0;
  };
}

/** Retry-After-style response header → ms to wait, or null (absent, unparsable, over a day). */
function retryAfterMs(headers) {
  for (const name of ['retry-after', 'x-ratelimit-reset', 'x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const s = String(Array.isArray(raw) ? raw[0] : raw).trim();
    let ms = null;
    if (/^\d+(?:\.\d+)?$/.test(s)) ms = Number(s) * 1000;
    else if (parseDuration(s) !== null) ms = parseDuration(s);
    else if (!Number.isNaN(Date.parse(s))) ms = Math.max(0, Date.parse(s) - Date.now());
    if (ms !== null) return ms <= DAY_MS ? Math.round(ms) : null;
  }
  return null;
}

/** Go's http.CanonicalHeaderKey: content-type → Content-Type. */
function canonicalHeader(name) {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
}

/** Node's rawHeaders → {Canonical-Name: [values]} (Go's http.Header JSON). */
function headerObject(rawPairs) {
  const out = {};
  for (let i = 0; i + 1 < rawPairs.length; i += 2) {
    const name = canonicalHeader(rawPairs[i]);
    (out[name] ??= []).push(rawPairs[i + 1]);
  }
  return out;
}

/**
 * The configuration of a message or callback from publish headers. `h` maps lower-case names to
 * values; `prefix` is 'upstash-' for the message itself, 'upstash-callback-' or
 * 'upstash-failure-callback-' for the callbacks' own settings.
 */
function deliveryConfig(h, prefix, label) {
  const cfg = {};
  const get = (name) => h.get(prefix + name);
  if (get('retries') !== undefined) cfg.retries = parseRetries(get('retries'), `${label}Retries`);
  if (get('method') !== undefined) cfg.method = parseMethod(get('method'), `${label}Method`);
  if (get('delay') !== undefined) {
    const ms = parseDuration(get('delay'));
    if (ms === null) throw new HttpError(400, `invalid ${label}Delay '${get('delay')}': use a duration like 10s, 5m, 2h or 1d`);
    cfg.delayMs = ms;
  }
  if (get('timeout') !== undefined) cfg.timeoutMs = parseDurationOrSeconds(get('timeout'), `${label}Timeout`);
  if (get('retry-delay') !== undefined) {
    cfg.retryDelaySource = get('retry-delay');
    cfg.retryDelay = compileRetryDelay(cfg.retryDelaySource);
  }
  const forward = [];
  const fwd = `${prefix}forward-`;
  for (const [name, value] of h) {
    if (!name.startsWith(fwd) || name.length === fwd.length) continue;
    const target = name.slice(fwd.length);
    if (NOT_FORWARDED.has(target)) continue;
    try {
      http.validateHeaderName(target);
      http.validateHeaderValue(target, value);
    } catch {
      throw new HttpError(400, `invalid forwarded header ${canonicalHeader(name)}`);
    }
    forward.push([target, value]);
  }
  cfg.forward = forward;
  return cfg;
}

// ---------------------------------------------------------------------------------------------

/**
 * @param {import('./qstash.d.mts').QStashOptions} opts
 * @returns {Promise<import('./qstash.d.mts').QStashEmulator>}
 */
export async function startQStash({
  port = 0,
  host = '127.0.0.1',
  token,
  currentSigningKey,
  nextSigningKey,
  controlToken,
  concurrency = 16,
  retryBaseMs = 100,
  retryMaxMs = 10_000,
  deliveryTimeoutMs = 60_000,
  dedupWindowMs = 600_000,
  maxMessageBytes = 1024 * 1024,
  maxRequestBytes = 100 * 1024 * 1024,
  maxResponseBytes = 1024 * 1024,
  logLimit = 20_000,
  log = () => {},
}) {
  if (!token) throw new Error('startQStash: a token is required');
  if (!currentSigningKey || !nextSigningKey) throw new Error('startQStash: currentSigningKey and nextSigningKey are required');
  if (!(concurrency >= 1)) throw new Error('startQStash: concurrency must be at least 1');

  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: concurrency, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: concurrency, scheduling: 'lifo' }),
  };
  /** messageId → message, oldest first (the delivery log). */
  const messages = new Map();
  /** dedup id → {messageId, expires} */
  const dedup = new Map();
  let dedupInserts = 0;
  let faults = {};
  let closed = false;
  const timers = new Set();
  const inflight = new Set();
  let idleWaiters = [];

  // Ready queue: a deque of jobs (functions returning promises), `concurrency` of them at once.
  let ready = [];
  let readyHead = 0;
  let active = 0;
  let pendingCount = 0; // messages not yet in a final state, plus scheduled duplicate sends

  function pump() {
    while (!closed && active < concurrency && readyHead < ready.length) {
      const job = ready[readyHead];
      ready[readyHead++] = undefined;
      if (readyHead > 1024 && readyHead * 2 > ready.length) {
        ready = ready.slice(readyHead);
        readyHead = 0;
      }
      active++;
      job()
        .catch((err) => log(`qstash: ${err?.stack ?? err}`))
        .finally(() => {
          active--;
          pump();
          checkIdle();
        });
    }
  }

  /** Runs job (in a pool slot) at time atMs. */
  function schedule(job, atMs) {
    if (closed) return;
    const wait = atMs - Date.now();
    if (wait <= 0) {
      ready.push(job);
      pump();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      schedule(job, atMs);
    }, Math.min(wait, MAX_TIMER_MS));
    timers.add(t);
  }

  function isIdle() {
    return pendingCount === 0 && active === 0 && readyHead >= ready.length;
  }

  function checkIdle() {
    if (idleWaiters.length && isIdle()) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** The faults that apply to msg: all of them, or none when `match` rules it out. */
  function faultsFor(msg) {
    if (faults.match !== undefined && !msg.faultUrl.includes(faults.match)) return {};
    return faults;
  }

  function remember(msg) {
    messages.set(msg.id, msg);
    if (messages.size > logLimit) {
      for (const [id, m] of messages) {
        if (messages.size <= logLimit) break;
        if (m.state !== 'pending' && m.state !== 'retry') messages.delete(id);
      }
    }
  }

  function finish(msg, state) {
    msg.state = state;
    pendingCount--;
    checkIdle();
  }

  /** Creates a message from its configuration and schedules its first attempt. */
  function enqueue(spec) {
    const now = Date.now();
    const msg = {
      id: randomId('msg_'),
      kind: spec.kind ?? 'message',
      sourceMessageId: spec.sourceMessageId,
      destination: spec.destination,
      // callbacks are matched by their source message's destination
      faultUrl: spec.faultUrl ?? spec.destination,
      method: spec.method ?? 'POST',
      body: spec.body,
      contentType: spec.contentType,
      forward: spec.forward ?? [],
      maxRetries: spec.retries ?? 3,
      retryDelay: spec.retryDelay,
      timeoutMs: spec.timeoutMs ?? deliveryTimeoutMs,
      createdAt: now,
      notBefore: spec.notBefore ?? now + (spec.delayMs ?? 0),
      callback: spec.callback,
      failureCallback: spec.failureCallback,
      callbackConfig: spec.callbackConfig,
      failureCallbackConfig: spec.failureCallbackConfig,
      callerIp: spec.callerIp,
      label: spec.label,
      deduplicationId: spec.deduplicationId,
      state: 'pending',
      status: null,
      attempts: [],
    };
    remember(msg);
    pendingCount++;
    scheduleAttempt(msg, msg.notBefore);
    return msg;
  }

  function scheduleAttempt(msg, atMs) {
    schedule(() => attempt(msg), atMs + (faultsFor(msg).delayMs ?? 0));
  }

  /** The headers of one delivery of msg. */
  function deliveryHeaders(msg, retried) {
    const headers = { 'user-agent': 'Upstash-QStash' }; // a forwarded User-Agent wins
    for (const [name, value] of msg.forward) headers[name] = value;
    if (msg.contentType !== undefined) headers['content-type'] = msg.contentType;
    headers['upstash-message-id'] = msg.id;
    headers['upstash-retried'] = String(retried);
    if (msg.callerIp) headers['upstash-caller-ip'] = msg.callerIp;
    headers['upstash-signature'] = signDelivery(currentSigningKey, msg.destination, msg.body);
    headers['content-length'] = String(msg.body.length);
    return headers;
  }

  /** One HTTP request → {status, rawHeaders, headers, body} or {error}. Never rejects. */
  function send(msg, retried) {
    return new Promise((resolve) => {
      if (closed) return resolve({ error: 'emulator closed' });
      const url = new URL(msg.destination);
      const mod = url.protocol === 'https:' ? https : http;
      let settled = false;
      let timer;
      const done = (result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inflight.delete(req);
        resolve(result);
      };
      let req;
      try {
        req = mod.request(url, { method: msg.method, headers: deliveryHeaders(msg, retried), agent: agents[url.protocol] }, onResponse);
      } catch (err) {
        settled = true;
        resolve({ error: err?.message ?? String(err) });
        return;
      }
      function onResponse(res) {
        const chunks = [];
        let size = 0;
        res.on('data', (chunk) => {
          if (size >= maxResponseBytes) return;
          const part = chunk.subarray(0, maxResponseBytes - size);
          chunks.push(part);
          size += part.length;
        });
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, headers: res.headers, body: Buffer.concat(chunks, size) }),
        );
        res.on('error', (err) => done({ error: err.message }));
        res.on('aborted', () => done({ error: 'response aborted' }));
        res.on('close', () => done({ error: 'connection closed before the response ended' }));
      }
      inflight.add(req);
      timer = setTimeout(() => req.destroy(new Error(`timed out after ${msg.timeoutMs} ms`)), msg.timeoutMs);
      req.on('error', (err) => done({ error: err.message || String(err) }));
      req.end(msg.body);
    });
  }

  function record(msg, retried, started, result, extra = {}) {
    const a = { retried, at: started, ms: Date.now() - started, ...extra };
    if (result.status !== undefined) a.status = result.status;
    if (result.error !== undefined) a.error = result.error;
    msg.attempts.push(a);
  }

  async function attempt(msg) {
    if (closed) return;
    const retried = msg.attempts.filter((a) => !a.duplicate).length;
    const f = faultsFor(msg);
    const started = Date.now();
    const isCallback = msg.kind !== 'message';

    if (isCallback && f.dropCallbacks) {
      record(msg, retried, started, { error: 'dropped by the dropCallbacks fault' }, { injected: true });
      finish(msg, 'dropped');
      return;
    }

    let result;
    if (!isCallback && f.failFirst !== undefined && retried < f.failFirst) {
      result = { error: 'connect ECONNREFUSED (injected by the failFirst fault)' };
      record(msg, retried, started, result, { injected: true });
    } else {
      const copies = !isCallback && f.duplicateConcurrently && f.duplicateDeliveries ? f.duplicateDeliveries : 0;
      const dupes = [];
      for (let i = 0; i < copies; i++) {
        const t0 = Date.now();
        dupes.push(send(msg, retried).then((r) => record(msg, retried, t0, r, { duplicate: true })));
      }
      result = await send(msg, retried);
      record(msg, retried, started, result);
      await Promise.all(dupes);
      if (result.status !== undefined) msg.status = result.status;
    }
    if (closed) return;

    const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
    const nonRetryable =
      result.status === 489 && String(result.headers?.['upstash-nonretryable-error'] ?? '').toLowerCase() === 'true';
    const exhausted = ok || nonRetryable || retried >= msg.maxRetries;

    if (msg.kind === 'message' && msg.callback && result.status !== undefined) {
      enqueueCallback(msg, 'callback', retried, result);
    }
    if (ok) {
      if (!isCallback && !f.duplicateConcurrently && f.duplicateDeliveries > 0) {
        for (let i = 0; i < f.duplicateDeliveries; i++) {
          pendingCount++;
          schedule(async () => {
            const t0 = Date.now();
            const r = await send(msg, retried);
            record(msg, retried, t0, r, { duplicate: true });
            pendingCount--;
          }, Date.now());
        }
      }
      finish(msg, 'delivered');
      return;
    }
    if (exhausted) {
      if (msg.kind === 'message' && msg.failureCallback) enqueueCallback(msg, 'failure-callback', retried, result);
      finish(msg, 'failed');
      return;
    }
    let wait;
    if (msg.retryDelay) wait = msg.retryDelay(retried);
    else wait = (result.headers && retryAfterMs(result.headers)) ?? Math.min(retryMaxMs, retryBaseMs * 2 ** retried);
    msg.state = 'retry';
    scheduleAttempt(msg, Date.now() + wait);
  }

  function enqueueCallback(msg, kind, retried, result) {
    const url = kind === 'callback' ? msg.callback : msg.failureCallback;
    const cfg = (kind === 'callback' ? msg.callbackConfig : msg.failureCallbackConfig) ?? { forward: [] };
    const sourceHeader = {};
    if (msg.contentType !== undefined) sourceHeader['Content-Type'] = [msg.contentType];
    for (const [name, value] of msg.forward) (sourceHeader[canonicalHeader(name)] ??= []).push(value);
    const payload = {
      status: result.status ?? 0,
      header: result.rawHeaders ? headerObject(result.rawHeaders) : {},
      body: result.body ? result.body.toString('base64') : '',
      retried,
      maxRetries: msg.maxRetries,
      ...(kind === 'failure-callback' ? { dlqId: `${Date.now()}-0` } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      sourceMessageId: msg.id,
      url: msg.destination,
      method: msg.method,
      sourceHeader,
      sourceBody: msg.body.toString('base64'),
      notBefore: msg.notBefore,
      createdAt: msg.createdAt,
      callerIP: msg.callerIp ?? '',
    };
    if (msg.label !== undefined) payload.label = msg.label;
    enqueue({
      kind,
      sourceMessageId: msg.id,
      destination: url,
      faultUrl: msg.destination,
      method: cfg.method ?? 'POST',
      body: Buffer.from(JSON.stringify(payload)),
      contentType: 'application/json',
      forward: cfg.forward,
      retries: cfg.retries ?? msg.maxRetries,
      retryDelay: cfg.retryDelay ?? msg.retryDelay,
      timeoutMs: cfg.timeoutMs ?? msg.timeoutMs,
      delayMs: cfg.delayMs,
      callerIp: msg.callerIp,
    });
  }

  /**
   * Validates one publish (destination + lower-cased headers + body) into a message spec.
   * Throws HttpError(400) on anything QStash would refuse or the emulator does not support.
   */
  function parsePublish(rawDestination, h, body, callerIp) {
    const destination = checkUrl(normaliseDestination(rawDestination), 'destination');
    if (body.length > maxMessageBytes) throw new HttpError(413, `message body larger than ${maxMessageBytes} bytes`);
    if (h.get('upstash-queue-name') !== undefined) throw new HttpError(400, 'queues are not emulated');
    const own = deliveryConfig(h, 'upstash-', 'Upstash-');
    const contentType = h.get('content-type');
    if (contentType !== undefined) {
      try {
        http.validateHeaderValue('content-type', contentType);
      } catch {
        throw new HttpError(400, 'invalid Content-Type');
      }
    }
    const spec = {
      destination,
      body,
      contentType: h.get('content-type'),
      forward: own.forward,
      method: own.method ?? 'POST',
      retries: own.retries ?? 3,
      retryDelay: own.retryDelay,
      timeoutMs: own.timeoutMs,
      delayMs: own.delayMs,
      callerIp,
      label: h.get('upstash-label'),
    };
    const nb = h.get('upstash-not-before');
    if (nb !== undefined) {
      if (!/^\d{1,12}$/.test(nb.trim())) throw new HttpError(400, `invalid Upstash-Not-Before '${nb}': unix time in seconds`);
      spec.notBefore = Number(nb.trim()) * 1000;
    }
    for (const [key, kind] of [['upstash-callback', 'callback'], ['upstash-failure-callback', 'failureCallback']]) {
      const url = h.get(key);
      if (url === undefined) continue;
      spec[kind] = checkUrl(url.trim(), canonicalHeader(key));
      spec[`${kind}Config`] = deliveryConfig(h, `${key}-`, `${canonicalHeader(key)}-`);
    }
    const dedupId = h.get('upstash-deduplication-id');
    if (dedupId !== undefined) {
      if (dedupId.includes(':')) throw new HttpError(400, "DeduplicationId cannot contain ':'");
      if (dedupId === '') throw new HttpError(400, 'DeduplicationId cannot be empty');
      spec.deduplicationId = dedupId;
    } else if (String(h.get('upstash-content-based-deduplication') ?? '').toLowerCase() === 'true') {
      const hash = createHash('sha256');
      hash.update(`${destination}\n${spec.contentType ?? ''}\n`);
      for (const [name, value] of [...spec.forward].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        hash.update(`${name}:${value}\n`);
      }
      hash.update(body);
      spec.deduplicationId = `content:${hash.digest('hex')}`;
    }
    return spec;
  }

  /** Enqueues a parsed publish unless it is a duplicate → the publish reply entry. */
  function publish(spec) {
    const now = Date.now();
    if (spec.deduplicationId !== undefined) {
      const seen = dedup.get(spec.deduplicationId);
      if (seen && seen.expires > now) return { messageId: seen.messageId, url: spec.destination, deduplicated: true };
    }
    const msg = enqueue(spec);
    if (spec.deduplicationId !== undefined) {
      dedup.set(spec.deduplicationId, { messageId: msg.id, expires: now + dedupWindowMs });
      if (++dedupInserts % 1000 === 0) {
        for (const [k, v] of dedup) if (v.expires <= now) dedup.delete(k);
      }
    }
    return { messageId: msg.id, url: spec.destination };
  }

  function snapshot(m) {
    const out = {
      messageId: m.id,
      kind: m.kind,
      destination: m.destination,
      method: m.method,
      state: m.state,
      status: m.status,
      maxRetries: m.maxRetries,
      attempts: m.attempts.map((a) => ({ ...a })),
      createdAt: m.createdAt,
      notBefore: m.notBefore,
    };
    if (m.sourceMessageId !== undefined) out.sourceMessageId = m.sourceMessageId;
    if (m.label !== undefined) out.label = m.label;
    if (m.deduplicationId !== undefined) out.deduplicationId = m.deduplicationId;
    return out;
  }

  function messagesReport() {
    let pending = 0;
    for (const m of messages.values()) if (m.state === 'pending' || m.state === 'retry') pending++;
    return { idle: isIdle(), pending, messages: [...messages.values()].map(snapshot) };
  }

  function setFaults(input) {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new HttpError(400, 'faults must be a JSON object');
    const next = {};
    for (const [key, value] of Object.entries(input)) {
      if (value === null || value === undefined) continue;
      if (key === 'duplicateDeliveries' || key === 'delayMs' || key === 'failFirst') {
        if (!Number.isInteger(value) || value < 0 || value > (key === 'delayMs' ? 600_000 : 1000)) {
          throw new HttpError(400, `${key} must be a non-negative integer`);
        }
        next[key] = value;
      } else if (key === 'dropCallbacks' || key === 'duplicateConcurrently') {
        if (typeof value !== 'boolean') throw new HttpError(400, `${key} must be a boolean`);
        next[key] = value;
      } else if (key === 'match') {
        if (typeof value !== 'string') throw new HttpError(400, 'match must be a string');
        next[key] = value;
      } else {
        throw new HttpError(400, `unknown fault '${key}'`);
      }
    }
    faults = next;
    return { ...faults };
  }

  async function controlRequest(req, pathname) {
    if (!bearerMatches(req.headers.authorization, controlToken)) {
      req.resume();
      return { status: 401, body: errorJson('Unauthorized') };
    }
    if (pathname === '/__stack/qstash/faults') {
      if (req.method === 'POST') {
        const body = await readBody(req, 64 * 1024);
        let parsed;
        try {
          parsed = JSON.parse(body.toString('utf8') || '{}');
        } catch {
          throw new HttpError(400, 'the body must be JSON');
        }
        return { status: 200, body: JSON.stringify(setFaults(parsed)) };
      }
      req.resume();
      if (req.method === 'DELETE') return { status: 200, body: JSON.stringify(setFaults({})) };
      if (req.method === 'GET') return { status: 200, body: JSON.stringify(faults) };
      throw new HttpError(405, 'use GET, POST or DELETE');
    }
    if (pathname === '/__stack/qstash/messages') {
      req.resume();
      if (req.method === 'GET') return { status: 200, body: JSON.stringify(messagesReport()) };
      if (req.method === 'DELETE') {
        for (const [id, m] of messages) if (m.state !== 'pending' && m.state !== 'retry') messages.delete(id);
        return { status: 200, body: JSON.stringify({ ok: true }) };
      }
      throw new HttpError(405, 'use GET or DELETE');
    }
    req.resume();
    throw new HttpError(404, 'unknown control endpoint');
  }

  async function route(req) {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (controlToken && path.startsWith('/__stack/qstash/')) return controlRequest(req, path.replace(/\/+$/, ''));
    if (!bearerMatches(req.headers.authorization, token)) {
      req.resume();
      return { status: 401, body: errorJson('Unauthorized') };
    }
    const callerIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (path.startsWith('/v2/publish/')) {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      const destination = rawUrl.slice('/v2/publish/'.length);
      const h = new Map(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
      const body = await readBody(req, maxMessageBytes);
      const result = publish(parsePublish(destination, h, body, callerIp));
      return { status: result.deduplicated ? 202 : 200, body: JSON.stringify(result) };
    }
    if (path === '/v2/batch' || path === '/v2/batch/') {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      const raw = await readBody(req, maxRequestBytes);
      let entries;
      try {
        entries = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new HttpError(400, 'the batch body must be a JSON array');
      }
      if (!Array.isArray(entries) || entries.length === 0) throw new HttpError(400, 'the batch body must be a non-empty JSON array');
      const specs = entries.map((entry, i) => {
        const where = `batch entry ${i}`;
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new HttpError(400, `${where}: not an object`);
        if (typeof entry.destination !== 'string') throw new HttpError(400, `${where}: destination must be a string`);
        if (entry.queue !== undefined) throw new HttpError(400, `${where}: queues are not emulated`);
        const h = new Map();
        if (entry.headers !== undefined && entry.headers !== null) {
          if (typeof entry.headers !== 'object' || Array.isArray(entry.headers)) throw new HttpError(400, `${where}: headers must be an object`);
          for (const [k, v] of Object.entries(entry.headers)) {
            h.set(k.toLowerCase(), Array.isArray(v) ? v.map(String).join(', ') : String(v));
          }
        }
        if (entry.body !== undefined && entry.body !== null && typeof entry.body !== 'string') {
          throw new HttpError(400, `${where}: body must be a string`);
        }
        try {
          return parsePublish(entry.destination, h, Buffer.from(entry.body ?? '', 'utf8'), callerIp);
        } catch (err) {
          if (err instanceof HttpError) err.message = `${where}: ${err.message}`;
          throw err;
        }
      });
      return { status: 200, body: JSON.stringify(specs.map(publish)) };
    }
    req.resume();
    if (path === '/v2/keys' && req.method === 'GET') {
      return { status: 200, body: JSON.stringify({ current: currentSigningKey, next: nextSigningKey }) };
    }
    throw new HttpError(404, `not emulated: ${req.method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    route(req)
      .catch((err) => {
        if (err instanceof HttpError) return { status: err.status, body: errorJson(err.message) };
        log(`qstash: ${err?.stack ?? err}`);
        return { status: 500, body: errorJson(`internal error: ${err?.message ?? err}`) };
      })
      .then(({ status, body }) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
  });

  const actualPort = await listen(server, port, host);

  return {
    url: `http://${host}:${actualPort}`,
    host,
    port: actualPort,
    token,
    currentSigningKey,
    nextSigningKey,
    setFaults: (f) => setFaults(f ?? {}),
    messages: () => messagesReport(),
    idle() {
      if (isIdle() || closed) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const req of inflight) req.destroy(new Error('emulator closed'));
      inflight.clear();
      for (const agent of Object.values(agents)) agent.destroy();
      for (const w of idleWaiters) w();
      idleWaiters = [];
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
