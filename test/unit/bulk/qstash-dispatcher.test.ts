/**
 * What the QStash dispatcher sends, on the wire of the real @upstash/qstash
 * client (fetch stubbed): batch publish of chunks with deduplication ids, and
 * the webhook with X-Astro-Signature forwarded. And the bulk configuration rules.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunkMessages } from '../../../src/bulk/create-job';
import { BulkConfigError } from '../../../src/bulk/errors';
import { bulkFromEnv } from '../../../src/bulk/from-env';
import { QSTASH_BATCH_MAX_MESSAGES, WEBHOOK_RETRIES, WEBHOOK_RETRY_DELAY_EXPR } from '../../../src/bulk/policy';
import { QStashDispatcher, qstashClient } from '../../../src/bulk/qstash-dispatcher';
import type { QueuedItem } from '../../../src/bulk/types';
import { CHENNAI } from './support';

interface Sent {
  url: string;
  headers: Headers;
  body: string;
}

function stubQStash(status = 200): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    sent.push({ url, headers: new Headers(init?.headers), body: String(init?.body ?? '') });
    const reply = url.endsWith('/v2/batch') ? JSON.parse(String(init?.body)).map((_: unknown, i: number) => ({ messageId: `m${i}` })) : { messageId: 'm' };
    return new Response(JSON.stringify(status === 200 ? reply : { error: 'nope' }), { status, headers: { 'content-type': 'application/json' } });
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

const target = {
  chunkUrl: 'https://api.test/internal/bulk/chunk',
  abandonedUrl: 'https://api.test/internal/bulk/abandoned',
  runChunk: async () => undefined,
  abandonChunk: async () => undefined,
  waitUntil: { waitUntil: () => undefined },
};
const items = (n: number): QueuedItem[] => Array.from({ length: n }, (_, index) => ({ index, id: `i${index}`, type: 'natal', input: CHENNAI }));

describe('QStashDispatcher', () => {
  it('batch-publishes every chunk to the internal route, with a deduplication id each', async () => {
    const sent = stubQStash();
    const dispatcher = new QStashDispatcher(qstashClient({ url: 'http://qstash.test', token: 'tok' }));
    const messages = chunkMessages('job1', items(260), 2); // 130 chunks → two batch calls
    await dispatcher.dispatchChunks(messages, target);
    expect(sent.map((s) => s.url)).toEqual(['http://qstash.test/v2/batch', 'http://qstash.test/v2/batch']);
    expect(sent[0].headers.get('authorization')).toBe('Bearer tok');
    const batch = [...JSON.parse(sent[0].body), ...JSON.parse(sent[1].body)];
    expect(JSON.parse(sent[0].body)).toHaveLength(QSTASH_BATCH_MAX_MESSAGES);
    expect(batch).toHaveLength(130);
    expect(batch[7]).toMatchObject({
      destination: 'https://api.test/internal/bulk/chunk',
      headers: {
        'content-type': 'application/json',
        'upstash-deduplication-id': 'bulk-job1-chunk-7',
        'upstash-method': 'POST',
        'upstash-failure-callback': 'https://api.test/internal/bulk/abandoned',
      },
    });
    expect(JSON.parse(batch[7].body)).toEqual(messages[7]);
  });

  it('throws when QStash refuses the batch', async () => {
    stubQStash(500);
    const dispatcher = new QStashDispatcher(qstashClient({ url: 'http://qstash.test', token: 'tok' }));
    await expect(dispatcher.dispatchChunks(chunkMessages('job2', items(3)), target)).rejects.toThrow();
  });

  it('publishes the webhook to the callback with the signature forwarded and quick retries', async () => {
    const sent = stubQStash();
    const dispatcher = new QStashDispatcher(qstashClient({ url: 'http://qstash.test', token: 'tok' }));
    await dispatcher.deliverWebhook({ jobId: 'job3', event: 'completed', callbackUrl: 'https://example.com/hook', body: '{"jobId":"job3"}', signature: 't=1,v1=ab' });
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe('http://qstash.test/v2/publish/https://example.com/hook');
    expect(sent[0].body).toBe('{"jobId":"job3"}');
    expect(Object.fromEntries([...sent[0].headers].filter(([k]) => k.startsWith('upstash-') || k === 'content-type'))).toEqual({
      'content-type': 'application/json',
      'upstash-forward-x-astro-signature': 't=1,v1=ab',
      'upstash-deduplication-id': 'bulk-job3-webhook',
      'upstash-method': 'POST',
      'upstash-retries': String(WEBHOOK_RETRIES),
      'upstash-retry-delay': WEBHOOK_RETRY_DELAY_EXPR,
    });
  });

  it('a job_lost webhook has its own deduplication id; extra headers are forwarded; QStash reports a webhook it gave up on', async () => {
    const sent = stubQStash();
    const dispatcher = new QStashDispatcher(qstashClient({ url: 'http://qstash.test', token: 'tok' }));
    await dispatcher.deliverWebhook({
      jobId: 'job4',
      event: 'job_lost',
      callbackUrl: 'https://example.com/hook',
      body: '{}',
      signature: 't=1,v1=ab',
      headers: { 'X-Webhook-Signature': 't=1,v1=cd' },
      failureCallbackUrl: 'https://api.test/internal/bulk/webhook-failed',
    });
    const headers = Object.fromEntries([...sent[0].headers]);
    expect(headers).toMatchObject({
      'upstash-deduplication-id': 'bulk-job4-job_lost',
      'upstash-forward-x-astro-signature': 't=1,v1=ab',
      'upstash-forward-x-webhook-signature': 't=1,v1=cd',
      'upstash-failure-callback': 'https://api.test/internal/bulk/webhook-failed',
    });
  });
});

describe('bulkFromEnv', () => {
  const redis = { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 't' };
  const keys = { QSTASH_CURRENT_SIGNING_KEY: 'a', QSTASH_NEXT_SIGNING_KEY: 'b' };

  it('chooses memory + inline without configuration, Redis + QStash with it', () => {
    expect(bulkFromEnv({})).toMatchObject({ store: { kind: 'memory' }, dispatcher: { kind: 'inline' }, receiver: null, webhookSecret: null, publicBaseUrl: null });
    const full = bulkFromEnv({ ...redis, ...keys, QSTASH_TOKEN: 'q', QSTASH_URL: 'http://127.0.0.1:8080', PUBLIC_BASE_URL: 'https://api.example.com/' });
    expect(full).toMatchObject({ store: { kind: 'redis' }, dispatcher: { kind: 'qstash' }, publicBaseUrl: 'https://api.example.com' });
    expect(full.receiver).not.toBeNull();
    expect(bulkFromEnv({ ...redis, ...keys, QSTASH_TOKEN: 'q' })).not.toBe(full);
  });

  it.each([
    [{ QSTASH_TOKEN: 'q', ...keys }, /without Upstash Redis/],
    [{ QSTASH_TOKEN: 'q', ...redis }, /without QSTASH_CURRENT_SIGNING_KEY/],
    [{ QSTASH_CURRENT_SIGNING_KEY: 'a' }, /QSTASH_NEXT_SIGNING_KEY is missing/],
    [{ UPSTASH_REDIS_REST_URL: 'http://x' }, /UPSTASH_REDIS_REST_TOKEN is missing/],
    [{ WEBHOOK_SECRET: 'short' }, /at least 16/],
    [{ PUBLIC_BASE_URL: 'https://api.example.com/v1' }, /must be an origin/],
    [{ PUBLIC_BASE_URL: 'api.example.com' }, /not a URL/],
    [{ ALLOW_LOOPBACK_CALLBACKS: 'true', ENVIRONMENT: 'production' }, /never production/],
  ])('refuses %j', (env, message) => {
    expect(() => bulkFromEnv(env)).toThrow(BulkConfigError);
    expect(() => bulkFromEnv(env)).toThrow(message);
  });
});
