/**
 * A minimal RESP2 client for the local Upstash emulator (scripts/stack/upstash-rest.mjs).
 *
 * Why hand-written rather than `ioredis` or `redis` (node-redis): the REST proxy needs the
 * *untouched* RESP2 reply tree (status vs bulk vs integer vs nil vs error, at every depth, with
 * the raw bytes of every string) and it must fail fast while Redis is down. The libraries reshape
 * exactly those things: ioredis turns nested errors inside EXEC replies into thrown errors or
 * `[err, value]` tuples, intercepts MULTI/EXEC/SELECT to track connection state, and by default
 * queues commands offline and reconnects for ever (all of which has to be switched off again);
 * node-redis 5 speaks RESP3 and maps types. RESP2 itself is five reply types and one request
 * framing, so the whole client (parser with a large-reply fast path, FIFO reply matching,
 * connect/command timeouts, a small pool) fits in this file and has no dependency to keep up to
 * date. It is only ever pointed at the redis-server that scripts/stack/redis.mjs starts.
 *
 * Reply representation:
 *   bulk string      → Buffer (raw bytes)          nil bulk / nil array → null
 *   status (+OK)     → Status { buf: Buffer }      integer (:1)         → bigint (exact)
 *   array            → Array                       error (-ERR …)       → ReplyError { message }
 */
import net from 'node:net';

export class Status {
  /** @param {Buffer} buf */
  constructor(buf) {
    this.buf = buf;
  }
  toString() {
    return this.buf.toString('utf8');
  }
}

/** An error reply from Redis (a value, not thrown: it can sit inside an EXEC array). */
export class ReplyError {
  /** @param {string} message */
  constructor(message) {
    this.message = message;
  }
}

/** The connection could not be made, or broke, or Redis did not answer in time. */
export class RedisUnavailableError extends Error {
  constructor(message, { timeout = false, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.name = 'RedisUnavailableError';
    this.timeout = timeout;
  }
}

const CRLF = Buffer.from('\r\n');

/** Encodes one command (an array of Buffers/strings) as a RESP array of bulk strings. */
export function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const b = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
  }
  return Buffer.concat(parts);
}

const INCOMPLETE = Symbol('incomplete');

/**
 * Streaming RESP2 parser. `push(chunk)` calls `onReply(value)` for each complete top-level reply.
 * While a large bulk string is arriving it only collects chunks (it knows how many bytes it needs),
 * so a 50 MB reply costs one concatenation, not one per chunk.
 */
export class RespParser {
  /** @param {(value: unknown) => void} onReply */
  constructor(onReply) {
    this.onReply = onReply;
    this.chunks = [];
    this.length = 0;
    this.need = 0; // total buffered bytes needed before parsing again is worthwhile
  }

  /** @param {Buffer} chunk */
  push(chunk) {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length < this.need) return;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    let offset = 0;
    this.need = 0;
    while (offset < buf.length) {
      const r = this.#parse(buf, offset);
      if (r === INCOMPLETE) break;
      offset = r.end;
      this.onReply(r.value);
    }
    const rest = offset === 0 ? buf : buf.subarray(offset);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    this.need = this.need > 0 ? this.need - offset : 0;
  }

  /** @returns {{ value: unknown, end: number } | typeof INCOMPLETE} */
  #parse(buf, start) {
    if (start >= buf.length) return this.#incomplete(start + 1);
    const lineEnd = buf.indexOf(CRLF, start + 1);
    if (lineEnd === -1) return this.#incomplete(buf.length + 1);
    const type = buf[start];
    const end = lineEnd + 2;
    switch (type) {
      case 0x2b: // '+'
        return { value: new Status(Buffer.from(buf.subarray(start + 1, lineEnd))), end };
      case 0x2d: // '-'
        return { value: new ReplyError(buf.toString('utf8', start + 1, lineEnd)), end };
      case 0x3a: // ':'
        return { value: BigInt(buf.toString('latin1', start + 1, lineEnd)), end };
      case 0x24: {
        // '$'
        const len = Number(buf.toString('latin1', start + 1, lineEnd));
        if (len < 0) return { value: null, end };
        if (buf.length < end + len + 2) return this.#incomplete(end + len + 2);
        // Copy: the reply outlives the (possibly huge) read buffer.
        return { value: Buffer.from(buf.subarray(end, end + len)), end: end + len + 2 };
      }
      case 0x2a: {
        // '*'
        const count = Number(buf.toString('latin1', start + 1, lineEnd));
        if (count < 0) return { value: null, end };
        const items = new Array(count);
        let pos = end;
        for (let i = 0; i < count; i++) {
          const r = this.#parse(buf, pos);
          if (r === INCOMPLETE) return r;
          items[i] = r.value;
          pos = r.end;
        }
        return { value: items, end: pos };
      }
      default:
        throw new Error(`RESP protocol error: unexpected type byte 0x${type.toString(16)}`);
    }
  }

  #incomplete(need) {
    this.need = need;
    return INCOMPLETE;
  }
}

/**
 * One TCP connection to Redis. Commands are pipelined; replies are matched FIFO.
 * Any timeout or socket error destroys the connection and fails everything pending on it,
 * because replies after a lost one can no longer be matched to their commands.
 */
