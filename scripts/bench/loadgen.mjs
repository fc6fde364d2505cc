/**
 * Closed-loop HTTP load generator: `concurrency` workers, each sending its
 * next request as soon as the previous response body has been read, over
 * keep-alive connections (node:http, one socket per worker).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Sends one POST; resolves { status, bytes, headers, body } (body kept only for non-200), or { error }. */
export function send(agent, port, path, payload) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks = [];
        let bytes = 0;
        res.on('data', (c) => {
          bytes += c.length;
          if (res.statusCode !== 200) chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode, bytes, headers: res.headers, body: chunks.length ? Buffer.concat(chunks).toString() : '' }));
        res.on('error', (err) => resolve({ error: err.message }));
      },
    );
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(payload);
  });
}

/**
 * Runs for `durationMs`; `makeBody(i)` gives the JSON text of request number i
 * (numbering continues across calls via `counter`). Returns latencies (ms) of
 * the requests that completed, failures, and the elapsed time until the last
 * in-flight request finished.
 */
export async function closedLoop({ port, path, concurrency, durationMs, makeBody, counter, agent }) {
  const latenciesMs = [];
  const failures = [];
  let ok = 0;
  let responseBytes = 0;
  const start = performance.now();
  const end = start + durationMs;
  async function worker() {
    while (performance.now() < end) {
      const i = counter.next++;
      const payload = makeBody(i);
      const t0 = performance.now();
      const r = await send(agent, port, path, payload);
      latenciesMs.push(performance.now() - t0);
      if (r.status === 200) {
        ok++;
        responseBytes += r.bytes;
      } else {
        failures.push({ i, request: payload, status: r.status ?? null, error: r.error, body: r.body?.slice(0, 500) });
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latenciesMs, ok, failures, responseBytes, elapsedMs: performance.now() - start };
}

export function keepAliveAgent(concurrency) {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}
