/**
 * The completion webhook's signature, Stripe-style:
 *
 *   X-Astro-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<t>.<raw body>")>
 *
 * The timestamp is signed with the body, so a receiver that rejects old
 * timestamps (WEBHOOK_TOLERANCE_SEC) also rejects replays of a captured call.
 * Pure Web Crypto: the same code runs in workerd and Node.
 */
import { WEBHOOK_TOLERANCE_SEC } from './policy';

export const WEBHOOK_SIGNATURE_HEADER = 'X-Astro-Signature';

async function hmacHex(secret: string, message: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(message));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The header value for `body` (the exact bytes sent) signed at `timestampSec`. */
export async function signWebhook(secret: string, body: string, timestampSec: number): Promise<string> {
  const t = Math.floor(timestampSec);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

export type WebhookVerdict = { ok: true; timestampSec: number } | { ok: false; reason: 'malformed' | 'bad_signature' | 'too_old' | 'in_future' };

/**
 * What a receiver does (also in README.md): parse `t` and every `v1`, recompute
 * the HMAC over the raw body, compare in constant time, and refuse timestamps
 * more than `toleranceSec` from now.
 */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowSec: number,
  toleranceSec = WEBHOOK_TOLERANCE_SEC,
): Promise<WebhookVerdict> {
  const parts = (header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v);
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestampSec = Number(t);
  const expected = await hmacHex(secret, `${t}.${body}`);
  if (!signatures.some((s) => sameText(s, expected))) return { ok: false, reason: 'bad_signature' };
  if (nowSec - timestampSec > toleranceSec) return { ok: false, reason: 'too_old' };
  if (timestampSec - nowSec > toleranceSec) return { ok: false, reason: 'in_future' };
  return { ok: true, timestampSec };
}

/** Constant time for equal lengths (hex digests always are). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
