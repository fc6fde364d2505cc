import { describe, expect, it } from 'vitest';
import { CacheConfigError } from '../../../src/cache/errors';
import { cacheFromEnv, parseSharedResources, policyFor } from '../../../src/cache/from-env';
import { CACHE_POLICY, RESOURCES, withSharedResources } from '../../../src/cache/policy';

describe('CACHE_SHARED_RESOURCES', () => {
  it('unset or blank leaves CACHE_POLICY in charge', () => {
    expect(parseSharedResources(undefined)).toBeNull();
    expect(parseSharedResources('')).toBeNull();
    expect(parseSharedResources('  ')).toBeNull();
    expect(policyFor(null)).toBe(CACHE_POLICY);
  });

  it('parses names: trimmed, deduplicated, in CACHE_POLICY order', () => {
    expect(parseSharedResources('natal,transits')).toEqual(['natal', 'transits']);
    expect(parseSharedResources(' transits , natal ,natal')).toEqual(['natal', 'transits']);
    expect(parseSharedResources('legacy')).toEqual(['legacy']);
    expect(parseSharedResources(RESOURCES.join(','))).toEqual(RESOURCES);
    expect(parseSharedResources(' none ')).toEqual([]);
    expect(policyFor([]).transits.shared).toBe(false);
  });

  it('refuses unknown names and empty items', () => {
    for (const bad of ['natl', 'natal,foo', 'Natal', 'natal,', ',transits', 'natal;transits', 'constructor', '__proto__', 'none,natal', 'None']) {
      expect(() => parseSharedResources(bad)).toThrow(CacheConfigError);
    }
    expect(() => parseSharedResources('natal,foo,bar')).toThrow(/unknown resource 'foo', 'bar'.*known: natal, divisional, transits, legacy/);
  });

  it('overrides exactly which resources are shared, TTLs unchanged, default policy untouched', () => {
    const policy = policyFor(['natal', 'transits']);
    expect(policy).toEqual({
      natal: { ttlSec: CACHE_POLICY.natal.ttlSec, shared: true },
      divisional: { ttlSec: CACHE_POLICY.divisional.ttlSec, shared: false },
      transits: { ttlSec: CACHE_POLICY.transits.ttlSec, shared: true },
      legacy: { ttlSec: CACHE_POLICY.legacy.ttlSec, shared: false },
      dashas: { ttlSec: CACHE_POLICY.dashas.ttlSec, shared: false },
      panchang: { ttlSec: CACHE_POLICY.panchang.ttlSec, shared: false },
    });
    expect(withSharedResources(CACHE_POLICY, []).transits.shared).toBe(false);
    expect(CACHE_POLICY.natal.shared).toBe(false);
    expect(CACHE_POLICY.transits.shared).toBe(true);
  });

  it('cacheFromEnv: a separate instance per setting, CacheConfigError for a bad one', () => {
    const base = cacheFromEnv({}, null, { engineVersion: 'shared-resources-test' });
    const overridden = cacheFromEnv({ CACHE_SHARED_RESOURCES: 'natal,transits' }, null, { engineVersion: 'shared-resources-test' });
    expect(overridden).not.toBe(base);
    expect(cacheFromEnv({ CACHE_SHARED_RESOURCES: 'transits, natal' }, null, { engineVersion: 'shared-resources-test' })).toBe(overridden);
    expect(cacheFromEnv({ CACHE_SHARED_RESOURCES: ' ' }, null, { engineVersion: 'shared-resources-test' })).toBe(base);
    expect(() => cacheFromEnv({ CACHE_SHARED_RESOURCES: 'natal,horoscope' }, null)).toThrow(CacheConfigError);
  });

  it('natal goes through the shared tier only when the override says so', async () => {
    const ctx = { waitUntil: (p: Promise<unknown>) => void p.catch(() => undefined) };
    const run = async (raw: string | undefined) => {
      const cache = cacheFromEnv({ CACHE_SHARED_RESOURCES: raw }, null, { engineVersion: `shared-resources-natal-${raw}` });
      const input = { utc: '2000-01-01T00:00:00Z', latDeg: 1, lonDeg: 2 };
      const first = await cache.getOrCompute('natal', input, () => ({ n: 1 }), ctx);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the fill settle
      const second = await cache.getOrCompute('natal', input, () => ({ n: 2 }), ctx);
      return [first.source, second.source];
    };
    expect(await run(undefined)).toEqual(['MISS', 'MISS']); // no edge here, natal skips the shared tier
    expect(await run('natal')).toEqual(['MISS', 'HIT-REDIS']); // the memory stand-in plays the shared tier
  });
});
