#!/usr/bin/env node
/**
 * `npm run stack`: the local services the Worker talks to, in the foreground until Ctrl-C.
 *
 *   redis-server               127.0.0.1:6390   (REDIS_PORT overrides)
 *   Upstash Redis REST         127.0.0.1:8079   (UPSTASH_REST_PORT overrides)
 *   QStash emulator            127.0.0.1:8080   (QSTASH_DEV_PORT overrides; 8080 is the SDK's
 *                                                 dev-server URL, and the SDK reads the same var)
 *
 * It prints the lines to put in .dev.vars. The Redis token is the fixed local development token
 * `local-dev-token` (STACK_TOKEN overrides); QStash uses the SDK's built-in dev token and signing
 * keys. Everything listens on 127.0.0.1 only and the data is thrown away on exit, so none of it
 * is a secret. STACK_VERBOSE=1 shows redis-server's log and the emulators' internal errors.
 * Needs Debian's redis-server package (REDIS_SERVER=/path/to/redis-server picks another binary).
 */
import { findRedisServer, INSTALL_HINT, QSTASH_DEV_CREDENTIALS, startStack } from './stack/index.mjs';

function port(name, fallback) {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    console.error(`stack: ${name} must be a TCP port number, got '${value}'`);
    process.exit(2);
  }
  return Number(value);
}

if (!findRedisServer()) {
  console.error(INSTALL_HINT);
  process.exit(1);
}

const redisPort = port('REDIS_PORT', 6390);
const restPort = port('UPSTASH_REST_PORT', 8079);
const qstashPort = port('QSTASH_DEV_PORT', 8080);
const token = process.env.STACK_TOKEN || 'local-dev-token';

let stack;
try {
  // redis-server's own log (start-up banner, warnings) only with STACK_VERBOSE=1; a failed
  // start reports its last lines in the error anyway.
  const log = process.env.STACK_VERBOSE === '1' ? (line) => console.error(line) : undefined;
  stack = await startStack({ redisPort, restPort, qstashPort, token, qstash: { ...QSTASH_DEV_CREDENTIALS }, log });
} catch (err) {
  console.error(`stack: could not start: ${err.message}`);
  process.exit(1);
}

console.error(
  `stack: redis-server on 127.0.0.1:${stack.redis.port}, Upstash REST on ${stack.upstash.url}, QStash on ${stack.qstash.url}`,
);
console.error('stack: put these lines in .dev.vars (Ctrl-C stops everything):');
for (const [key, value] of Object.entries(stack.env)) console.log(`${key}=${value}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`stack: ${signal}, stopping`);
    stack.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`stack: stop failed: ${err.message}`);
        process.exit(1);
      },
    );
  });
}
