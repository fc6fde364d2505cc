/**
 * Configuration in workerd. Every variable the Worker reads, given a value it
 * cannot use, is listed by /health (the variable, what is wrong and how to fix
 * it, what it stops) and refused on the routes that need it with a 503 and a
 * stable code, never a 500. `.dev.vars.example` goes through the same parsers
 * as shipped, each commented example too, so it cannot rot again.
 *
 * Requests go straight to the Worker's fetch with an env of our own (the
 * wrangler.toml vars plus the case's variables).
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import example from '../../.dev.vars.example?raw';
import worker from '../../src/index';
import { bulkFromEnv, newJobId } from '../../src/bulk';
import { configReport } from '../../src/config-report';
import { FUZZ_SIGNING_KEY, qstashSignature } from './fuzz-arbitraries';
import { expectErrorShape, expectLegacyErrorShape } from './support';

const ADMIN_TOKEN = 'config-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const BIRTH = { datetime: '1987-03-21T06:45:00', timezone: 'Asia/Kolkata', latitude: 19.07609, longitude: 72.877426 };
const LEGACY_BIRTH = { user_name: 'x', birth_date: '1990-05-15', birth_time: '14:30:00', latitude: 28.6139, longitude: 77.209, timezone_offset: 5.5 };
/** A well-formed id nobody created: a working deployment looks it up (404), a broken one cannot (503). */
const JOB_ID = newJobId(Date.now());
/** Port 9 (discard) on loopback: nothing listens, the connection is refused at once. */
const CLOSED_REDIS = { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: 'x', REDIS_TIMEOUT_MS: '300' };

