/**
 * A local Upstash Redis REST endpoint in front of a real redis-server, speaking the protocol the
 * way `@upstash/redis` 1.39 uses it (the contract is pinned by test/stack/upstash-*.test.ts).
 * Bound to 127.0.0.1; for development and tests only.
 *
 *   POST /             ["set","k","v","ex",60]        → 200 {"result":"OK"} | 400 {"error":"ERR …"}
 *   POST /pipeline     [["incr","a"],["get","b"]]     → 200 [{"result":1},{"error":"…"}]
 *   POST /multi-exec   same body, MULTI … EXEC on one dedicated connection
 *                                                     → 200 [{"result"}|{"error"}…] | 400 aborted
 *   GET|POST /get/k    command in the path (segments URL-decoded; a POST body is the last arg)
 *   Authorization: Bearer <token>                     → else 401 {"error":"Unauthorized"}
 *   Upstash-Encoding: base64                          → every string in a result is base64 of its
 *                                                       raw bytes; integers and null as they are;
 *                                                       errors never encoded
 *   Redis down / not answering                        → 503 / 504 {"error":"redis unavailable …"}
 *
 * With a `controlToken` (tests only), also:
 *   GET  /__stack/health                              → {"ok":true,"redis":"up"|"down"}
 *   POST /__stack/redis/stop[?keepData=1], /__stack/redis/start    (Bearer <controlToken>) stop / restart the
 *                                                       managed redis-server on the same port
 *
 * The Redis side is the small RESP2 client in ./resp.mjs (its header says why not ioredis/redis).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { HttpError, bearerMatches, errorJson, listen, readBody } from './http-util.mjs';
import { RedisPool, RedisUnavailableError, ReplyError, Status } from './resp.mjs';

/**
 * Commands that would change the state of a shared connection, take it over (pub/sub, MONITOR),
 * or break MULTI/EXEC framing. Upstash refuses these over REST too (SUBSCRIBE has its own SSE
 * endpoint there, which this emulator does not offer).
 */
const DENIED = new Set([
  'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe',
  'monitor', 'sync', 'psync', 'replconf', 'quit', 'reset', 'hello', 'auth', 'select',
  'multi', 'exec', 'discard', 'watch', 'unwatch',
]);




/** A JSON command (array of strings/numbers/booleans) → Redis arguments. */
function toArgs(cmd) {
  if (!Array.isArray(cmd) || cmd.length === 0) throw new HttpError(400, 'ERR a command must be a non-empty JSON array');
  return cmd.map((a) => {
    if (typeof a === 'string') return Buffer.from(a, 'utf8');
    if (typeof a === 'number' || typeof a === 'boolean') return Buffer.from(String(a));
    if (a === null) throw new HttpError(400, 'ERR null is not a valid command argument');
    return Buffer.from(JSON.stringify(a), 'utf8');
  });
}

/**
 * Upstash accepts a Lua shebang flag redis-server does not: `#!lua flags=allow-key-locking`
 * (lock only the declared keys), which @upstash/ratelimit ≥ 2.2 puts on its scripts. Upstash
 * runs such a script as any other, so the emulator drops that flag before Redis sees it, and
 * answers EVALSHA of the original text (the client's hard-coded SHA-1) with the rewritten one.
 */
const UPSTASH_ONLY_SCRIPT_FLAGS = new Set(['allow-key-locking']);
/** SHA-1 of a script as the client sent it → SHA-1 of the text Redis stored. */
const rewrittenScripts = new Map();

function withoutUpstashFlags(script) {
  const text = script.toString('utf8');
  const m = /^#!lua([^\n]*)/.exec(text);
  if (!m) return script;
  const parts = m[1].trim().split(/\s+/).filter(Boolean);
  let changed = false;
  const kept = parts.map((part) => {
    if (!part.startsWith('flags=')) return part;
    const flags = part.slice(6).split(',').filter((f) => f !== '');
    const left = flags.filter((f) => !UPSTASH_ONLY_SCRIPT_FLAGS.has(f));
    if (left.length === flags.length) return part;
    changed = true;
    return left.length ? `flags=${left.join(',')}` : null;
  }).filter((part) => part !== null);
  if (!changed) return script;
  const rewritten = Buffer.from(`#!lua${kept.length ? ` ${kept.join(' ')}` : ''}${text.slice(m[0].length)}`, 'utf8');
  rewrittenScripts.set(sha1Hex(script), sha1Hex(rewritten));
  return rewritten;
}

function sha1Hex(buf) {
  return createHash('sha1').update(buf).digest('hex');
}

