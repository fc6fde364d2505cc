/**
 * `npm start` as the README gives it: the deploy bundle (`wrangler deploy --dry-run`) served by
 * workerd through the Miniflare API on PORT, with wrangler.toml's embedded defaults (no account,
 * no secrets), one JSON log line per request on stdout, and a clean stop on SIGTERM / SIGINT.
 * Needs nothing from the stack (no Redis): the Worker runs with its in-memory defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNpmStart, type NpmStart } from '../../scripts/bench/npm-start.mjs';
import { ROOT } from './worker-pair';

const BIRTH = { datetime: '1990-01-01T10:00:00', timezone: 'Asia/Kolkata', latitude: 13.0878, longitude: 80.2785 };
const PLANETS = ['Sun', 'Moon', 'Mars', 'Mercury', 'Jupiter', 'Venus', 'Saturn', 'Rahu', 'Ketu', 'Uranus', 'Neptune', 'Pluto'];

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm start (workerd via Miniflare, no wrangler dev proxy)', () => {
  let server: NpmStart;
  let base: string;

  beforeAll(async () => {
    server = await startNpmStart({ root: ROOT });
    base = `http://127.0.0.1:${server.port}`;
  }, 180_000);

  afterAll(async () => {
    await server?.stop('SIGKILL', { group: true, graceMs: 2000 });
  });

  it('listens on PORT at 127.0.0.1 and says so in a JSON line', () => {
    expect(server.listening).toMatchObject({ level: 'info', msg: 'listening', url: base });
    // wrangler.toml's [vars]: the embedded defaults, nothing from an account.
    expect(server.listening.bindings).toEqual(expect.arrayContaining(['ENVIRONMENT', 'LOG_LEVEL', 'RATE_LIMITS']));
  });

  it('answers /health, a natal POST (with the Cache API behind it) and /metrics', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', engine: { status: 'ok' } });

    const post = () =>
      fetch(`${base}/v1/charts/natal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(BIRTH) });
    const first = await post();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const chart = (await first.json()) as { planets: Record<string, unknown>; meta: Record<string, unknown> };
    expect(Object.keys(chart.planets)).toEqual(PLANETS);
    expect(chart.meta).toMatchObject({ timezone: 'Asia/Kolkata', utc: '1990-01-01T04:30:00Z', ayanamsa: 'lahiri' });
    const requestId = first.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    // The edge fill runs after the response (waitUntil): the repeat is a hit once it has landed.
    let xCache: string | null = null;
    for (let i = 0; i < 50 && xCache !== 'HIT-EDGE'; i++) {
      const again = await post();
      expect(again.status).toBe(200);
      xCache = again.headers.get('x-cache');
      await again.arrayBuffer();
      if (xCache !== 'HIT-EDGE') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(xCache).toBe('HIT-EDGE');

    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/astro_engine_requests_total\{method="POST",route="\/v1\/charts\/natal",status="200"\} [1-9]/);

    // Its log line: one JSON object on one stdout line, fields as the Worker wrote them.
    const line = await waitFor(() => server.logs().find((l) => l.msg === 'request' && l.requestId === requestId));
    expect(line).toMatchObject({ level: 'info', method: 'POST', route: '/v1/charts/natal', status: 200, cache: 'MISS', plan: 'anonymous' });
    expect(typeof line?.ts).toBe('string');
    expect(typeof line?.elapsedMs).toBe('number');
    const raw = server.lines().find((l) => l.includes(String(requestId)));
    expect(() => JSON.parse(raw ?? '')).not.toThrow();
  });

  it('stops cleanly on SIGTERM to npm: a last JSON line, no process left, the port free', async () => {
    const clean = await server.stop('SIGTERM');
    expect(clean).toBe(true);
    // npm passes the signal to its `sh -c`, which exits without passing it on; start.mjs then
    // sees its parent gone. Either way it must say it stopped.
    const stopping = server.logs().find((l) => l.msg === 'stopping');
    expect(['SIGTERM', 'parent_exited']).toContain(stopping?.signal);
    await expect(fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
  });
});

describe('npm start and Ctrl-C', () => {
  it('stops cleanly on SIGINT to its process group (what Ctrl-C in a terminal sends)', async () => {
    const server = await startNpmStart({ root: ROOT });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(res.status).toBe(200);
      expect(await server.stop('SIGINT', { group: true })).toBe(true);
      expect(server.logs().some((l) => l.msg === 'stopping' && l.signal === 'SIGINT')).toBe(true);
    } finally {
      await server.stop('SIGKILL', { group: true, graceMs: 2000 });
    }
  }, 180_000);
});