async function call(vars: Record<string, string>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  // METRICS_FLUSH_SEC=0: with Upstash set, the metrics flush runs at once instead of keeping waitUntil open 5 s.
  const res = await worker.fetch(new Request(`https://api.test${path}`, init), { ...env, ADMIN_TOKEN, METRICS_FLUSH_SEC: '0', ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const post = (vars: Record<string, string>, path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(vars, path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

afterEach(() => vi.restoreAllMocks());

/** dotenv's LINE pattern (motdotla/dotenv lib/main.js, v16), the parser wrangler reads `.dev.vars` with. */
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/** `.dev.vars` as wrangler reads it: `KEY=value`, optional single/double/back quotes, `#` comments. */
function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const match of line.matchAll(LINE)) {
      const raw = (match[2] ?? '').trim();
      vars[match[1]] = /^['"`]/.test(raw) && raw.endsWith(raw[0]) ? raw.slice(1, -1) : raw;
    }
  }
  return vars;
}

/** The commented `# KEY=value` examples, uncommented, one group per paragraph (the QStash lines go together). */
function commentedGroups(text: string): Record<string, string>[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => parseDotenv(paragraph.split('\n').filter((line) => /^#\s?[A-Z][A-Z0-9_]*=/.test(line)).map((line) => line.replace(/^#\s?/, '')).join('\n')))
    .filter((group) => Object.keys(group).length > 0);
}

describe('.dev.vars.example', () => {
  const active = parseDotenv(example);
  const groups = commentedGroups(example);
  const all: Record<string, string> = Object.assign({}, active, ...groups);

  it('is read as intended: its active and commented variables', () => {
    expect(Object.keys(active).sort()).toEqual(['ADMIN_TOKEN', 'UPSTASH_REDIS_REST_TOKEN', 'UPSTASH_REDIS_REST_URL', 'WEBHOOK_SECRET']);
    // Every variable the Worker reads (src/env.ts; ENVIRONMENT is wrangler.toml's), set or as a commented example.
    expect(Object.keys(all).sort()).toEqual([
      'ADMIN_TOKEN', 'ALLOW_LOOPBACK_CALLBACKS', 'API_KEYS', 'CACHE_SHARED_RESOURCES', 'CORS_ORIGINS', 'LOG_LEVEL', 'METRICS_FLUSH_SEC', 'METRICS_TOKEN',
      'PUBLIC_BASE_URL', 'QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY', 'QSTASH_TOKEN', 'QSTASH_URL', 'RATE_LIMITS', 'REDIS_TIMEOUT_MS',
      'REQUIRE_API_KEY', 'UPSTASH_REDIS_REST_TOKEN', 'UPSTASH_REDIS_REST_URL', 'WEBHOOK_SECRET',
    ]);
  });

  it('as shipped, every variable passes every parser, and the webhook secret is the one given', () => {
    expect(configReport({ ...env, ...active })).toEqual([]);
    expect(bulkFromEnv({ ...env, ...active }).webhookSecret).toBe(active.WEBHOOK_SECRET);
  });

  it.each(groups.map((group) => [Object.keys(group).join(' + '), group] as const))('uncommented, %s passes every parser too', (_names, group) => {
    expect(configReport({ ...env, ...active, ...group })).toEqual([]);
  });

  it('all of it at once, in the Worker: /health config ok, bulk and calculations answer (never a 500)', async () => {
    // Without REQUIRE_API_KEY: the example's only key is revoked on purpose.
    const { REQUIRE_API_KEY: _required, ...vars }: Record<string, string> = { ...all, ADMIN_TOKEN, METRICS_FLUSH_SEC: '0' };
    expect(configReport({ ...env, ...vars, REQUIRE_API_KEY: _required })).toEqual([]);
    const health = (await (await call(vars, '/health')).json()) as any;
    expect(health.dependencies.config).toEqual({ status: 'ok' });
    // Nothing listens on the example's Upstash port here: the bulk store is unreachable (503), not broken (500).
    const bulk = await post(vars, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] });
    expect(bulk.status).toBe(503);
    expect((await expectErrorShape(bulk, 'bulk')).body.error.code).toBe('job_store_unavailable');
    // Without Upstash and QStash (plain `npm start`, memory tiers): bulk jobs are accepted.
    const { UPSTASH_REDIS_REST_URL: _url, UPSTASH_REDIS_REST_TOKEN: _token, QSTASH_TOKEN: _qstash, ...memory } = vars;
    const accepted = await post(memory, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] });
    expect(accepted.status).toBe(202);
    expect((await post(memory, '/v1/charts/natal', BIRTH)).status).toBe(200);
  });
});

interface Case {
  vars: Record<string, string>;
  /** The variables /health must name, each with these codes. */
  variables: string[];
  codes: string[];
}

const CASES: Record<string, Case> = {
  'WEBHOOK_SECRET too short (the old example)': { vars: { WEBHOOK_SECRET: 'change-me-too' }, variables: ['WEBHOOK_SECRET'], codes: ['bulk_misconfigured'] },
  'PUBLIC_BASE_URL with a path': { vars: { PUBLIC_BASE_URL: 'https://api.example.com/v1' }, variables: ['PUBLIC_BASE_URL'], codes: ['bulk_misconfigured'] },
  'PUBLIC_BASE_URL not a URL': { vars: { PUBLIC_BASE_URL: 'api.example.com' }, variables: ['PUBLIC_BASE_URL'], codes: ['bulk_misconfigured'] },
  'QSTASH_URL not a URL': { vars: { QSTASH_URL: 'qstash.upstash.io' }, variables: ['QSTASH_URL'], codes: ['bulk_misconfigured'] },
  'QSTASH_TOKEN without signing keys or Redis': { vars: { QSTASH_TOKEN: 'q' }, variables: ['QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_TOKEN'], codes: ['bulk_misconfigured'] },
  'one QStash signing key': { vars: { QSTASH_CURRENT_SIGNING_KEY: 'sig_a' }, variables: ['QSTASH_NEXT_SIGNING_KEY'], codes: ['bulk_misconfigured'] },
  'ALLOW_LOOPBACK_CALLBACKS=yes': { vars: { ALLOW_LOOPBACK_CALLBACKS: 'yes' }, variables: ['ALLOW_LOOPBACK_CALLBACKS'], codes: ['bulk_misconfigured'] },
  'ALLOW_LOOPBACK_CALLBACKS in production': { vars: { ALLOW_LOOPBACK_CALLBACKS: 'true', ENVIRONMENT: 'production' }, variables: ['ALLOW_LOOPBACK_CALLBACKS'], codes: ['bulk_misconfigured'] },
  'REQUIRE_API_KEY=yes': { vars: { REQUIRE_API_KEY: 'yes' }, variables: ['REQUIRE_API_KEY'], codes: ['access_misconfigured'] },
  'RATE_LIMITS not JSON': { vars: { RATE_LIMITS: '{pro: 5}' }, variables: ['RATE_LIMITS'], codes: ['access_misconfigured'] },
  'API_KEYS not a key list': { vars: { API_KEYS: '[{"keyId":"x"}]' }, variables: ['API_KEYS'], codes: ['access_misconfigured'] },
  'Upstash URL without its token': {
    vars: { UPSTASH_REDIS_REST_URL: 'https://eu1-example.upstash.io' },
    variables: ['UPSTASH_REDIS_REST_TOKEN'],
    codes: ['cache_misconfigured', 'access_misconfigured', 'bulk_misconfigured'],
  },
  'Upstash URL that is a redis:// URL': {
    vars: { UPSTASH_REDIS_REST_URL: 'redis://127.0.0.1:6379', UPSTASH_REDIS_REST_TOKEN: 't' },
    variables: ['UPSTASH_REDIS_REST_URL'],
    codes: ['cache_misconfigured', 'access_misconfigured', 'bulk_misconfigured'],
  },
  'Upstash token with a line break': {
    vars: { UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9', UPSTASH_REDIS_REST_TOKEN: 'abc\ndef' },
    variables: ['UPSTASH_REDIS_REST_TOKEN'],
    codes: ['cache_misconfigured', 'access_misconfigured', 'bulk_misconfigured'],
  },
  'REDIS_TIMEOUT_MS with a unit': { vars: { ...CLOSED_REDIS, REDIS_TIMEOUT_MS: '250ms' }, variables: ['REDIS_TIMEOUT_MS'], codes: ['cache_misconfigured', 'access_misconfigured'] },
  'CACHE_SHARED_RESOURCES naming no resource': { vars: { CACHE_SHARED_RESOURCES: 'natal,horoscope' }, variables: ['CACHE_SHARED_RESOURCES'], codes: ['cache_misconfigured'] },
  'LOG_LEVEL unknown': { vars: { LOG_LEVEL: 'loud' }, variables: ['LOG_LEVEL'], codes: [] },
  'METRICS_FLUSH_SEC negative': { vars: { METRICS_FLUSH_SEC: '-1' }, variables: ['METRICS_FLUSH_SEC'], codes: [] },
  'CORS_ORIGINS entry without a scheme': { vars: { CORS_ORIGINS: 'app.example.com' }, variables: ['CORS_ORIGINS'], codes: [] },
};

/** The routes each code stops, and how each answers. */
const PROBES: Record<string, { label: string; send: (vars: Record<string, string>) => Promise<Response>; legacy?: boolean }[]> = {
  bulk_misconfigured: [
    { label: 'POST /v1/bulk', send: (vars) => post(vars, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] }) },
    { label: 'GET /v1/bulk/{id}', send: (vars) => call(vars, `/v1/bulk/${JOB_ID}`) },
    { label: 'GET /v1/bulk/{id}/results', send: (vars) => call(vars, `/v1/bulk/${JOB_ID}/results`) },
    { label: 'POST /internal/bulk/chunk', send: (vars) => post(vars, '/internal/bulk/chunk', {}, { 'upstash-signature': 'x' }) },
  ],
  access_misconfigured: [
    { label: 'POST /v1/charts/natal', send: (vars) => post(vars, '/v1/charts/natal', BIRTH) },
    { label: 'POST /lahiri/natal', send: (vars) => post(vars, '/lahiri/natal', LEGACY_BIRTH), legacy: true },
    { label: 'POST /v1/bulk', send: (vars) => post(vars, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] }) },
    { label: 'GET /admin/keys', send: (vars) => call(vars, '/admin/keys', { headers: admin }) },
  ],
  cache_misconfigured: [{ label: 'DELETE /cache/clear', send: (vars) => call(vars, '/cache/clear', { method: 'DELETE', headers: admin }) }],
};