export class RedisConnection {
  /**
   * @param {{ host?: string, port: number, connectTimeoutMs?: number }} opts
   * @returns {Promise<RedisConnection>}
   */
  static connect({ host = '127.0.0.1', port, connectTimeoutMs = 1000 }) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RedisUnavailableError(`connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`, { timeout: true }));
      }, connectTimeoutMs);
      const onError = (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new RedisUnavailableError(err.message, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RedisConnection(socket));
      });
    });
  }

  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.closed = false;
    /** @type {{ remaining: number, replies: unknown[], resolve: Function, reject: Function, timer?: NodeJS.Timeout }[]} */
    this.pending = [];
    /** @type {Set<() => void>} */
    this.closeListeners = new Set();
    this.parser = new RespParser((value) => this.#onReply(value));
    socket.on('data', (chunk) => {
      try {
        this.parser.push(chunk);
      } catch (err) {
        this.#fail(new RedisUnavailableError(`bad reply from redis: ${err.message}`));
      }
    });
    socket.on('error', (err) => this.#fail(new RedisUnavailableError(err.message, { cause: err })));
    socket.on('close', () => this.#fail(new RedisUnavailableError('connection to redis closed')));
  }

  /**
   * Sends the commands in one write and resolves with their replies, in order.
   * @param {Array<Array<Buffer|string>>} commands
   * @param {number} [timeoutMs]
   * @returns {Promise<unknown[]>}
   */
  send(commands, timeoutMs = 10_000) {
    if (this.closed) return Promise.reject(new RedisUnavailableError('connection to redis closed'));
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const entry = { remaining: commands.length, replies: [], resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.#fail(new RedisUnavailableError(`no reply from redis within ${timeoutMs} ms`, { timeout: true }));
        }, timeoutMs);
      }
      this.pending.push(entry);
      this.socket.write(commands.length === 1 ? encodeCommand(commands[0]) : Buffer.concat(commands.map(encodeCommand)));
    });
  }

  close() {
    this.#fail(new RedisUnavailableError('connection to redis closed'));
  }

  /** @param {() => void} fn */
  onClose(fn) {
    if (this.closed) fn();
    else this.closeListeners.add(fn);
  }

  #onReply(value) {
    const entry = this.pending[0];
    if (!entry) {
      this.#fail(new RedisUnavailableError('unexpected reply from redis'));
      return;
    }
    entry.replies.push(value);
    if (--entry.remaining === 0) {
      this.pending.shift();
      clearTimeout(entry.timer);
      entry.resolve(entry.replies);
    }
  }

  #fail(err) {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const pending = this.pending;
    this.pending = [];
    for (const entry of pending) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
    for (const fn of this.closeListeners) fn();
    this.closeListeners.clear();
  }
}

/**
 * A small pool of exclusive connections: each request borrows one connection for all of its
 * commands, so a blocking command (BLPOP …) holds up only its own request, and replies can
 * never interleave between requests. Connections are opened lazily; dead ones are dropped.
 */
export class RedisPool {
  /**
   * @param {{ host?: string, port: number, max?: number, connectTimeoutMs?: number,
   *           commandTimeoutMs?: number }} opts
   */
  constructor({ host = '127.0.0.1', port, max = 16, connectTimeoutMs = 1000, commandTimeoutMs = 10_000 }) {
    this.opts = { host, port, connectTimeoutMs };
    this.max = max;
    this.commandTimeoutMs = commandTimeoutMs;
    this.size = 0;
    /** @type {RedisConnection[]} */
    this.idle = [];
    /** @type {Set<RedisConnection>} */
    this.all = new Set();
    /** @type {Array<{ resolve: () => void }>} */
    this.waiters = [];
    this.closed = false;
  }

  /** A fresh connection outside the pool (the caller closes it), e.g. for MULTI/EXEC. */
  async connect() {
    const conn = await RedisConnection.connect(this.opts);
    this.all.add(conn);
    conn.onClose(() => this.all.delete(conn));
    if (this.closed) conn.close();
    return conn;
  }

  /**
   * Runs the commands on one pooled connection and returns their replies.
   * @param {Array<Array<Buffer|string>>} commands
   */
  async run(commands) {
    const conn = await this.#acquire();
    try {
      return await conn.send(commands, this.commandTimeoutMs);
    } finally {
      this.#release(conn);
    }
  }

  /** Runs fn on a dedicated connection that is closed afterwards. */
  async dedicated(fn) {
    const conn = await this.connect();
    try {
      return await fn(conn);
    } finally {
      conn.close();
    }
  }

  /** Closes every open connection now (e.g. right after Redis was stopped); the pool stays usable. */
  drain() {
    for (const conn of [...this.all]) conn.close();
  }

  close() {
    this.closed = true;
    for (const conn of [...this.all]) conn.close();
    this.idle = [];
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  async #acquire() {
    const deadline = Date.now() + this.commandTimeoutMs;
    for (;;) {
      if (this.closed) throw new RedisUnavailableError('pool closed');
      const idle = this.idle.pop();
      if (idle) return idle; // dead ones leave `idle` through their close listener
      if (this.size < this.max) {
        this.size++;
        let conn;
        try {
          conn = await this.connect();
        } catch (err) {
          this.size--;
          this.#wake();
          throw err;
        }
        conn.onClose(() => {
          this.size--;
          const i = this.idle.indexOf(conn);
          if (i !== -1) this.idle.splice(i, 1);
          this.#wake();
        });
        return conn;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new RedisUnavailableError(`all ${this.max} redis connections busy`, { timeout: true });
      await new Promise((resolve) => {
        const waiter = { resolve };
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i !== -1) this.waiters.splice(i, 1);
          resolve();
        }, left);
        waiter.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(waiter);
      });
    }
  }

  #release(conn) {
    if (!conn.closed && !this.closed) this.idle.push(conn);
    this.#wake();
  }

  #wake() {
    const w = this.waiters.shift();
    if (w) w.resolve();
  }
}
