/**
 * Where keys live: Upstash Redis (created and revoked over the admin API) or
 * the API_KEYS secret (read-only). Both are found by the SHA-256 digest of the
 * key a caller sends; neither ever holds a key.
 *
 * Redis layout (README.md):
 *   ae:apikey:v1:digest:<sha256 hex>  HASH keyId name plan sha256 createdAt [revokedAt]
 *   ae:apikey:v1:ids                  HASH keyId → sha256 hex (listing, revoking)
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { writeLine } from '../obs/log';
import { KeyNotFoundError, KeyStoreReadOnlyError, KeyStoreUnavailableError, logText } from './errors';
import { constantTimeEqual, generateApiKey, generateKeyId, sha256Hex } from './keys';
import { isKeyPlanName, type KeyPlanName } from './plans';
import { findByDigest, listSummaries } from './secret-keys';
import { summaryOf, type KeyRecord, type KeySummary } from './types';

export const API_KEY_REDIS_PREFIX = 'ae:apikey:v1';
export const apiKeyRedisKeys = {
  digest: (sha256: string) => `${API_KEY_REDIS_PREFIX}:digest:${sha256}`,
  ids: `${API_KEY_REDIS_PREFIX}:ids`,
};

/**
 * How long an isolate trusts its copy of a key (valid or revoked) before
 * asking Redis again: the bound on how late a revocation made through another
 * isolate takes effect. The revoking isolate updates its copy at once.
 */
export const KEY_CACHE_TTL_SEC = 30;
/**
 * During a Redis outage a copy this recent still answers, so known callers
 * keep working through a blip; it is also how late a revocation can take
 * effect in an isolate that cannot reach Redis.
 */
export const KEY_CACHE_STALE_SEC = 300;
/** Bounds the copies of real keys an isolate keeps; the oldest go first. Unknown digests are never kept (see find). */
export const KEY_CACHE_MAX_ENTRIES = 10_000;

export interface CreatedKey {
  record: KeyRecord;
  /** The key itself: returned once, never stored. */
  key: string;
}

export interface KeyStore {
  readonly kind: 'redis' | 'secret';
  /** The record whose digest is `sha256`, revoked or not; null when there is none. */
  find(sha256: string): Promise<KeyRecord | null>;
  list(): Promise<KeySummary[]>;
  create(input: { name: string; plan: KeyPlanName }): Promise<CreatedKey>;
  /** Idempotent: revoking twice keeps the first revokedAt. */
  revoke(keyId: string): Promise<KeyRecord>;
}

export class SecretKeyStore implements KeyStore {
  readonly kind = 'secret';
  constructor(private readonly records: readonly KeyRecord[]) {}

  async find(sha256: string): Promise<KeyRecord | null> {
    return findByDigest(this.records, sha256);
  }

  async list(): Promise<KeySummary[]> {
    return listSummaries(this.records);
  }

  async create(): Promise<CreatedKey> {
    throw new KeyStoreReadOnlyError();
  }

  async revoke(): Promise<KeyRecord> {
    throw new KeyStoreReadOnlyError();
  }
}

/** A hash reply (a flat [field, value, …] list with automaticDeserialization off) as an object. */
function fieldsOf(reply: unknown): Record<string, string> {
  if (Array.isArray(reply)) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return fields;
  }
  if (reply && typeof reply === 'object') return Object.fromEntries(Object.entries(reply).map(([k, v]) => [k, String(v)]));
  return {};
}

function recordOf(fields: Record<string, string>): KeyRecord | null {
  const { keyId, name, plan, sha256, createdAt, revokedAt } = fields;
  if (!keyId || !sha256 || !createdAt || name === undefined || !plan || !isKeyPlanName(plan)) return null;
  return { keyId, name, plan, sha256, createdAt, revokedAt: revokedAt || null };
}

function fieldsFor(record: KeyRecord): Record<string, string> {
  const { revokedAt, ...fields } = record;
  return revokedAt ? { ...fields, revokedAt } : fields;
}


interface CachedKey {
  record: KeyRecord;
  fetchedAtMs: number;
}

