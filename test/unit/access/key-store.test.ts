/**
 * RedisKeyStore's in-isolate copies, on a fake client: copies of real keys
 * answer for KEY_CACHE_TTL_SEC and through an outage; unknown digests are
 * never kept, so a flood of random keys cannot push real keys' copies out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEY_CACHE_MAX_ENTRIES, RedisKeyStore, apiKeyRedisKeys } from '../../../src/access/key-store';

const digest = (n: number) => n.toString(16).padStart(64, '0');
const REAL = 'f'.repeat(64);
const RECORD = { keyId: 'key_000000000001', name: 'real', plan: 'pro', sha256: REAL, createdAt: '2026-01-01T00:00:00.000Z' };

function fakeClient() {
  const client = {
    down: false,
    lookups: [] as string[],
    async hgetall(key: string) {
      client.lookups.push(key);
      if (client.down) throw new Error('connection refused');
      return key === apiKeyRedisKeys.digest(REAL) ? Object.entries(RECORD).flat() : [];
    },
  };
  return client;
}

describe('RedisKeyStore copies', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a flood of unknown digests neither evicts a real key nor is kept itself', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const client = fakeClient();
    const store = new RedisKeyStore(client as never);
    expect((await store.find(REAL))?.keyId).toBe(RECORD.keyId);
    for (let i = 1; i <= KEY_CACHE_MAX_ENTRIES + 10; i++) expect(await store.find(digest(i))).toBeNull();

    // The real key still answers from its copy, without Redis.
    const before = client.lookups.length;
    expect((await store.find(REAL))?.keyId).toBe(RECORD.keyId);
    expect(client.lookups.length).toBe(before);

    // An unknown digest is asked again (no copy), and through an outage the real key keeps working.
    expect(await store.find(digest(1))).toBeNull();
    expect(client.lookups.length).toBe(before + 1);
    client.down = true;
    expect((await store.find(REAL))?.keyId).toBe(RECORD.keyId);
    await expect(store.find(digest(2))).rejects.toMatchObject({ code: 'key_store_unavailable' });
  });
});
