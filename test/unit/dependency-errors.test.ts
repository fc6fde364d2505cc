/**
 * The error family of src/http/errors.ts: whatever module throws it, onError
 * answers 503 with the error's own code (a new module cannot forget to map its
 * outage), a ConfigError names every problem, and only a plain Error is a 500.
 */
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { AccessConfigError } from '../../src/access/errors';
import { BulkConfigError, BulkStoreError, WebhookDeliveryError } from '../../src/bulk/errors';
import { CacheClearError, CacheConfigError, CacheKeyError, CacheValueError } from '../../src/cache/errors';
import { ConfigError, DependencyUnavailableError, collectProblems, onError, type ConfigProblem } from '../../src/http/errors';

async function answer(err: Error): Promise<{ status: number; body: any }> {
  const app = new Hono();
  app.get('/', () => {
    throw err;
  });
  app.onError(onError);
  const res = await app.request('/');
  return { status: res.status, body: await res.json() };
}

describe('DependencyUnavailableError and ConfigError', () => {
  it.each([
    ['a new module', new DependencyUnavailableError('thing_unavailable', 'The thing is down; retry shortly'), 'thing_unavailable'],
    ['cache clear', new CacheClearError('not cleared'), 'cache_unavailable'],
    ['job store', new BulkStoreError('detail'), 'job_store_unavailable'],
    ['webhook', new WebhookDeliveryError('webhook for job j failed'), 'webhook_undeliverable'],
    ['cache config', new CacheConfigError({ variable: 'REDIS_TIMEOUT_MS', message: 'REDIS_TIMEOUT_MS bad' }), 'cache_misconfigured'],
    ['bulk config', new BulkConfigError({ variable: 'WEBHOOK_SECRET', message: 'WEBHOOK_SECRET short' }), 'bulk_misconfigured'],
    ['access config', new AccessConfigError({ variable: 'REQUIRE_API_KEY', message: 'REQUIRE_API_KEY bad' }), 'access_misconfigured'],
  ])('%s: 503 with its code', async (_name, err, code) => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { status, body } = await answer(err);
    expect(status).toBe(503);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBe(err.message);
    vi.restoreAllMocks();
  });

  it('a ConfigError names every problem in its message and keeps them as data', () => {
    const problems: ConfigProblem[] = [
      { variable: 'WEBHOOK_SECRET', message: 'WEBHOOK_SECRET must have at least 16 characters' },
      { variable: 'PUBLIC_BASE_URL', message: 'PUBLIC_BASE_URL must be an origin.' },
    ];
    const err = new BulkConfigError(problems);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toEqual(problems);
    expect(err.message).toMatch(/^Bulk jobs are not available on this deployment: a variable is unusable\. WEBHOOK_SECRET must have at least 16 characters\. PUBLIC_BASE_URL must be an origin\. GET \/health/);
  });

  it('collectProblems gathers ConfigErrors of any module and lets other errors through', () => {
    const problems: ConfigProblem[] = [];
    expect(collectProblems(problems, () => 5)).toBe(5);
    expect(collectProblems(problems, () => { throw new CacheConfigError({ variable: 'A', message: 'A bad' }); })).toBeUndefined();
    expect(collectProblems(problems, () => { throw new AccessConfigError([{ variable: 'B', message: 'B bad' }, { variable: 'C', message: 'C bad' }]); })).toBeUndefined();
    expect(problems.map((p) => p.variable)).toEqual(['A', 'B', 'C']);
    expect(() => collectProblems(problems, () => { throw new TypeError('bug'); })).toThrow(TypeError);
  });

  it('programming bugs stay a logged 500: a key or value JSON cannot carry, a plain Error', async () => {
    const errors: unknown[] = [];
    vi.spyOn(console, 'error').mockImplementation((line) => void errors.push(line));
    for (const err of [new CacheKeyError('/x', 'non-finite number NaN'), new CacheValueError('no JSON form'), new Error('bug')]) {
      const { status, body } = await answer(err);
      expect(status).toBe(500);
      expect(body.error.code).toBe('internal_error');
    }
    expect(errors).toHaveLength(3);
    vi.restoreAllMocks();
  });
});
