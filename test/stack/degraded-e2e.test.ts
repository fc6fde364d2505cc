/**
 * A deployment whose Redis is configured but not running, end to end: a real `wrangler dev` on
 * the stack's Upstash REST emulator, with the emulator's redis-server stopped (so the emulator
 * answers each command with an error, as Upstash does when the database is unavailable, rather
 * than the connection being refused; test/worker/config.test.ts covers a closed port). Every
 * route that needs Redis answers 503 with a stable code, never a 500; calculations still answer.
 *
 * Stops the shared redis-server, and always starts it again (stack files run one at a time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WranglerDev } from '../../scripts/bench/wrangler-dev.mjs';
import { ROOT, controlRedis, stackRedisUp, startOwnWorker, toReply, type Reply } from './worker-pair';

const upstash = inject('upstash');
const ADMIN_TOKEN = `adm-${crypto.randomUUID()}`;
const BIRTH = { datetime: '1987-03-21T06:45:00', timezone: 'Asia/Kolkata', latitude: 19.07609, longitude: 72.877426 };

let dev: WranglerDev | undefined;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ae-degraded-e2e-'));
  dev = await startOwnWorker(
    { root: ROOT, tmp },
    { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token, ADMIN_TOKEN, REDIS_TIMEOUT_MS: '300', METRICS_FLUSH_SEC: '0' },
  );
}, 240_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

async function send(method: string, path: string, json?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers }, signal: AbortSignal.timeout(30_000) };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return toReply(await fetch(`http://127.0.0.1:${dev!.port}${path}`, init));
}

const clear = () => send('DELETE', '/cache/clear', undefined, { authorization: `Bearer ${ADMIN_TOKEN}` });

function expect503(reply: Reply, code: string, label: string): void {
  expect(reply.status, `${label}: ${reply.text.slice(0, 300)}`).toBe(503);
  expect(reply.body?.error?.code, label).toBe(code);
  expect(reply.body?.error?.requestId, label).toBe(reply.headers.get('x-request-id'));
  // No library text (error names, the emulator's reply) reaches the client.
  expect(reply.text, label).not.toMatch(/\b(TypeError|Error): |ERR |ECONNREFUSED/);
}

describe('Redis configured but stopped', () => {
  it('cache clear, bulk jobs: 503 with a code; calculations answer; all back once Redis is', async () => {
    // Working first: the same requests succeed, so the 503s below are the outage's.
    const before = await clear();
    expect(before.status, before.text).toBe(200);
    expect(before.body).toMatchObject({ cleared: true, scope: 'global' });
    const job = await send('POST', '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] });
    expect(job.status, job.text).toBe(202);
    const jobId = job.body.jobId as string;

    let redisDown = false;
    try {
      await controlRedis(upstash, 'stop');
      redisDown = true;
      expect(await stackRedisUp(upstash)).toBe(false);

      const cleared = await clear();
      expect503(cleared, 'cache_unavailable', 'DELETE /cache/clear');
      expect(cleared.body.error.message).toMatch(/not cleared/);
      expect503(await send('GET', `/v1/bulk/${jobId}`), 'job_store_unavailable', 'GET /v1/bulk/{id}');
      expect503(await send('GET', `/v1/bulk/${jobId}/results`), 'job_store_unavailable', 'GET /v1/bulk/{id}/results');
      expect503(await send('POST', '/v1/bulk', { items: [{ id: 'b', type: 'natal', input: BIRTH }] }), 'job_store_unavailable', 'POST /v1/bulk');

      const natal = await send('POST', '/v1/charts/natal', BIRTH);
      expect(natal.status, natal.text).toBe(200);
      const health = await send('GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
      expect(health.body.dependencies.redis.status).toBe('unreachable');
      expect(health.body.dependencies.config).toEqual({ status: 'ok' });
    } finally {
      if (redisDown || !(await stackRedisUp(upstash))) await controlRedis(upstash, 'start');
    }
    expect(await stackRedisUp(upstash)).toBe(true);
    // The tier's retry-after window (1 s) may still be running: a clear forces its attempt anyway.
    const after = await clear();
    expect(after.status, after.text).toBe(200);
    expect(after.body.scope).toBe('global');
  });
});
