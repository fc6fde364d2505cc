/**
 * vitest globalSetup for the `stack` project: one redis-server + Upstash REST emulator for the
 * whole run, on free ports with random tokens, handed to the tests via `inject('upstash')`.
 */
import type { TestProject } from 'vitest/node';
import { findRedisServer, INSTALL_HINT, randomToken, startStack } from '../../scripts/stack/index.mjs';

export interface UpstashStackInfo {
  /** UPSTASH_REDIS_REST_URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN */
  token: string;
  /** Bearer token for POST /__stack/redis/stop|start on `url`. */
  controlToken: string;
  redisPort: number;
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
  });
  return () => stack.stop();
}
