/**
 * Contract tests: the official `@upstash/redis` client (the one the Worker uses) against the
 * local Upstash REST emulator (scripts/stack/upstash-rest.mjs) in front of a real redis-server.
 * The stack is started once per run by test/stack/global-setup.ts.
 */
import { Redis, type RedisConfigNodejs } from '@upstash/redis';
import { afterAll, describe, expect, inject, it } from 'vitest';

const { url, token, controlToken } = inject('upstash');
const prefix = `contract:${crypto.randomUUID()}:`;
const k = (name: string) => `${prefix}${name}`;

function client(opts: Partial<RedisConfigNodejs> = {}) {
  return new Redis({ url, token, enableTelemetry: false, retry: false, ...opts });
}

/** Default client: base64 responses and auto-pipelining (everything goes through /pipeline). */
const redis = client();
/** One request per command through `POST /`, plain JSON responses. */
const plain = client({ responseEncoding: false, enableAutoPipelining: false });
const unicode = 'ü€😀';
const binaryish = 'a\u0000b\u0001\u007f\u00ff\ufffd\u2028"\\\n\r\tz';

afterAll(async () => {
  const keys = await plain.keys(`${prefix}*`);
  if (keys.length > 0) await plain.del(...keys);
});

describe('strings', () => {
  it('set with ex, get, ttl', async () => {
    expect(await redis.set(k('s1'), 'hello', { ex: 60 })).toBe('OK');
    expect(await redis.get(k('s1'))).toBe('hello');
    const ttl = await redis.ttl(k('s1'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.get(k('missing'))).toBeNull();
  });

  it('incr, incrby, decr', async () => {
    expect(await redis.incr(k('n'))).toBe(1);
    expect(await redis.incrby(k('n'), 41)).toBe(42);
    expect(await plain.decr(k('n'))).toBe(41);
  });

  it('mget keeps order and nulls', async () => {
    await redis.set(k('m1'), 'one');
    await redis.set(k('m2'), 2);
    expect(await redis.mget(k('m1'), k('nope'), k('m2'))).toEqual(['one', null, 2]);
    expect(await plain.mget(k('m1'), k('nope'), k('m2'))).toEqual(['one', null, 2]);
  });

  it('set nx / xx and getdel', async () => {
    expect(await redis.set(k('nx'), 'a', { nx: true })).toBe('OK');
    expect(await redis.set(k('nx'), 'b', { nx: true })).toBeNull();
    expect(await redis.getdel(k('nx'))).toBe('a');
    expect(await redis.exists(k('nx'))).toBe(0);
  });
});

describe('JSON values (the client serialises objects)', () => {
  const value = { sign: 'Mesha', degree: 12.5, nested: { list: [1, 'two', null, true], text: unicode } };

  it.each([
    ['base64', redis],
    ['plain', plain],
  ])('round-trips an object (%s)', async (_name, c) => {
    await c.set(k(`json-${_name}`), value, { ex: 60 });
    expect(await c.get(k(`json-${_name}`))).toEqual(value);
    expect(await c.get<string>(k(`json-${_name}`))).not.toBeTypeOf('string');
  });

  it('round-trips arrays and numbers', async () => {
    await redis.set(k('arr'), [1, 2, { a: 'b' }]);
    expect(await redis.get(k('arr'))).toEqual([1, 2, { a: 'b' }]);
    await redis.set(k('num'), 3.25);
    expect(await redis.get(k('num'))).toBe(3.25);
  });
});

describe('hashes', () => {
  it('hset, hget, hgetall, hincrby', async () => {
    expect(await redis.hset(k('h'), { a: 'x', b: 2, c: { deep: unicode } })).toBe(3);
    expect(await redis.hget(k('h'), 'a')).toBe('x');
    expect(await redis.hgetall(k('h'))).toEqual({ a: 'x', b: 2, c: { deep: unicode } });
    expect(await plain.hgetall(k('h'))).toEqual({ a: 'x', b: 2, c: { deep: unicode } });
    expect(await redis.hincrby(k('h'), 'b', 5)).toBe(7);
    expect(await redis.hgetall(k('missing-hash'))).toBeNull();
  });
});

describe('lists and sorted sets (nested array replies)', () => {
  it('lrange and zrange with scores', async () => {
    await redis.rpush(k('l'), 'a', unicode, 'c');
    expect(await redis.lrange(k('l'), 0, -1)).toEqual(['a', unicode, 'c']);
    expect(await plain.lrange(k('l'), 0, -1)).toEqual(['a', unicode, 'c']);
    await redis.zadd(k('z'), { score: 2, member: 'two' }, { score: 1, member: unicode });
    expect(await redis.zrange(k('z'), 0, -1, { withScores: true })).toEqual([unicode, 1, 'two', 2]);
  });
});

describe('pipeline and multi-exec', () => {
  it('pipeline().exec() returns results in order', async () => {
    const results = await redis
      .pipeline()
      .set(k('p1'), 'v1')
      .incr(k('p2'))
      .incr(k('p2'))
      .get(k('p1'))
      .hset(k('ph'), { f: unicode })
      .hgetall(k('ph'))
      .exec();
    expect(results).toEqual(['OK', 1, 2, 'v1', 1, { f: unicode }]);
  });

  it('pipeline keepErrors reports the failing command in place', async () => {
    await plain.set(k('pe'), 'not a number');
    const results = await redis.pipeline().incr(k('pe')).get(k('pe')).exec({ keepErrors: true });
    expect(results[0].error).toMatch(/ERR value is not an integer/);
    expect(results[1]).toEqual({ error: undefined, result: 'not a number' });
    await expect(redis.pipeline().incr(k('pe')).get(k('pe')).exec()).rejects.toThrow(/not an integer/);
  });

  it.each([
    ['base64', redis],
    ['plain', plain],
  ])('multi().exec() runs as one transaction (%s)', async (name, c) => {
    const results = await c
      .multi()
      .set(k(`t-${name}`), { a: 1 })
      .incr(k(`tn-${name}`))
      .incrby(k(`tn-${name}`), 9)
      .get(k(`t-${name}`))
      .exec();
    expect(results).toEqual(['OK', 1, 10, { a: 1 }]);
  });

  it('multi: a runtime error inside the transaction is that command’s error, the rest commits', async () => {
    await plain.set(k('me'), 'text');
    const results = await redis.multi().incr(k('me')).set(k('me2'), 'ok').exec({ keepErrors: true });
    expect(results[0].error).toMatch(/not an integer/);
    expect(results[1].result).toBe('OK');
    expect(await redis.get(k('me2'))).toBe('ok');
  });

  it('concurrent auto-pipelined commands all land', async () => {
    const n = 200;
    const replies = await Promise.all(Array.from({ length: n }, () => redis.incr(k('concurrent'))));
    expect(new Set(replies).size).toBe(n);
    expect(await redis.get(k('concurrent'))).toBe(n);
  });
});

describe('scripts', () => {
  const script = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), tonumber(ARGV[2]) + 1}";

  it.each([
    ['base64', redis],
    ['plain', plain],
  ])('eval and evalsha (%s)', async (name, c) => {
    expect(await c.eval(script, [k(`ev-${name}`)], [unicode, '41'])).toEqual([unicode, 42]);
    const sha = await c.scriptLoad(script);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await c.evalsha(sha, [k(`ev-${name}`)], ['again', '1'])).toEqual(['again', 2]);
  });

  it('evalsha on an unknown script fails with NOSCRIPT', async () => {
    await expect(plain.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('createScript falls back to EVAL after SCRIPT FLUSH', async () => {
    const s = redis.createScript<[string, number]>(script);
    expect(await s.exec([k('cs')], ['first', '0'])).toEqual(['first', 1]);
    expect(await redis.scriptFlush()).toBe('OK');
    expect(await redis.scriptExists(s.sha1)).toEqual([0]);
    expect(await s.exec([k('cs')], ['second', '1'])).toEqual(['second', 2]);
    expect(await redis.scriptExists(s.sha1)).toEqual([1]);
  });

  it('a script error surfaces as a thrown error', async () => {
    await expect(redis.eval("return redis.error_reply('boom')", [], [])).rejects.toThrow(/boom/);
  });
});

describe('encodings', () => {
  it.each([
    ['unicode', unicode],
    ['binary-ish', binaryish],
    ['base64-looking', 'T0s='],
    ['OK', 'OK'],
    ['empty', ''],
  ])('%s strings survive base64 on and off, in both directions', async (name, value) => {
    await redis.set(k(`enc-b-${name}`), value);
    await plain.set(k(`enc-p-${name}`), value);
    for (const c of [redis, plain]) {
      expect(await c.get(k(`enc-b-${name}`))).toBe(value);
      expect(await c.get(k(`enc-p-${name}`))).toBe(value);
      expect(await c.mget(k(`enc-b-${name}`), k(`enc-p-${name}`))).toEqual([value, value]);
    }
    expect(await redis.strlen(k(`enc-b-${name}`))).toBe(Buffer.byteLength(value));
  });

  it('a large value (4 MiB) round-trips', async () => {
    const big = unicode.repeat((4 * 1024 * 1024) / Buffer.byteLength(unicode));
    await redis.set(k('big'), big);
    expect(await redis.get(k('big'))).toBe(big);
    expect(await plain.get(k('big'))).toBe(big);
  });
});

describe('errors', () => {
  it('a wrong token is refused with 401 Unauthorized', async () => {
    const wrong = client({ token: 'not-the-token' });
    await expect(wrong.get(k('x'))).rejects.toThrow(/Unauthorized/);
    const wrongPlain = client({ token: 'not-the-token', enableAutoPipelining: false });
    await expect(wrongPlain.set(k('x'), 1)).rejects.toThrow(/Unauthorized/);
    const res = await fetch(url, { method: 'POST', body: '["ping"]', headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
  });

  it('a Redis error is thrown (INCR on a non-integer)', async () => {
    await redis.set(k('notint'), 'abc');
    await expect(redis.incr(k('notint'))).rejects.toThrow(/ERR value is not an integer or out of range/);
    await expect(plain.incr(k('notint'))).rejects.toThrow(/ERR value is not an integer or out of range/);
  });

  it('wrong type errors come through too', async () => {
    await redis.set(k('str'), 'x');
    await expect(redis.hgetall(k('str'))).rejects.toThrow(/WRONGTYPE/);
  });
});

// Last: it restarts redis-server, which empties it.
describe('test control: a Redis outage', () => {
  const controlFetch = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${controlToken}`, ...init.headers } });

  it('refuses control requests without the control token', async () => {
    const res = await fetch(`${url}/__stack/redis/stop`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(await (await controlFetch('/__stack/health')).json()).toEqual({ ok: true, redis: 'up' });
  });

  it('stop → requests fail fast with 5xx; start → they succeed again', async () => {
    await redis.set(k('before-outage'), 'v');

    const stop = await controlFetch('/__stack/redis/stop', { method: 'POST' });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ ok: true, redis: 'down' });
    expect(await (await controlFetch('/__stack/health')).json()).toEqual({ ok: true, redis: 'down' });

    const started = Date.now();
    const raw = await fetch(url, { method: 'POST', body: '["get","x"]', headers: { authorization: `Bearer ${token}` } });
    expect(raw.status).toBeGreaterThanOrEqual(500);
    expect(((await raw.json()) as { error: string }).error).toMatch(/redis unavailable/);
    await expect(redis.get(k('before-outage'))).rejects.toThrow(/redis unavailable/);
    await expect(plain.set(k('during-outage'), 1)).rejects.toThrow(/redis unavailable/);
    await expect(redis.multi().incr(k('during-outage')).exec()).rejects.toThrow(/redis unavailable/);
    expect(Date.now() - started).toBeLessThan(3000);

    const start = await controlFetch('/__stack/redis/start', { method: 'POST' });
    expect(start.status).toBe(200);
    expect(await start.json()).toEqual({ ok: true, redis: 'up' });
    expect(await (await controlFetch('/__stack/health')).json()).toEqual({ ok: true, redis: 'up' });

    // A fresh, empty redis-server on the same port (no persistence).
    expect(await redis.get(k('before-outage'))).toBeNull();
    expect(await redis.set(k('after-outage'), 'back')).toBe('OK');
    expect(await plain.get(k('after-outage'))).toBe('back');
  });
});
