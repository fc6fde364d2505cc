/**
 * vitest globalSetup for the `stack` project: one redis-server + Upstash REST emulator + QStash
 * emulator for the whole run, on free ports with random tokens and signing keys, handed to the
 * tests via `inject('upstash')`.
 */
import type { TestProject } from 'vitest/node';
import { findRedisServer, INSTALL_HINT, randomToken, startStack } from '../../scripts/stack/index.mjs';

export interface QStashStackInfo {
  /** QSTASH_URL, e.g. http://127.0.0.1:40124 */
  url: string;
  /** QSTASH_TOKEN */
  token: string;
  /** QSTASH_CURRENT_SIGNING_KEY: signs every delivery. */
  currentSigningKey: string;
  /** QSTASH_NEXT_SIGNING_KEY */
  nextSigningKey: string;
}

export interface UpstashStackInfo {
  /** UPSTASH_REDIS_REST_URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN */
  token: string;
  /**
   * Bearer token for POST /__stack/redis/stop|start on `url`, and for /__stack/qstash/faults and
   * /__stack/qstash/messages on `qstash.url`.
   */
  controlToken: string;
  redisPort: number;
  qstash: QStashStackInfo;
}

declare module 'vitest' {
  export interface ProvidedContext {
    upstash: UpstashStackInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!findRedisServer()) throw new Error(`redis-server is missing; run: ${INSTALL_HINT}`);
  const controlToken = randomToken();
  const stack = await startStack({ token: randomToken(), controlToken });
  project.provide('upstash', {
    url: stack.env.UPSTASH_REDIS_REST_URL,
    token: stack.env.UPSTASH_REDIS_REST_TOKEN,
    controlToken,
    redisPort: stack.redis.port,
    qstash: {
      url: stack.env.QSTASH_URL,
      token: stack.env.QSTASH_TOKEN,
      currentSigningKey: stack.env.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: stack.env.QSTASH_NEXT_SIGNING_KEY,
    },
  });
  return () => stack.stop();
}
