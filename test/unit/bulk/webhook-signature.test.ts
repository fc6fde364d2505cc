/** X-Astro-Signature: sign then verify; a changed body, another secret, an old or future timestamp all fail. */
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../src/bulk/webhook-signature';
import { WEBHOOK_TOLERANCE_SEC } from '../../../src/bulk/policy';

const SECRET = 'whsec-test-0123456789abcdef';
const BODY = JSON.stringify({ jobId: 'j', status: 'completed', total: 2, succeeded: 2, failed: 0, resultsUrl: 'https://api.test/v1/bulk/j/results' });
const T_SEC = 1_795_000_000;

describe('webhook signature', () => {
  it('has the documented shape and value: t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">', async () => {
    const header = await signWebhook(SECRET, 'hello', T_SEC + 0.9);
    expect(header).toMatch(/^t=1795000000,v1=[0-9a-f]{64}$/);
    // Independent computation with node:crypto.
    const { createHmac } = await import('node:crypto');
    expect(header.split('v1=')[1]).toBe(createHmac('sha256', SECRET).update(`${T_SEC}.hello`).digest('hex'));
  });

  it('verifies what it signed, within the tolerance', async () => {
    const header = await signWebhook(SECRET, BODY, T_SEC);
    expect(await verifyWebhookSignature(SECRET, header, BODY, T_SEC + WEBHOOK_TOLERANCE_SEC)).toEqual({ ok: true, timestampSec: T_SEC });
  });

  it('refuses a tampered body, another secret, a tampered timestamp and a malformed header', async () => {
    const header = await signWebhook(SECRET, BODY, T_SEC);
    const tampered = BODY.replace('"failed":0', '"failed":1');
    expect(await verifyWebhookSignature(SECRET, header, tampered, T_SEC)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyWebhookSignature('another-secret-0123456789', header, BODY, T_SEC)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await verifyWebhookSignature(SECRET, header.replace(`t=${T_SEC}`, `t=${T_SEC + 60}`), BODY, T_SEC)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const bad of [undefined, '', 'v1=abc', `t=${T_SEC}`, `t=soon,v1=${'0'.repeat(64)}`]) {
      expect(await verifyWebhookSignature(SECRET, bad, BODY, T_SEC)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a replay after the tolerance, and a timestamp from the future', async () => {
    const header = await signWebhook(SECRET, BODY, T_SEC);
    expect(await verifyWebhookSignature(SECRET, header, BODY, T_SEC + WEBHOOK_TOLERANCE_SEC + 1)).toEqual({ ok: false, reason: 'too_old' });
    expect(await verifyWebhookSignature(SECRET, header, BODY, T_SEC - WEBHOOK_TOLERANCE_SEC - 1)).toEqual({ ok: false, reason: 'in_future' });
  });

  it('accepts any matching v1 among several (secret rotation)', async () => {
    const header = await signWebhook(SECRET, BODY, T_SEC);
    const rotated = `${header.split(',')[0]},v1=${'0'.repeat(64)},${header.split(',')[1]}`;
    expect((await verifyWebhookSignature(SECRET, rotated, BODY, T_SEC)).ok).toBe(true);
  });
});
