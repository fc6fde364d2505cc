import { describe, expect, it } from 'vitest';
import { AccessConfigError } from '../../../src/access/errors';
import { SecretKeyStore } from '../../../src/access/key-store';
import { generateApiKey, generateKeyId, sha256Hex } from '../../../src/access/keys';
import { findByDigest, parseApiKeys } from '../../../src/access/secret-keys';

async function entry(overrides: Record<string, unknown> = {}) {
  const key = generateApiKey();
  return { key, entry: { keyId: generateKeyId(), name: 'acme', plan: 'pro', sha256: await sha256Hex(key), createdAt: '2026-01-01T00:00:00.000Z', ...overrides } };
}

describe('API_KEYS', () => {
  it('unset or blank: no keys', () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys(' ')).toEqual([]);
  });

  it('parses entries; revokedAt defaults to null; finds a key by its digest only', async () => {
    const a = await entry();
    const b = await entry({ plan: 'free', revokedAt: '2026-02-01T00:00:00.000Z' });
    const records = parseApiKeys(JSON.stringify([a.entry, b.entry]));
    expect(records.map((r) => [r.keyId, r.revokedAt])).toEqual([
      [a.entry.keyId, null],
      [b.entry.keyId, '2026-02-01T00:00:00.000Z'],
    ]);
    expect(findByDigest(records, await sha256Hex(a.key))?.keyId).toBe(a.entry.keyId);
    expect(findByDigest(records, await sha256Hex(b.key))?.plan).toBe('free');
    expect(findByDigest(records, await sha256Hex(generateApiKey()))).toBeNull();
    expect(findByDigest(records, a.entry.sha256.toUpperCase())).toBeNull();
  });

  it('the store lists without digests and refuses writes as read-only', async () => {
    const a = await entry();
    const store = new SecretKeyStore(parseApiKeys(JSON.stringify([a.entry])));
    const listed = await store.list();
    expect(listed).toEqual([{ keyId: a.entry.keyId, name: 'acme', plan: 'pro', createdAt: a.entry.createdAt, revokedAt: null }]);
    await expect(store.create()).rejects.toMatchObject({ status: 409, code: 'key_store_read_only' });
    await expect(store.revoke()).rejects.toMatchObject({ status: 409, code: 'key_store_read_only' });
  });

  it.each([
    ['not JSON', async () => '[{'],
    ['not a list', async () => JSON.stringify((await entry()).entry)],
    ['anonymous plan', async () => JSON.stringify([(await entry({ plan: 'anonymous' })).entry])],
    ['bad digest', async () => JSON.stringify([(await entry({ sha256: 'abc' })).entry])],
    ['bad keyId', async () => JSON.stringify([(await entry({ keyId: 'acme' })).entry])],
    ['the key itself as a field', async () => { const e = await entry(); return JSON.stringify([{ ...e.entry, key: e.key }]); }],
    ['duplicate keyId', async () => { const e = await entry(); const f = await entry({ keyId: e.entry.keyId }); return JSON.stringify([e.entry, f.entry]); }],
    ['duplicate digest', async () => { const e = await entry(); const f = await entry({ sha256: e.entry.sha256 }); return JSON.stringify([e.entry, f.entry]); }],
  ])('%s: AccessConfigError that never echoes the secret', async (_name, make) => {
    const raw = await make();
    let error: unknown;
    try {
      parseApiKeys(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AccessConfigError);
    expect((error as Error).message).not.toMatch(/ae_live_/);
  });
});