/** EVAL / EVALSHA / SCRIPT LOAD arguments as Upstash would take them, in terms redis-server accepts. */
function upstashScriptArgs(args) {
  const name = args[0].toString('utf8').toLowerCase();
  if ((name === 'eval' || name === 'eval_ro') && args[1]) return [args[0], withoutUpstashFlags(args[1]), ...args.slice(2)];
  if (name === 'script' && args[1]?.toString('utf8').toLowerCase() === 'load' && args[2]) return [args[0], args[1], withoutUpstashFlags(args[2]), ...args.slice(3)];
  if ((name === 'evalsha' || name === 'evalsha_ro') && args[1]) {
    const mapped = rewrittenScripts.get(args[1].toString('utf8').toLowerCase());
    if (mapped) return [args[0], Buffer.from(mapped), ...args.slice(2)];
  }
  return args;
}

/** A JSON command → Redis arguments, with Upstash-only script flags translated. */
function commandArgs(cmd) {
  return upstashScriptArgs(toArgs(cmd));
}

function deniedError(args) {
  const name = args[0].toString('utf8').toLowerCase();
  if (DENIED.has(name)) return new ReplyError(`ERR Command is not allowed over REST: ${name}`);
  if (name === 'client' && args[1] && /^(reply|pause|kill)$/i.test(args[1].toString('utf8'))) {
    return new ReplyError(`ERR Command is not allowed over REST: client ${args[1].toString('utf8').toLowerCase()}`);
  }
  return null;
}

/** The first error reply anywhere inside a reply (Lua can nest them in arrays), else null. */
function nestedError(value) {
  if (value instanceof ReplyError) return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const e = nestedError(v);
      if (e) return e;
    }
  }
  return null;
}

/**
 * RESP2 reply → JSON text. Built by hand so that 64-bit integers keep all their digits and
 * strings keep their exact bytes under base64.
 */
function valueJson(value, b64) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Status) value = value.buf;
  if (Buffer.isBuffer(value)) return b64 ? `"${value.toString('base64')}"` : JSON.stringify(value.toString('utf8'));
  if (Array.isArray(value)) return `[${value.map((v) => valueJson(v, b64)).join(',')}]`;
  throw new Error(`unexpected reply value ${String(value)}`);
}


/** One command's outcome as `{"result":…}` or `{"error":…}`; `error` tells which. */
function entryJson(reply, b64) {
  const err = nestedError(reply);
  if (err) return { error: true, json: errorJson(err.message) };
  return { error: false, json: `{"result":${valueJson(reply, b64)}}` };
}


function parseJsonBody(body) {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'ERR failed to parse the request body as JSON');
  }
}

/**
 * @param {{
 *   redisPort: number, redisHost?: string,
 *   port?: number, host?: string,
 *   token: string, controlToken?: string,
 *   redis?: { start(): Promise<void>, stop(): Promise<void>, running: boolean },
 *   maxBodyBytes?: number, poolSize?: number, connectTimeoutMs?: number, commandTimeoutMs?: number,
 *   log?: (message: string) => void,
 * }} opts
 * @returns {Promise<{ url: string, host: string, port: number, close(): Promise<void> }>}
 */
