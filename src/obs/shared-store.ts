/**
 * What isolates share through Upstash Redis: the metrics hash and the run-time
 * log level. One round trip (`sync`) both adds an isolate's pending metrics and
 * reads the level back, so keeping both fresh costs one command per isolate per
 * flush interval. Failures never throw: they return `ok: false` and are kept
 * for /health and /metrics.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { createUpstashRedis, hashFromReply, redisErrorText, type UpstashRedisConfig } from '../platform/upstash-redis';
import { isLogLevel, type LogLevel } from './log';
import { sampleFromFields, type Sample } from './metrics';

export const METRICS_KEY = 'ae:metrics';
export const LOG_LEVEL_KEY = 'ae:log:level';

/** A level set at run time, until `expiresAt`. */
export interface RuntimeLevel {
  level: LogLevel;
  setAt: string;
  expiresAt: string;
}

/** Adds ARGV's field/increment pairs to the metrics hash, then returns the shared level (or nil). */
const SYNC_LUA = "for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end return redis.call('GET', KEYS[2])";

export function parseRuntimeLevel(raw: unknown): RuntimeLevel | null {
  if (typeof raw !== 'string') return null;
  try {
    const value = JSON.parse(raw) as Partial<RuntimeLevel>;
    if (!isLogLevel(value.level) || typeof value.setAt !== 'string' || typeof value.expiresAt !== 'string') return null;
    return { level: value.level, setAt: value.setAt, expiresAt: value.expiresAt };
  } catch {
    return null;
  }
}

export type Outcome<T> = { ok: true; value: T } | { ok: false };

export class ObsRedisStore {
  private readonly redis: Redis;
  lastError?: string;
  lastErrorAt?: string;

  constructor(config: UpstashRedisConfig) {
    this.redis = createUpstashRedis(config);
  }

  /** Adds `batch` (may be empty) and reads the shared level in one command. */
  sync(batch: Sample | null): Promise<Outcome<RuntimeLevel | null>> {
    const args: string[] = [];
    for (const [field, n] of batch ?? []) if (n !== 0) args.push(field, String(n));
    return this.call(async (r) => parseRuntimeLevel(await r.eval(SYNC_LUA, [METRICS_KEY, LOG_LEVEL_KEY], args)));
  }

  readMetrics(): Promise<Outcome<Sample>> {
    return this.call(async (r) => sampleFromFields(hashFromReply(await r.hgetall(METRICS_KEY))));
  }

  readLevel(): Promise<Outcome<RuntimeLevel | null>> {
    return this.call(async (r) => parseRuntimeLevel(await r.get(LOG_LEVEL_KEY)));
  }

  /** Sets the shared level for `ttlSec`, or removes it (null) so every isolate returns to LOG_LEVEL. */
  writeLevel(level: RuntimeLevel | null, ttlSec: number): Promise<Outcome<void>> {
    return this.call(async (r) => {
      if (level) await r.set(LOG_LEVEL_KEY, JSON.stringify(level), { ex: ttlSec });
      else await r.del(LOG_LEVEL_KEY);
    });
  }

  private async call<T>(run: (r: Redis) => Promise<T>): Promise<Outcome<T>> {
    try {
      return { ok: true, value: await run(this.redis) };
    } catch (err) {
      this.lastError = redisErrorText(err);
      this.lastErrorAt = new Date().toISOString();
      return { ok: false };
    }
  }
}