export class RedisKeyStore implements KeyStore {
  readonly kind = 'redis';
  /** digest → the last record Redis gave; insertion order is age order (entries are re-inserted on refresh). */
  private readonly cache = new Map<string, CachedKey>();

  /** `client` from createUpstashRedis (src/platform/upstash-redis.ts): no retries, raw replies, a timeout per call. */
  constructor(private readonly client: Redis) {}

  async find(sha256: string): Promise<KeyRecord | null> {
    const nowMs = Date.now();
    const cached = this.cache.get(sha256);
    if (cached && nowMs - cached.fetchedAtMs < KEY_CACHE_TTL_SEC * 1000) return cached.record;
    let record: KeyRecord | null;
    try {
      record = recordOf(fieldsOf(await this.client.hgetall(apiKeyRedisKeys.digest(sha256))));
    } catch (err) {
      const usable = cached && nowMs - cached.fetchedAtMs < KEY_CACHE_STALE_SEC * 1000;
      writeLine('warn', 'key_store_unavailable', { error: logText(err), servedFromCopy: Boolean(usable) });
      if (usable) return cached.record;
      throw new KeyStoreUnavailableError({ cause: err });
    }
    // The digest is the Redis key already; comparing the stored copy keeps a corrupt entry from matching.
    if (record && !constantTimeEqual(record.sha256, sha256)) record = null;
    // Misses are not kept: random guesses never repeat, so a copy of one would never save a lookup,
    // while a flood of them would push out the copies that keep real keys working through an outage.
    // Repeated misses from one address are bounded by the failed-authentication limit instead.
    if (record) this.remember(sha256, record, nowMs);
    else this.cache.delete(sha256);
    return record;
  }

  async list(): Promise<KeySummary[]> {
    const ids = fieldsOf(await this.call('list keys', () => this.client.hgetall(apiKeyRedisKeys.ids)));
    const digests = Object.values(ids);
    if (digests.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const digest of digests) pipeline.hgetall(apiKeyRedisKeys.digest(digest));
    const replies = await this.call('list keys', () => pipeline.exec());
    return replies
      .map((reply) => recordOf(fieldsOf(reply)))
      .filter((record): record is KeyRecord => record !== null)
      .map(summaryOf)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  async create(input: { name: string; plan: KeyPlanName }): Promise<CreatedKey> {
    const key = generateApiKey();
    const record: KeyRecord = { keyId: generateKeyId(), name: input.name, plan: input.plan, sha256: await sha256Hex(key), createdAt: new Date().toISOString(), revokedAt: null };
    // One transaction: a listed key always resolves, and a resolvable key is always listed.
    const tx = this.client.multi();
    tx.hset(apiKeyRedisKeys.digest(record.sha256), fieldsFor(record));
    tx.hset(apiKeyRedisKeys.ids, { [record.keyId]: record.sha256 });
    await this.call('create key', () => tx.exec());
    this.remember(record.sha256, record, Date.now());
    return { record, key };
  }

  async revoke(keyId: string): Promise<KeyRecord> {
    const digest = await this.call('revoke key', () => this.client.hget<string>(apiKeyRedisKeys.ids, keyId));
    if (!digest) throw new KeyNotFoundError(keyId);
    const tx = this.client.multi();
    tx.hsetnx(apiKeyRedisKeys.digest(String(digest)), 'revokedAt', new Date().toISOString());
    tx.hgetall(apiKeyRedisKeys.digest(String(digest)));
    const [, reply] = await this.call('revoke key', () => tx.exec());
    const record = recordOf(fieldsOf(reply));
    if (!record) throw new KeyNotFoundError(keyId);
    // This isolate refuses the key from the next request on; others within KEY_CACHE_TTL_SEC.
    this.remember(record.sha256, record, Date.now());
    return record;
  }

  private remember(sha256: string, record: KeyRecord, fetchedAtMs: number): void {
    this.cache.delete(sha256);
    this.cache.set(sha256, { record, fetchedAtMs });
    if (this.cache.size > KEY_CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** Admin operations have no stale copy to fall back on: an outage is a 503 the operator can retry. */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      writeLine('warn', 'key_store_unavailable', { operation, error: logText(err) });
      throw new KeyStoreUnavailableError({ cause: err });
    }
  }
}
