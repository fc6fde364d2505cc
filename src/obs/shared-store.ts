/**
 * What isolates share through Upstash Redis: the metrics hash and the run-time
 * log level. One round trip (`sync`) both adds an isolate's pending metrics and
 * reads the level back, so keeping both fresh costs one command per isolate per
 * flush interval. Failures never throw: they return `ok: false` and are kept
 * for /health and /metrics.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { createUpstashRedis, hashFromReply, redisErrorText, type Outcome, type UpstashRedisConfig } from '../platform/upstash-redis';
import { isLogLevel, type LogLevel } from './log';
import { sampleFromFields, type Batch, type Sample } from './metrics';

export const METRICS_KEY = 'ae:metrics';
export const LOG_LEVEL_KEY = 'ae:log:level';
const batchKey = (id: string) => `ae:metrics:batch:${id}`;

/** A level set at run time, until `expiresAt`. */
export interface RuntimeLevel {
  level: LogLevel;
  setAt: string;
  expiresAt: string;
}

/** A batch id is remembered this long: far beyond any retry of it. */
const BATCH_MARK_TTL_SEC = 24 * 3600;

/**
 * Adds ARGV[2..]'s field/increment pairs to the metrics hash once per batch id
 * (the marker key KEYS[3], set NX, makes a retry of an applied batch a no-op),
 * then returns the shared level (or nil). ARGV[1]: the marker's TTL.
 */
const SYNC_LUA = `if #ARGV > 1 and redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[1]) then
  for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return redis.call('GET', KEYS[2])`;

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


export class ObsRedisStore {
  private readonly redis: Redis;
  lastError?: string;
  lastErrorAt?: string;

  constructor(config: UpstashRedisConfig) {
    this.redis = createUpstashRedis(config);
  }

  /** Adds `batch` (once per id; may be null) and reads the shared level, in one command. */
  sync(batch: Batch | null): Promise<Outcome<RuntimeLevel | null>> {
    const args: string[] = [String(BATCH_MARK_TTL_SEC)];
    for (const [field, n] of batch?.sample ?? []) if (n !== 0) args.push(field, String(n));
    const keys = [METRICS_KEY, LOG_LEVEL_KEY, batchKey(batch?.id ?? 'none')];
    return this.call(async (r) => parseRuntimeLevel(await r.eval(SYNC_LUA, keys, args)));
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
