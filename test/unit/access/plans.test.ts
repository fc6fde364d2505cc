import { describe, expect, it } from 'vitest';
import { AccessConfigError } from '../../../src/access/errors';
import { DEFAULT_PLAN_LIMITS, PLAN_NAMES, parseRateLimits } from '../../../src/access/plans';
import { parseRequireApiKey } from '../../../src/access/from-env';

describe('parseRateLimits', () => {
  it('unset or blank: the defaults, a copy that callers cannot corrupt', () => {
    for (const raw of [undefined, '', '  ']) expect(parseRateLimits(raw)).toEqual(DEFAULT_PLAN_LIMITS);
    const limits = parseRateLimits(undefined);
    limits.free.requests = 1;
    expect(DEFAULT_PLAN_LIMITS.free.requests).toBe(60);
  });

  it('defaults grow with the plan', () => {
    const perSec = PLAN_NAMES.map((plan) => DEFAULT_PLAN_LIMITS[plan].requests / DEFAULT_PLAN_LIMITS[plan].windowSec);
    for (let i = 1; i < perSec.length; i++) expect(perSec[i]).toBeGreaterThan(perSec[i - 1]);
  });

  it('overrides whole or partial plans and leaves the others alone', () => {
    const limits = parseRateLimits('{"free":{"requests":5,"windowSec":2},"pro":{"requests":1000}}');
    expect(limits.free).toEqual({ requests: 5, windowSec: 2 });
    expect(limits.pro).toEqual({ requests: 1000, windowSec: 60 });
    expect(limits.anonymous).toEqual(DEFAULT_PLAN_LIMITS.anonymous);
    expect(limits.enterprise).toEqual(DEFAULT_PLAN_LIMITS.enterprise);
  });

  it.each([
    ['not JSON', '{free:1}', /not valid JSON/],
    ['a list', '[]', /JSON object/],
    ['unknown plan', '{"gold":{"requests":1}}', /unknown plan 'gold'/],
    ['plan not an object', '{"free":5}', /RATE_LIMITS.free must be an object/],
    ['zero requests', '{"free":{"requests":0}}', /requests must be an integer/],
    ['fractional requests', '{"free":{"requests":1.5}}', /requests must be an integer/],
    ['string window', '{"free":{"windowSec":"60"}}', /windowSec must be an integer/],
    ['window over a day', '{"free":{"windowSec":86401}}', /windowSec must be an integer/],
    ['unknown field', '{"free":{"requests":5,"window":60}}', /unknown field 'window'/],
  ])('%s: AccessConfigError', (_name, raw, message) => {
    expect(() => parseRateLimits(raw)).toThrow(AccessConfigError);
    expect(() => parseRateLimits(raw)).toThrow(message);
  });
});

describe('parseRequireApiKey', () => {
  it('true and false in any case; unset or blank is false', () => {
    expect(parseRequireApiKey('true')).toBe(true);
    expect(parseRequireApiKey(' TRUE ')).toBe(true);
    for (const raw of [undefined, '', 'false', 'False']) expect(parseRequireApiKey(raw)).toBe(false);
  });

  it('anything else is a configuration error, never silently open', () => {
    for (const raw of ['yes', '1', 'on', 'ture']) expect(() => parseRequireApiKey(raw)).toThrow(AccessConfigError);
  });
});
