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
import { collectProblems, type ConfigProblem } from '../http/errors';
import { upstashFromEnv } from '../platform/upstash-env';
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

const problem = (variable: keyof BulkEnv, message: string) => new BulkConfigError({ variable, message });

function httpUrl(name: keyof BulkEnv, raw: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw problem(name, `${name} is not a URL: '${raw}': use an http(s) URL such as ${example}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw problem(name, `${name} must be an http(s) URL such as ${example}, got '${raw}'`);
  return url;
}

function pair(env: BulkEnv, a: keyof BulkEnv, b: keyof BulkEnv): [string, string] | null {
  const x = value(env[a]);
  const y = value(env[b]);
  if (!x && !y) return null;
  if (!x || !y) throw problem(x ? b : a, `${x ? b : a} is missing while ${x ? a : b} is set: set both or neither`);
  return [x, y];
}

function parseWebhookSecret(raw: string | undefined): string | null {
  const secret = value(raw) ?? null;
  if (secret && secret.length < WEBHOOK_SECRET_MIN_CHARS) {
    // The length, never the secret.
    throw problem('WEBHOOK_SECRET', `WEBHOOK_SECRET must have at least ${WEBHOOK_SECRET_MIN_CHARS} characters, it has ${secret.length}: use 32 random bytes in hex (openssl rand -hex 32), or remove it to refuse callbackUrl`);
  }
  return secret;
}

function parsePublicBaseUrl(raw: string | undefined): string | null {
  const base = value(raw);
  if (!base) return null;
  const url = httpUrl('PUBLIC_BASE_URL', base, 'https://api.example.com');
  if (url.pathname !== '/' || url.search || url.hash) throw problem('PUBLIC_BASE_URL', `PUBLIC_BASE_URL must be an origin such as https://api.example.com (no path), got '${base}'`);
  return url.origin;
}

function parseAllowLoopback(env: BulkEnv): boolean {
  const raw = value(env.ALLOW_LOOPBACK_CALLBACKS);
  // Only true / false (any case), as REQUIRE_API_KEY: a `yes` must not be silently read as false.
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() !== 'true') throw problem('ALLOW_LOOPBACK_CALLBACKS', `ALLOW_LOOPBACK_CALLBACKS must be 'true' or 'false', got '${raw}'`);
  if (env.ENVIRONMENT === 'production') throw problem('ALLOW_LOOPBACK_CALLBACKS', 'ALLOW_LOOPBACK_CALLBACKS=true is for development and tests only, never production: remove it');
  return true;
}

/** Reads every variable before refusing, so that one BulkConfigError lists all the problems. */
function build(env: BulkEnv): BulkServices {
  const problems: ConfigProblem[] = [];
  const redis = collectProblems(problems, () => upstashFromEnv(env));
  const signingKeys = collectProblems(problems, () => pair(env, 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY'));
  const qstashToken = value(env.QSTASH_TOKEN);
  const qstashUrl = value(env.QSTASH_URL);
  if (qstashUrl) collectProblems(problems, () => httpUrl('QSTASH_URL', qstashUrl, 'https://qstash.upstash.io'));
  if (qstashToken && signingKeys === null) {
    problems.push({ variable: 'QSTASH_CURRENT_SIGNING_KEY', message: 'QSTASH_TOKEN is set without QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY, so deliveries could not be verified: set both signing keys (Upstash console, QStash) or remove QSTASH_TOKEN' });
  }
  if (qstashToken && redis === null) {
    problems.push({ variable: 'QSTASH_TOKEN', message: 'QSTASH_TOKEN is set without Upstash Redis: QStash delivers chunks to any isolate, so job state must live in Redis; set UPSTASH_REDIS_REST_URL and _TOKEN, or remove QSTASH_TOKEN' });
  }
  const webhookSecret = collectProblems(problems, () => parseWebhookSecret(env.WEBHOOK_SECRET));
  const publicBaseUrl = collectProblems(problems, () => parsePublicBaseUrl(env.PUBLIC_BASE_URL));
  const allowLoopbackCallbacks = collectProblems(problems, () => parseAllowLoopback(env));
  if (problems.length) throw new BulkConfigError(problems);

  return {
    store: redis ? new RedisJobStore({ url: redis.url, token: redis.token }) : new MemoryJobStore(),
    dispatcher: qstashToken ? new QStashDispatcher(qstashClient({ url: qstashUrl, token: qstashToken })) : new InlineDispatcher(),
    receiver: signingKeys ? new Receiver({ currentSigningKey: signingKeys[0], nextSigningKey: signingKeys[1], devMode: false }) : null,
    webhookSecret: webhookSecret ?? null,
    publicBaseUrl: publicBaseUrl ?? null,
    allowLoopbackCallbacks: allowLoopbackCallbacks ?? false,
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
