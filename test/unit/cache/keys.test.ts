import { describe, expect, it } from 'vitest';
import { CACHE_ENGINE_VERSION, CACHE_KEY_VERSION, CacheKeyError, buildCacheKey, canonicalJson } from '../../../src/cache';
import { sha256Hex } from '../../../src/cache/keys';
import { SERVICE_VERSION } from '../../../src/version';

const input = { utc: '1996-12-07T05:04:00Z', latDeg: 13.0878, lonDeg: 80.2785, settings: { ayanamsa: 'lahiri', node: 'mean', houseSystem: 'whole_sign', profile: 'default' } };
const reordered = { settings: { profile: 'default', houseSystem: 'whole_sign', node: 'mean', ayanamsa: 'lahiri' }, lonDeg: 80.2785, latDeg: 13.0878, utc: '1996-12-07T05:04:00Z' };
const key = (keyInput: unknown, over: Partial<Parameters<typeof buildCacheKey>[0]> = {}) =>
  buildCacheKey({ ns: 0, resource: 'natal', engineVersion: CACHE_ENGINE_VERSION, keyInput, ...over });

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson(input)).toBe(canonicalJson(reordered));
  });

  it('writes numbers as JSON numbers and omits undefined properties', () => {
    expect(canonicalJson({ x: 13.0878, y: -0, z: 1e21, w: undefined, n: 5 })).toBe('{"n":5,"x":13.0878,"y":0,"z":1e+21}');
    expect(canonicalJson({ a: 1 })).toBe(canonicalJson({ a: 1.0, b: undefined }));
  });

  it('refuses what JSON cannot carry faithfully, naming the path', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [{ a: Number.NaN }, '/a'],
      [{ a: [1, Number.POSITIVE_INFINITY] }, '/a/1'],
      [{ a: [undefined] }, '/a/0'],
      [{ when: new Date(0) }, '/when'],
      [{ big: 1n }, '/big'],
      [{ f: () => 1 }, '/f'],
      [cyclic, '/self'],
    ];
    for (const [value, path] of cases) {
      expect(() => canonicalJson(value)).toThrow(CacheKeyError);
      try {
        canonicalJson(value);
      } catch (err) {
        expect((err as CacheKeyError).path).toBe(path);
        expect((err as Error).name).toBe('CacheKeyError');
      }
    }
  });

  it('accepts a repeated (non-cyclic) object', () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: [shared] })).toBe('{"x":{"a":1},"y":[{"a":1}]}');
  });
});

describe('buildCacheKey', () => {
  it('is ae:v<version>:<ns>:<resource>:<sha256 hex>', async () => {
    expect(await key(input, { ns: 7, resource: 'transits' })).toMatch(new RegExp(`^ae:v${CACHE_KEY_VERSION}:7:transits:[0-9a-f]{64}$`));
  });

  it('hashes canonical JSON with SHA-256', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const expected = await sha256Hex(canonicalJson({ engine: CACHE_ENGINE_VERSION, input }));
    expect(await key(input)).toBe(`ae:v${CACHE_KEY_VERSION}:0:natal:${expected}`);
  });

  it('gives equal inputs equal keys, whatever the field order', async () => {
    expect(await key(input)).toBe(await key(reordered));
    expect(await key(structuredClone(input))).toBe(await key(input));
  });

  it('gives different inputs, resources, namespaces and engines different keys', async () => {
    const base = await key(input);
    const variants = await Promise.all([
      key({ ...input, latDeg: 13.0879 }),
      key({ ...input, settings: { ...input.settings, node: 'true' } }),
      key({ ...input, division: 9 }),
      key(input, { resource: 'divisional' }),
      key(input, { ns: 1 }),
      key(input, { engineVersion: 'astro-engine-edge/0.1.1 swisseph/2.10.03' }),
    ]);
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('marks an unknown namespace with -', async () => {
    expect(await key(input, { ns: null })).toMatch(/^ae:v\d+:-:natal:/);
  });

  it('default engine version names the service and Swiss Ephemeris versions', () => {
    expect(CACHE_ENGINE_VERSION).toBe(`astro-engine-edge/${SERVICE_VERSION} swisseph/2.10.03`);
  });
});
