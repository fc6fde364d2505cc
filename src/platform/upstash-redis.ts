/**
 * The one place our @upstash/redis client settings live; the cache tier and the
 * bulk job store both need exactly these (see README, development notes):
 * - no retries: a failing Redis must not multiply a request's latency;
 * - no auto-pipelining: it would batch commands of concurrent requests into one
 *   fetch, and workerd forbids sharing I/O across requests;
 * - no automatic deserialisation: a stored "123" must come back as the string;
 * - the timeout as a signal *factory*: an already-aborted signal makes the
 *   client return the string "Aborted" as if it were the value.
 */
import { Redis } from '@upstash/redis/cloudflare';

export interface UpstashRedisConfig {
  url: string;
  token: string;
  /** Bound on every call, milliseconds. */
  timeoutMs: number;
}

/** A Redis call's result where failures are reported, not thrown. */
export type Outcome<T> = { ok: true; value: T } | { ok: false };

/** Throws (from the client) when the URL or token is unusable; callers wrap it in their config error. */
export function createUpstashRedis(config: UpstashRedisConfig): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    retry: { retries: 0 },
    enableAutoPipelining: false,
    automaticDeserialization: false,
    enableTelemetry: false,
    signal: () => AbortSignal.timeout(config.timeoutMs),
  });
}

/** HGETALL without deserialization is a flat [field, value, …] array; with it, an object. Accept both. */
export function hashFromReply(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = String(raw[i + 1]);
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) out[k] = String(v);
  }
  return out;
}

/** Longest Redis error text kept for logs and /health. */
const MAX_REDIS_ERROR_CHARS = 300;

/**
 * A Redis failure as text fit for logs and /health: the client appends
 * `, command was: [...]` with the whole command, payload included (a cached
 * chart carries birth data), so that part is dropped; undici hides the real
 * reason (ECONNREFUSED, bad port…) in `cause`, so that part is added.
 */
export function redisErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err).split(', command was:')[0].slice(0, MAX_REDIS_ERROR_CHARS);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.name}: ${err.message.split(', command was:')[0]}${cause}`.slice(0, MAX_REDIS_ERROR_CHARS);
}
