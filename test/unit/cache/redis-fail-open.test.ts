/**
 * The Redis tier against real sockets that never answer properly: no mock of
 * Redis or fetch. A working Redis is exercised by the integration tests
 * against the local stack; here only what a dead or slow one must not do.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheClearError, ResponseCache } from '../../../src/cache';
import { Collector } from './support';

const TIMEOUT_MS = 200;
const SLACK_MS = 150; // timer granularity and a loaded CI machine
const input = { utc: '2026-11-29T00:00:00Z', latDeg: 13.0878, lonDeg: 80.2785 };

function redisCache(url: string) {
  return new ResponseCache({ edge: null, redis: { url, token: 'test-token', timeoutMs: TIMEOUT_MS } });
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const startedAt = performance.now();
  const result = await work();
  return { result, elapsedMs: performance.now() - startedAt };
}

/** A port nothing listens on: bind an ephemeral one, then close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Accepts TCP connections and never answers: the slow-Redis case. */
const blackhole = net.createServer(() => {});
const sockets = new Set<net.Socket>();
blackhole.on('connection', (s) => sockets.add(s));
beforeAll(() => new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve)));
afterAll(() => {
  for (const s of sockets) s.destroy();
  return new Promise<void>((resolve) => blackhole.close(() => resolve()));
});

async function expectFailOpen(url: string) {
  const cache = redisCache(url);
  const ctx = new Collector();
  const { result, elapsedMs } = await timed(() => cache.getOrCompute('transits', input, () => ({ computed: true }), ctx));
  expect(result).toMatchObject({ value: { computed: true }, source: 'MISS' });
  expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  await ctx.settle();
  return cache;
}

describe('Redis tier fails open', () => {
  it('127.0.0.1:1 (Node refuses the port before connecting)', async () => {
    const cache = await expectFailOpen('http://127.0.0.1:1');
    const stats = await cache.stats();
    expect(stats).toMatchObject({ scope: 'isolate', redis: { configured: true, reachable: false }, bypassed: 1 });
    expect(stats.tiers.shared.errors).toBeGreaterThanOrEqual(1);
    expect(stats.redis.lastError).toMatch(/fetch failed/);
  });

  it('a closed port: connection refused', async () => {
    const cache = await expectFailOpen(`http://127.0.0.1:${await closedPort()}`);
    const stats = await cache.stats();
    expect(stats.tiers.shared.errors).toBeGreaterThanOrEqual(1);
    expect(stats.redis.lastError).toMatch(/ECONNREFUSED/);
  });

  it('a server that never answers: bounded by the timeout', async () => {
    const { port } = blackhole.address() as net.AddressInfo;
    const cache = await expectFailOpen(`http://127.0.0.1:${port}`);
    const stats = await cache.stats();
    expect(stats.tiers.shared.errors).toBeGreaterThanOrEqual(1);
    expect(stats.redis.lastError).toMatch(/CacheTimeoutError|abort|timeout/i);
  });

  it('later requests skip a Redis that just failed instead of waiting again', async () => {
    const { port } = blackhole.address() as net.AddressInfo;
    const cache = redisCache(`http://127.0.0.1:${port}`);
    const ctx = new Collector();
    await cache.getOrCompute('transits', input, () => 1, ctx);
    const { elapsedMs } = await timed(() => cache.getOrCompute('transits', input, () => 2, ctx));
    expect(elapsedMs).toBeLessThan(50);
    await ctx.settle();
    expect((await cache.stats()).tiers.shared.skipped).toBeGreaterThanOrEqual(1);
  });

  it('health reports unreachable with the last error; clear() refuses to pretend', async () => {
    const cache = redisCache(`http://127.0.0.1:${await closedPort()}`);
    const { result: health, elapsedMs } = await timed(() => cache.health());
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(health.redis).toBe('unreachable');
    expect(health.lastError).toBeTruthy();
    expect(Date.parse(health.lastErrorAt ?? '')).not.toBeNaN();
    const error = await cache.clear().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CacheClearError);
    expect((error as Error).name).toBe('CacheClearError');
  });
});