describe('every unusable variable: listed by /health, a 503 with a code where it is needed, never a 500', () => {
  it.each(Object.entries(CASES))('%s', async (_name, { vars, variables, codes }) => {
    const res = await call(vars, '/health');
    expect(res.status).toBe(200);
    const health = (await res.json()) as any;
    expect(health.status).toBe('degraded');
    const config = health.dependencies.config;
    expect(config.status).toBe('invalid');
    expect(config.problems.map((p: any) => p.variable).sort()).toEqual([...variables].sort());
    for (const problem of config.problems) {
      expect(problem.message).toContain(problem.variable);
      expect([...problem.codes].sort()).toEqual([...codes].sort());
      expect(problem.effects.length).toBeGreaterThan(0);
    }
    expect(config.errors).toHaveLength(config.problems.length);
    for (const [i, line] of config.errors.entries()) expect(line).toContain(config.problems[i].message);

    // /v1/… and the old routes are keyed: when access is broken too, it refuses first, with its own code.
    const expectedCode = (label: string, code: string) => (codes.includes('access_misconfigured') && / \/(v1|lahiri)\//.test(label) ? 'access_misconfigured' : code);
    for (const probe of codes.flatMap((code) => PROBES[code].map((p) => ({ ...p, code })))) {
      const answer = await probe.send(vars);
      const where = `${probe.label}`;
      expect(answer.status, where).toBe(503);
      const body = probe.legacy ? (await expectLegacyErrorShape(answer, where)).body : (await expectErrorShape(answer, where)).body.error;
      expect(body.code, where).toBe(expectedCode(probe.label, probe.code));
      for (const variable of variables) expect(probe.legacy ? body.error : body.message, where).toContain(variable);
    }
    // Routes that do not need the variable keep working.
    if (!codes.includes('access_misconfigured')) expect((await post(vars, '/v1/charts/natal', BIRTH)).status).toBe(200);
    if (codes.length === 0) expect((await call(vars, '/health/ready')).status).toBe(200);
  });

  it('several mistakes at once: each is listed, and the 503 names them all', async () => {
    const vars = { WEBHOOK_SECRET: 'short', PUBLIC_BASE_URL: 'ftp://api.example.com', ALLOW_LOOPBACK_CALLBACKS: 'maybe' };
    const health = (await (await call(vars, '/health')).json()) as any;
    expect(health.dependencies.config.problems.map((p: any) => p.variable).sort()).toEqual(['ALLOW_LOOPBACK_CALLBACKS', 'PUBLIC_BASE_URL', 'WEBHOOK_SECRET']);
    const res = await post(vars, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] });
    expect(res.status).toBe(503);
    const { body } = await expectErrorShape(res, 'bulk');
    expect(body.error.code).toBe('bulk_misconfigured');
    for (const name of ['WEBHOOK_SECRET', 'PUBLIC_BASE_URL', 'ALLOW_LOOPBACK_CALLBACKS']) expect(body.error.message).toContain(name);
    // The secret itself is never shown, only its length.
    expect(JSON.stringify(health)).not.toContain('short');
  });

  it('a mistake several modules refuse is one entry naming each effect', async () => {
    const health = (await (await call({ UPSTASH_REDIS_REST_TOKEN: 't' }, '/health')).json()) as any;
    expect(health.dependencies.config.problems).toEqual([
      {
        variable: 'UPSTASH_REDIS_REST_URL',
        message: expect.stringMatching(/^UPSTASH_REDIS_REST_URL is missing while UPSTASH_REDIS_REST_TOKEN is set: set both/),
        effects: expect.arrayContaining([expect.stringContaining('cache_misconfigured'), expect.stringContaining('access_misconfigured'), expect.stringContaining('bulk_misconfigured')]),
        codes: ['cache_misconfigured', 'access_misconfigured', 'bulk_misconfigured'],
      },
    ]);
  });
});

