import { describe, expect, it } from 'vitest';
import {
  API_KEY_PATTERN,
  KEY_ID_PATTERN,
  constantTimeEqual,
  credentialOf,
  generateApiKey,
  generateKeyId,
  isApiKeyFormat,
  randomBase62,
  sha256Hex,
} from '../../../src/access/keys';

describe('key material', () => {
  it('keys and ids have the documented format and do not repeat', () => {
    const keys = new Set(Array.from({ length: 500 }, generateApiKey));
    expect(keys.size).toBe(500);
    for (const key of keys) expect(key).toMatch(API_KEY_PATTERN);
    for (let i = 0; i < 100; i++) expect(generateKeyId()).toMatch(KEY_ID_PATTERN);
    expect(isApiKeyFormat('ae_live_short')).toBe(false);
    expect(isApiKeyFormat(`${generateApiKey()} `)).toBe(false);
  });

  it('base62 uses every character, none overwhelmingly', () => {
    const counts = new Map<string, number>();
    for (const ch of randomBase62(62 * 400)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 400 expected each; a 4.5-sigma band (σ ≈ 20) is wide enough never to flake.
    for (const n of counts.values()) expect(Math.abs(n - 400)).toBeLessThan(90);
  });

  it('sha256Hex is SHA-256 in lower-case hex', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('constantTimeEqual', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('credentialOf', () => {
  const key = generateApiKey();
  it.each([
    [{}, { kind: 'none' }],
    [{ authorization: '' }, { kind: 'none' }],
    [{ 'x-api-key': '  ' }, { kind: 'none' }],
    [{ authorization: `Bearer ${key}` }, { kind: 'key', key }],
    [{ authorization: `bearer   ${key}  ` }, { kind: 'key', key }],
    [{ 'x-api-key': key }, { kind: 'key', key }],
    [{ authorization: `Bearer ${key}`, 'x-api-key': key }, { kind: 'key', key }],
  ])('%j', (headers, expected) => {
    expect(credentialOf(headers)).toEqual(expected);
  });

  it.each([
    [{ authorization: 'Basic dXNlcjpwYXNz' }],
    [{ authorization: 'Bearer' }],
    [{ authorization: 'Bearer a b' }],
    [{ authorization: `Bearer ${key}`, 'x-api-key': generateApiKey() }],
  ])('malformed: %j', (headers) => {
    expect(credentialOf(headers).kind).toBe('malformed');
  });
});
