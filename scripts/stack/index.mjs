/**
 * The local service stack for development (`npm run stack`) and tests (vitest globalSetup in
 * test/stack/global-setup.ts): a throw-away redis-server plus the Upstash Redis REST emulator in
 * front of it, and the QStash emulator (./qstash.mjs). Each service contributes the env vars the
 * Worker reads; new ones are added as one more entry in `startStack`, started in order and
 * stopped in reverse order.
 *
 *   const stack = await startStack({ token: 'local-dev-token' });
 *   stack.env  // { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:…', UPSTASH_REDIS_REST_TOKEN: '…',
 *              //   QSTASH_URL, QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY }
 *   await stack.stop();
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { findRedisServer, INSTALL_HINT, startRedis } from './redis.mjs';
import { startUpstashRest } from './upstash-rest.mjs';
import { randomSigningKey, startQStash } from './qstash.mjs';

export { findRedisServer, INSTALL_HINT } from './redis.mjs';
export { QSTASH_DEV_CREDENTIALS, randomSigningKey } from './qstash.mjs';

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** Runs start(port) on the given port, or on a free one, trying another if that one was taken meanwhile. */
async function withFreePort(port, start) {
  if (port !== undefined) return start(port);
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

export function randomToken() {
  return randomBytes(24).toString('base64url');
}

/** @param {import('./index.d.mts').StackOptions} [opts] */
export async function startStack(opts = {}) {
  const token = opts.token ?? randomToken();
  const log = opts.log ?? (() => {});
  /** @type {Array<() => Promise<void>>} */
  const stoppers = [];
  /** @type {Record<string, string>} */
  const env = {};
  const info = {};

  const stop = async () => {
    let first;
    for (const fn of stoppers.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw first;
  };

  try {
    // Redis and its REST front end.
    const redis = await withFreePort(opts.redisPort, (port) =>
      startRedis({
        port,
        bin: opts.redisBin ?? findRedisServer() ?? undefined,
        log: (line) => log(`redis: ${line}`),
      }),
    );
    stoppers.push(() => redis.close());
    const rest = await startUpstashRest({
      redisPort: redis.port,
      port: opts.restPort ?? 0,
      token,
      controlToken: opts.controlToken,
      redis,
      log,
    });
    stoppers.push(() => rest.close());
    env.UPSTASH_REDIS_REST_URL = rest.url;
    env.UPSTASH_REDIS_REST_TOKEN = token;
    info.redis = { port: redis.port, dir: redis.dir };
    info.upstash = { url: rest.url, port: rest.port };

    // QStash: delivers to the Worker, signs with its own keys.
    const q = opts.qstash ?? {};
    const qstash = await startQStash({
      ...q,
      port: opts.qstashPort ?? 0,
      token: q.token ?? randomToken(),
      currentSigningKey: q.currentSigningKey ?? randomSigningKey(),
      nextSigningKey: q.nextSigningKey ?? randomSigningKey(),
      controlToken: opts.controlToken,
      log: q.log ?? log,
    });
    stoppers.push(() => qstash.close());
    env.QSTASH_URL = qstash.url;
    env.QSTASH_TOKEN = qstash.token;
    env.QSTASH_CURRENT_SIGNING_KEY = qstash.currentSigningKey;
    env.QSTASH_NEXT_SIGNING_KEY = qstash.nextSigningKey;
    info.qstash = qstash;
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }

  return { env, ...info, stop };
}
