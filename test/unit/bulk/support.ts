/** Helpers for the bulk tests: the app over the Node engine, polling, and a QStash-style signature. */
import { createApp } from '../../../src/app';
import { nodeEngine } from '../../support/node-engine';

export const CHENNAI = { datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata', latitude: 13.0878, longitude: 80.2785 };

let app: ReturnType<typeof createApp> | undefined;
export function testApp() {
  app ??= createApp({ engine: nodeEngine() });
  return app;
}

/** What wrangler.toml's [vars] gives `npm start`: no anonymous throttling from one local address. */
const DEV_VARS = { RATE_LIMITS: '{"anonymous":{"requests":1000000,"windowSec":60}}' };

export function post(path: string, body: unknown, env: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return testApp().request(
    `https://api.test${path}`,
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) },
    { ...DEV_VARS, ...env },
  );
}

export function get(path: string, env: Record<string, string> = {}) {
  return testApp().request(`https://api.test${path}`, {}, { ...DEV_VARS, ...env });
}

/** Polls the job until it leaves queued/running (inline work runs detached in Node). */
export async function waitForJob(jobId: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body: any = await (await get(`/v1/bulk/${jobId}`, env)).json();
    if (!['queued', 'running'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** An `Upstash-Signature` as QStash makes it: HS256 JWT with iss Upstash, sub = URL, body = base64url(sha256(body)). */
export async function qstashSignature(signingKey: string, url: string, body: string, nowSec = Math.floor(Date.now() / 1000)): Promise<string> {
  const enc = new TextEncoder();
  const bodyHash = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(body))));
  const header = b64url(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = b64url(enc.encode(JSON.stringify({ iss: 'Upstash', sub: url, exp: nowSec + 300, nbf: nowSec, iat: nowSec, jti: crypto.randomUUID(), body: bodyHash })));
  const key = await crypto.subtle.importKey('raw', enc.encode(signingKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`${header}.${payload}`)));
  return `${header}.${payload}.${b64url(mac)}`;
}
