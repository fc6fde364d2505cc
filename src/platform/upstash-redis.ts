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
