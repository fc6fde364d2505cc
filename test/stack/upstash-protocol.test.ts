/**
 * The wire format of the local Upstash REST emulator, request by request with plain fetch:
 * what @upstash/redis relies on (see the platform facts in src/platform/README.md), plus the emulator's own
 * failure behaviour (Redis down or hung) on private redis-server instances.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/stack/index.mjs';
import { startRedis } from '../../scripts/stack/redis.mjs';
import { startUpstashRest } from '../../scripts/stack/upstash-rest.mjs';

const { url, token } = inject('upstash');
const prefix = `protocol:${crypto.randomUUID()}:`;
const k = (name: string) => `${prefix}${name}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

async function call(path: string, body: unknown, opts: { base64?: boolean; auth?: string | null; method?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth !== null) headers.authorization = opts.auth ?? `Bearer ${token}`;
  if (opts.base64) headers['upstash-encoding'] = 'base64';
  const res = await fetch(`${url}${path}`, {
    method: opts.method ?? 'POST',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text), type: res.headers.get('content-type') };
}

afterAll(async () => {
  const { json } = await call('/', ['keys', `${prefix}*`]);
  if (json.result.length > 0) await call('/', ['del', ...json.result]);
});

describe('POST /', () => {
  it('returns {"result"} with JSON content type; numbers in the command are strings to Redis', async () => {
    const r = await call('/', ['set', k('a'), 'v', 'ex', 60]);
    expect(r).toMatchObject({ status: 200, json: { result: 'OK' }, type: 'application/json' });
    expect((await call('/', ['ttl', k('a')])).json.result).toBeGreaterThan(0);
    expect((await call('/', ['set', k('b'), 12.5])).json.result).toBe('OK');
    expect((await call('/', ['get', k('b')])).json).toEqual({ result: '12.5' });
  });

  it('maps RESP2 types: integer → number, nil → null, array stays flat, status → string', async () => {
    expect((await call('/', ['incr', k('i')])).json).toEqual({ result: 1 });
    expect((await call('/', ['get', k('nil')])).json).toEqual({ result: null });
    await call('/', ['hset', k('h'), 'f1', 'v1', 'f2', 'v2']);
    expect((await call('/', ['hgetall', k('h')])).json).toEqual({ result: ['f1', 'v1', 'f2', 'v2'] });
    expect((await call('/', ['ping'])).json).toEqual({ result: 'PONG' });
    expect((await call('/', ['type', k('h')])).json).toEqual({ result: 'hash' });
  });

  it('keeps every digit of 64-bit integers', async () => {
    await call('/', ['set', k('big'), '9223372036854775806']);
    expect((await call('/', ['incr', k('big')])).text).toBe('{"result":9223372036854775807}');
  });

  it('a Redis error is 400 {"error"}', async () => {
    await call('/', ['set', k('s'), 'x']);
    expect(await call('/', ['incr', k('s')])).toMatchObject({
      status: 400,
      json: { error: 'ERR value is not an integer or out of range' },
    });
    expect((await call('/', ['nosuchcommand'])).json.error).toMatch(/^ERR unknown command/);
  });

  it('rejects bodies that are not a command', async () => {
    expect((await call('/', '{not json')).status).toBe(400);
    expect((await call('/', [])).status).toBe(400);
    expect((await call('/', { cmd: 'get' })).status).toBe(400);
  });

  it('refuses commands that would take over a shared connection', async () => {
    for (const cmd of [['subscribe', 'c'], ['select', '1'], ['multi'], ['hello', '3'], ['client', 'reply', 'off']]) {
      const r = await call('/', cmd);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/not allowed/);
    }
  });
});

describe('Upstash-Encoding: base64', () => {
  const value = 'ü€😀';

  it('encodes bulk and status strings, nested too; numbers and null stay', async () => {
    expect((await call('/', ['set', k('e'), value], { base64: true })).json).toEqual({ result: b64('OK') });
    expect((await call('/', ['get', k('e')], { base64: true })).json).toEqual({ result: b64(value) });
    expect((await call('/', ['get', k('e')])).json).toEqual({ result: value });
    expect((await call('/', ['strlen', k('e')], { base64: true })).json).toEqual({ result: Buffer.byteLength(value) });
    expect((await call('/', ['get', k('none')], { base64: true })).json).toEqual({ result: null });
    const nested = await call('/', ['eval', "return {1, 'x', {ARGV[1], redis.status_reply('FINE')}, false}", '0', value], {
      base64: true,
    });
    expect(nested.json).toEqual({ result: [1, b64('x'), [b64(value), b64('FINE')], null] });
  });

  it('base64 is of the raw bytes (invalid UTF-8 survives only there)', async () => {
    // SETRANGE with a UTF-8 string, then GETRANGE cuts a multi-byte character in half.
    await call('/', ['set', k('raw'), value]);
    const cut = await call('/', ['getrange', k('raw'), '0', '0'], { base64: true });
    expect(Buffer.from(cut.json.result, 'base64')).toEqual(Buffer.from(value, 'utf8').subarray(0, 1));
  });

  it('never encodes errors', async () => {
    await call('/', ['set', k('s2'), 'x']);
    expect((await call('/', ['incr', k('s2')], { base64: true })).json).toEqual({
      error: 'ERR value is not an integer or out of range',
    });
    const p = await call('/pipeline', [['incr', k('s2')], ['get', k('s2')]], { base64: true });
    expect(p.json).toEqual([{ error: 'ERR value is not an integer or out of range' }, { result: b64('x') }]);
  });
});

describe('POST /pipeline', () => {
  it('answers 200 with one {"result"} or {"error"} per command, in order', async () => {
    const r = await call('/pipeline', [
      ['set', k('p'), 'v'],
      ['incr', k('p')],
      ['get', k('p')],
      ['incr', k('pn')],
      ['subscribe', 'c'],
      ['get', k('p')],
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'v' },
      { result: 1 },
      { error: 'ERR Command is not allowed over REST: subscribe' },
      { result: 'v' },
    ]);
  });

  it('rejects an empty or malformed pipeline', async () => {
    expect((await call('/pipeline', [])).status).toBe(400);
    expect((await call('/pipeline', [['get', k('x')], 'get'])).status).toBe(400);
  });

  it('handles a large body (1000 commands, ~8 MiB)', async () => {
    const chunk = 'x'.repeat(8192);
    const cmds = Array.from({ length: 1000 }, (_, i) => ['set', k(`bulk:${i}`), `${i}:${chunk}`]);
    const r = await call('/pipeline', cmds);
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(1000);
    const got = await call('/pipeline', [['get', k('bulk:999')], ['dbsize']]);
    expect(got.json[0].result).toBe(`999:${chunk}`);
    await call('/', ['del', ...cmds.map((c) => c[1])]);
  });
});

describe('POST /multi-exec', () => {
  it('runs the commands as one transaction; runtime errors are per command', async () => {
    await call('/', ['set', k('m'), 'text']);
    const r = await call('/multi-exec', [['set', k('m2'), '1'], ['incr', k('m')], ['incr', k('m2')]], { base64: true });
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ result: b64('OK') }, { error: 'ERR value is not an integer or out of range' }, { result: 2 }]);
  });

  it('an aborted transaction (queue-time error) is 400 and changes nothing', async () => {
    const r = await call('/multi-exec', [['set', k('ab'), '1'], ['incrby', k('ab')]]);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^EXECABORT .*command 2: ERR wrong number of arguments/);
    expect((await call('/', ['exists', k('ab')])).json.result).toBe(0);
  });

  it('refuses nested transaction commands', async () => {
    expect((await call('/multi-exec', [['watch', k('x')], ['get', k('x')]])).status).toBe(400);
  });

  it('is isolated: concurrent transactions never interleave', async () => {
    const n = 30;
    const results = await Promise.all(
      Array.from({ length: n }, () => call('/multi-exec', [['incr', k('tx')], ['incr', k('tx')]])),
    );
    for (const r of results) expect(r.json[1].result - r.json[0].result).toBe(1);
    expect((await call('/', ['get', k('tx')])).json.result).toBe(String(2 * n));
  });
});

describe('auth, paths, concurrency', () => {
  it('401 {"error":"Unauthorized"} for a missing or wrong token, on every path', async () => {
    for (const path of ['/', '/pipeline', '/multi-exec', '/get/x']) {
      for (const auth of [null, 'Bearer wrong', token, `Basic ${token}`]) {
        const r = await call(path, ['ping'], { auth });
        expect(r.status).toBe(401);
        expect(r.json).toEqual({ error: 'Unauthorized' });
      }
    }
  });

  it('commands in the path (GET /get/key, POST body as last argument)', async () => {
    expect((await call(`/set/${encodeURIComponent(k('path'))}`, 'body value', {})).json).toEqual({ result: 'OK' });
    expect((await call(`/get/${encodeURIComponent(k('path'))}`, undefined, { method: 'GET' })).json).toEqual({
      result: 'body value',
    });
  });

  it('a blocking command holds only its own connection', async () => {
    let blockedDone = false;
    const blocked = call('/', ['blpop', k('never'), '2']).finally(() => {
      blockedDone = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await call('/', ['ping'])).json.result).toBe('PONG');
    expect((await call('/pipeline', [['ping']])).json).toEqual([{ result: 'PONG' }]);
    expect(blockedDone).toBe(false);
    expect((await blocked).json).toEqual({ result: null });
  });

  it('many concurrent requests', async () => {
    const n = 300;
    const rs = await Promise.all(Array.from({ length: n }, () => call('/', ['incr', k('cc')])));
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect((await call('/', ['get', k('cc')])).json.result).toBe(String(n));
  });
});

describe('Redis unavailable', () => {
  it('nothing listening → 503 at once', async () => {
    const rest = await startUpstashRest({ redisPort: await freePort(), token: 't' });
    try {
      const started = Date.now();
      const res = await fetch(rest.url, { method: 'POST', body: '["ping"]', headers: { authorization: 'Bearer t' } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toMatch(/^redis unavailable/);
      const p = await fetch(`${rest.url}/pipeline`, { method: 'POST', body: '[["ping"]]', headers: { authorization: 'Bearer t' } });
      expect(p.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
      // Without a control token there are no control endpoints.
      const control = await fetch(`${rest.url}/__stack/health`, { headers: { authorization: 'Bearer t' } });
      expect(control.status).not.toBe(200);
    } finally {
      await rest.close();
    }
  });

  it('a hung redis-server (SIGSTOP) → 504 within the command timeout, then recovers', async () => {
    const redis = await startRedis({ port: await freePort() });
    const rest = await startUpstashRest({ redisPort: redis.port, token: 't', commandTimeoutMs: 300 });
    const ping = (path = '/', body = '["ping"]') =>
      fetch(`${rest.url}${path}`, { method: 'POST', body, headers: { authorization: 'Bearer t' } });
    try {
      expect((await ping()).status).toBe(200);
      process.kill(redis.pid!, 'SIGSTOP');
      const started = Date.now();
      const [single, multi] = await Promise.all([ping(), ping('/multi-exec', '[["ping"]]')]);
      expect(single.status).toBe(504);
      expect(multi.status).toBe(504);
      expect(((await single.json()) as { error: string }).error).toMatch(/^redis unavailable: no reply/);
      expect(Date.now() - started).toBeLessThan(5000);
      process.kill(redis.pid!, 'SIGCONT');
      expect((await ping()).status).toBe(200);
    } finally {
      if (redis.pid) process.kill(redis.pid, 'SIGCONT');
      await rest.close();
      await redis.close();
    }
  });
});
