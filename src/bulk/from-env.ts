/**
 * The only place bulk jobs read configuration. One set of services per isolate
 * and configuration (memoised), so the memory store outlives a request.
 *
 *   Redis (UPSTASH_REDIS_REST_URL + _TOKEN)  → RedisJobStore, else MemoryJobStore
 *   QStash (QSTASH_TOKEN [+ QSTASH_URL])     → QStashDispatcher, else InlineDispatcher
 *
 * QStash without Redis is refused: deliveries land on any isolate, so state
 * kept in one isolate's memory would be split across many.
 */
import { Receiver } from '@upstash/qstash';
import type { Dispatcher } from './dispatcher';
import { BulkConfigError } from './errors';
import { InlineDispatcher } from './inline-dispatcher';
import type { JobStore } from './job-store';
import { MemoryJobStore } from './memory-job-store';
import { WEBHOOK_SECRET_MIN_CHARS } from './policy';
import { QStashDispatcher, qstashClient } from './qstash-dispatcher';
import { RedisJobStore } from './redis-job-store';

export interface BulkEnv {
  ENVIRONMENT?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  QSTASH_URL?: string;
  QSTASH_TOKEN?: string;
  QSTASH_CURRENT_SIGNING_KEY?: string;
  QSTASH_NEXT_SIGNING_KEY?: string;
  WEBHOOK_SECRET?: string;
  PUBLIC_BASE_URL?: string;
  ALLOW_LOOPBACK_CALLBACKS?: string;
}

export interface BulkServices {
  store: JobStore;
  dispatcher: Dispatcher;
  /** Verifies `Upstash-Signature`; null without signing keys (every delivery is then refused). */
  receiver: Receiver | null;
  webhookSecret: string | null;
  /** Origin for the URLs we hand out and publish to; null → the request's origin. */
  publicBaseUrl: string | null;
  allowLoopbackCallbacks: boolean;
}

const value = (raw: string | undefined) => raw?.trim() || undefined;

function httpUrl(name: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BulkConfigError(`${name} is not a URL: '${raw}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BulkConfigError(`${name} must be an http(s) URL, got '${raw}'`);
  return url;
}

function pair(env: BulkEnv, a: keyof BulkEnv, b: keyof BulkEnv): [string, string] | null {
  const x = value(env[a]);
  const y = value(env[b]);
  if (!x && !y) return null;
  if (!x || !y) throw new BulkConfigError(`${x ? b : a} is missing while ${x ? a : b} is set`);
  return [x, y];
}

function build(env: BulkEnv): BulkServices {
  const redis = pair(env, 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN');
  const signingKeys = pair(env, 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY');
  const qstashToken = value(env.QSTASH_TOKEN);
  const qstashUrl = value(env.QSTASH_URL);
  if (qstashUrl) httpUrl('QSTASH_URL', qstashUrl);
  if (qstashToken && !signingKeys) throw new BulkConfigError('QSTASH_TOKEN is set without QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY: deliveries could not be verified');
  if (qstashToken && !redis) throw new BulkConfigError('QSTASH_TOKEN is set without Upstash Redis: QStash delivers chunks to any isolate, so job state must live in Redis');

  const webhookSecret = value(env.WEBHOOK_SECRET) ?? null;
  if (webhookSecret && webhookSecret.length < WEBHOOK_SECRET_MIN_CHARS) {
    throw new BulkConfigError(`WEBHOOK_SECRET must have at least ${WEBHOOK_SECRET_MIN_CHARS} characters (use 32 random bytes in hex)`);
  }
  let publicBaseUrl: string | null = null;
  const base = value(env.PUBLIC_BASE_URL);
  if (base) {
    const url = httpUrl('PUBLIC_BASE_URL', base);
    if (url.pathname !== '/' || url.search || url.hash) throw new BulkConfigError(`PUBLIC_BASE_URL must be an origin such as https://api.example.com, got '${base}'`);
    publicBaseUrl = url.origin;
  }
  const allowLoopbackCallbacks = value(env.ALLOW_LOOPBACK_CALLBACKS) === 'true';
  if (allowLoopbackCallbacks && env.ENVIRONMENT === 'production') throw new BulkConfigError('ALLOW_LOOPBACK_CALLBACKS=true is for development and tests only, never production');

  return {
    store: redis ? new RedisJobStore({ url: redis[0], token: redis[1] }) : new MemoryJobStore(),
    dispatcher: qstashToken ? new QStashDispatcher(qstashClient({ url: qstashUrl, token: qstashToken })) : new InlineDispatcher(),
    receiver: signingKeys ? new Receiver({ currentSigningKey: signingKeys[0], nextSigningKey: signingKeys[1], devMode: false }) : null,
    webhookSecret,
    publicBaseUrl,
    allowLoopbackCallbacks,
  };
}

const instances = new Map<string, BulkServices>();

export function bulkFromEnv(env: BulkEnv): BulkServices {
  const keys: (keyof BulkEnv)[] = [
    'ENVIRONMENT', 'UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'QSTASH_URL', 'QSTASH_TOKEN',
    'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'WEBHOOK_SECRET', 'PUBLIC_BASE_URL', 'ALLOW_LOOPBACK_CALLBACKS',
  ];
  const memoKey = JSON.stringify(keys.map((k) => env[k] ?? null));
  let services = instances.get(memoKey);
  if (!services) {
    services = build(env);
    instances.set(memoKey, services);
  }
  return services;
}