export async function startUpstashRest({
  redisPort,
  redisHost = '127.0.0.1',
  port = 0,
  host = '127.0.0.1',
  token,
  controlToken,
  redis,
  maxBodyBytes = 100 * 1024 * 1024,
  poolSize = 16,
  connectTimeoutMs = 1000,
  commandTimeoutMs = 10_000,
  log = () => {},
}) {
  if (!token) throw new Error('startUpstashRest: a token is required');
  const pool = new RedisPool({ host: redisHost, port: redisPort, max: poolSize, connectTimeoutMs, commandTimeoutMs });
  let control = Promise.resolve(); // serialises stop/start

  async function single(args, b64) {
    const denied = deniedError(args);
    if (denied) throw new HttpError(400, denied.message);
    const [reply] = await pool.run([args]);
    const entry = entryJson(reply, b64);
    return { status: entry.error ? 400 : 200, body: entry.json };
  }

  async function pipeline(body, b64) {
    const cmds = parseJsonBody(body);
    if (!Array.isArray(cmds) || cmds.length === 0) throw new HttpError(400, 'ERR a pipeline must be a non-empty JSON array of commands');
    const all = cmds.map(commandArgs);
    const replies = new Array(all.length);
    const toSend = [];
    const positions = [];
    all.forEach((args, i) => {
      const denied = deniedError(args);
      if (denied) replies[i] = denied;
      else {
        toSend.push(args);
        positions.push(i);
      }
    });
    const sent = await pool.run(toSend);
    sent.forEach((reply, j) => {
      replies[positions[j]] = reply;
    });
    return { status: 200, body: `[${replies.map((r) => entryJson(r, b64).json).join(',')}]` };
  }

  async function multiExec(body, b64) {
    const cmds = parseJsonBody(body);
    if (!Array.isArray(cmds) || cmds.length === 0) throw new HttpError(400, 'ERR a transaction must be a non-empty JSON array of commands');
    const all = cmds.map(commandArgs);
    for (const args of all) {
      const denied = deniedError(args);
      if (denied) throw new HttpError(400, denied.message);
    }
    // One dedicated connection: nothing else can interleave, and its state dies with it.
    const replies = await pool.dedicated((conn) => conn.send([[Buffer.from('MULTI')], ...all, [Buffer.from('EXEC')]], commandTimeoutMs));
    const exec = replies[replies.length - 1];
    if (exec instanceof ReplyError || exec === null) {
      // EXECABORT: a command was refused while queueing (wrong arity, unknown command…).
      const queued = replies.slice(1, -1);
      const cause = queued.findIndex((r) => r instanceof ReplyError);
      const base = exec === null ? 'EXECABORT Transaction aborted' : exec.message;
      throw new HttpError(400, cause === -1 ? base : `${base} (command ${cause + 1}: ${queued[cause].message})`);
    }
    return { status: 200, body: `[${exec.map((r) => entryJson(r, b64).json).join(',')}]` };
  }

  async function controlRequest(req, pathname, searchParams) {
    if (pathname === '/__stack/health' && req.method === 'GET') {
      let up = true;
      try {
        await pool.run([[Buffer.from('PING')]]);
      } catch {
        up = false;
      }
      return { status: 200, body: JSON.stringify({ ok: true, redis: up ? 'up' : 'down' }) };
    }
    const m = /^\/__stack\/redis\/(stop|start)$/.exec(pathname);
    if (!m) throw new HttpError(404, 'ERR unknown control endpoint');
    if (req.method !== 'POST') throw new HttpError(405, 'ERR use POST');
    if (!bearerMatches(req.headers.authorization, controlToken)) throw new HttpError(401, 'Unauthorized');
    if (!redis) throw new HttpError(501, 'ERR this endpoint does not manage its redis-server');
    const op = m[1];
    const run = control.then(async () => {
      if (op === 'stop') {
        // ?keepData=1: an outage (data reloaded on start); default: a data loss.
        await redis.stop({ keepData: searchParams.get('keepData') === '1' });
        pool.drain(); // do not wait for each socket to notice
      } else {
        await redis.start();
      }
    });
    control = run.catch(() => {});
    await run;
    return { status: 200, body: JSON.stringify({ ok: true, redis: op === 'stop' ? 'down' : 'up' }) };
  }

  async function route(req) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname.replace(/\/+$/, '') || '/';
    if (controlToken && pathname.startsWith('/__stack/')) {
      req.resume();
      return controlRequest(req, pathname, url.searchParams);
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      req.resume();
      return { status: 401, body: errorJson('Unauthorized') };
    }
    const b64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    if (req.method !== 'POST' && req.method !== 'GET') throw new HttpError(405, 'ERR use POST');
    const body = await readBody(req, maxBodyBytes, 'ERR ');
    if (req.method === 'POST' && pathname === '/') return single(commandArgs(parseJsonBody(body)), b64);
    if (req.method === 'POST' && pathname === '/pipeline') return pipeline(body, b64);
    if (req.method === 'POST' && pathname === '/multi-exec') return multiExec(body, b64);
    // Command in the path: /set/key/value, or POST /set/key with the value as the body.
    if (pathname === '/') throw new HttpError(405, 'ERR use POST with a JSON command');
    const args = pathname.slice(1).split('/').map((s) => {
      try {
        return Buffer.from(decodeURIComponent(s), 'utf8');
      } catch {
        throw new HttpError(400, 'ERR malformed URL encoding in the command path');
      }
    });
    if (req.method === 'POST' && body.length > 0) args.push(body);
    return single(args, b64);
  }

  const server = http.createServer((req, res) => {
    route(req)
      .catch((err) => {
        if (err instanceof HttpError) return { status: err.status, body: errorJson(err.message) };
        if (err instanceof RedisUnavailableError) {
          return { status: err.timeout ? 504 : 503, body: errorJson(`redis unavailable: ${err.message}`) };
        }
        log(`upstash-rest: ${err?.stack ?? err}`);
        return { status: 500, body: errorJson(`ERR internal error: ${err?.message ?? err}`) };
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
    async close() {
      pool.close();
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
