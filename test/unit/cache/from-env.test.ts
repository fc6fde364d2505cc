import { describe, expect, it } from 'vitest';
import { CacheConfigError, DEFAULT_REDIS_TIMEOUT_MS, cacheFromEnv, parseTimeoutMs } from '../../../src/cache';

describe('cacheFromEnv', () => {
  it('uses the memory stand-in without Upstash variables, one instance per isolate and config', () => {
    const a = cacheFromEnv({}, null);
    expect(a.sharedBackend).toBe('memory');
    expect(cacheFromEnv({ UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: '' }, null)).toBe(a);
    expect(cacheFromEnv({}, null, { engineVersion: 'other' })).not.toBe(a);
  });

  it('uses Redis when both variables are set, with the configured timeout', () => {
    const env = { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 't', REDIS_TIMEOUT_MS: '120' };
    const cache = cacheFromEnv(env, null);
    expect(cache.sharedBackend).toBe('redis');
    expect(cache.timeoutMs).toBe(120);
    expect(cacheFromEnv({ ...env }, null)).toBe(cache);
  });

  it('refuses a half configuration and a bad URL', () => {
    expect(() => cacheFromEnv({ UPSTASH_REDIS_REST_URL: 'https://x.upstash.io' }, null)).toThrow(CacheConfigError);
    expect(() => cacheFromEnv({ UPSTASH_REDIS_REST_TOKEN: 't' }, null)).toThrow(/UPSTASH_REDIS_REST_URL is missing/);
    expect(() => cacheFromEnv({ UPSTASH_REDIS_REST_URL: 'not a url', UPSTASH_REDIS_REST_TOKEN: 't' }, null)).toThrow(CacheConfigError);
  });

  it('parses REDIS_TIMEOUT_MS strictly', () => {
    expect(parseTimeoutMs(undefined)).toBe(DEFAULT_REDIS_TIMEOUT_MS);
    expect(parseTimeoutMs(' ')).toBe(DEFAULT_REDIS_TIMEOUT_MS);
    expect(parseTimeoutMs('50')).toBe(50);
    for (const bad of ['0', '-5', '2.5', '250ms', '10001']) expect(() => parseTimeoutMs(bad)).toThrow(CacheConfigError);
  });
});