describe('a dependency configured but not answering: 503 with a code, never a 500', () => {
  it('DELETE /cache/clear is 503 cache_unavailable and nothing is cleared; /health says unreachable', async () => {
    const res = await call(CLOSED_REDIS, '/cache/clear', { method: 'DELETE', headers: admin });
    expect(res.status).toBe(503);
    const { body } = await expectErrorShape(res, 'clear');
    expect(body.error.code).toBe('cache_unavailable');
    expect(body.error.message).toMatch(/not cleared/);
    const health = (await (await call(CLOSED_REDIS, '/health')).json()) as any;
    expect(health.dependencies.redis.status).toBe('unreachable');
    expect(health.dependencies.config).toEqual({ status: 'ok' });
  });

  it('bulk routes are 503 job_store_unavailable; a calculation still answers from compute', async () => {
    for (const [label, send] of [
      ['create', () => post(CLOSED_REDIS, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input: BIRTH }] })],
      ['status', () => call(CLOSED_REDIS, `/v1/bulk/${JOB_ID}`)],
      ['results', () => call(CLOSED_REDIS, `/v1/bulk/${JOB_ID}/results`)],
    ] as const) {
      const res = await send();
      expect(res.status, label).toBe(503);
      expect((await expectErrorShape(res, label)).body.error.code, label).toBe('job_store_unavailable');
    }
    expect((await post(CLOSED_REDIS, '/v1/charts/natal', BIRTH)).status).toBe(200);
  });

  it('a callback that cannot be reached: the chunk route answers 503 webhook_undeliverable (QStash retries it)', async () => {
    // Inline chunks, memory store, QStash signing keys: the chunk route is reachable as QStash would call it.
    const vars = {
      QSTASH_CURRENT_SIGNING_KEY: FUZZ_SIGNING_KEY,
      QSTASH_NEXT_SIGNING_KEY: 'sig_config_next_0123456789',
      WEBHOOK_SECRET: 'config-test-webhook-secret-0123456789',
      ALLOW_LOOPBACK_CALLBACKS: 'true',
    };
    const input = { ...BIRTH, longitude: 72.5 };
    // Port 9 again: the webhook is refused at once, on every attempt of the inline run.
    const created = await post(vars, '/v1/bulk', { items: [{ id: 'a', type: 'natal', input }], callbackUrl: 'http://127.0.0.1:9/hook' });
    expect(created.status).toBe(202);
    const { jobId } = (await created.json()) as any;
    const status = (await (await call(vars, `/v1/bulk/${jobId}`)).json()) as any;
    expect(status.status).toBe('completed');
    // QStash's redelivery of the recorded chunk sends the webhook not yet handed over, and fails again.
    const body = JSON.stringify({ v: 1, jobId, chunk: 0, items: [{ index: 0, id: 'a', type: 'natal', input }] });
    const signature = await qstashSignature('https://api.test/internal/bulk/chunk', body);
    const res = await call(vars, '/internal/bulk/chunk', { method: 'POST', headers: { 'content-type': 'application/json', 'upstash-signature': signature }, body });
    expect(res.status).toBe(503);
    expect((await expectErrorShape(res, 'chunk')).body.error.code).toBe('webhook_undeliverable');
  });
});
