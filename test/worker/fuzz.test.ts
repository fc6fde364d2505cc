/**
 * Property-based fuzzing of every route in workerd.
 *
 * The routes come from the live `/openapi.json` plus those it does not
 * document, so new routes are fuzzed without touching this file. Each route
 * gets generated requests (fuzz-arbitraries.ts) and every answer must satisfy
 * the invariants of fuzz-checks.ts: no 5xx, the family's error shape with a
 * stable code, no internals in any body, CORS only for the allowed origin, and
 * no 2xx for a request that is certainly invalid.
 *
 * Reproduce a failure with the printed seed: VITE_FUZZ_SEED=<seed> (Vite
 * passes only VITE_-prefixed variables into workerd; FUZZ_SEED is read too
 * where the runner forwards it). VITE_FUZZ_SCALE multiplies the runs per route.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import type { AppEnv } from '../../src/env';
import {
  BASE_URL,
  FUZZ_ADMIN_TOKEN,
  FUZZ_ORIGIN_ALLOWED,
  FUZZ_SIGNING_KEY,
  ODD_METHODS,
  asciiText,
  bodyText,
  classify,
  encodeUri,
  describeRequest,
  qstashSignature,
  queryText,
  requestArb,
  seedBody,
  toRequest,
  type FuzzRequest,
  type RouteKind,
  type RouteSpec,
} from './fuzz-arbitraries';
import { checkResponse, type Sent } from './fuzz-checks';

const envVar = (name: string): string | undefined => {
  const vars = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  return vars[name] ?? vars[`VITE_${name}`];
};

const BASE_SEED = Number(envVar('FUZZ_SEED') ?? 20260426);
const MIN_REQUESTS = 2000;
/** Multiplies every route's runs (VITE_FUZZ_SCALE=10 for a long hunt). */
const SCALE = Number(envVar('FUZZ_SCALE') ?? 1);
/**
 * Runs per route kind: the routes with rich inputs get the most; the 35 old
 * routes share one schema, so each gets fewer. Others get DEFAULT_RUNS.
 */
const RUNS: Partial<Record<RouteKind, number>> = {
  'chart-post': 150,
  'chart-get': 120,
  'divisional-one-post': 120,
  'divisional-one-get': 100,
  'divisional-many': 150,
  transits: 150,
  bulk: 150,
  'bulk-results': 80,
  batch: 120,
  'qstash-chunk': 80,
  'qstash-abandoned': 80,
  'log-level': 60,
  'key-create': 60,
  legacy: 20,
};
const DEFAULT_RUNS = 25;
/** Requests aimed at paths and methods that are not routes at all. */
const UNKNOWN_ROUTE_RUNS = 200;

/** Anonymous quota out of the way (429s would hide validation), an admin token, one allowed origin, quiet logs. */
const FUZZ_ENV = {
  ...env,
  RATE_LIMITS: '{"anonymous":{"requests":1000000,"windowSec":60}}',
  ADMIN_TOKEN: FUZZ_ADMIN_TOKEN,
  CORS_ORIGINS: FUZZ_ORIGIN_ALLOWED,
  LOG_LEVEL: 'error',
  QSTASH_CURRENT_SIGNING_KEY: FUZZ_SIGNING_KEY,
  QSTASH_NEXT_SIGNING_KEY: `${FUZZ_SIGNING_KEY}_next`,
} as AppEnv['Bindings'];

/** Routes `/openapi.json` does not list (operations and internal ones), as method + template. */
const UNDOCUMENTED: Array<[string, string]> = [
  ['GET', '/docs'],
  ['GET', '/openapi.json'],
  ['GET', '/health'],
  ['GET', '/health/live'],
  ['GET', '/health/ready'],
  ['GET', '/cache/stats'],
  ['DELETE', '/cache/clear'],
  ['POST', '/v1/bulk'],
  ['GET', '/v1/bulk/{jobId}'],
  ['GET', '/v1/bulk/{jobId}/results'],
  ['POST', '/internal/bulk/chunk'],
  ['POST', '/internal/bulk/abandoned'],
  ['POST', '/internal/bulk/webhook-failed'],
  ['POST', '/batch/calculate'],
  ['GET', '/metrics'],
  ['GET', '/metrics/json'],
  ['GET', '/logging/status'],
  ['PUT', '/logging/level'],
  ['DELETE', '/logging/level'],
  ['GET', '/admin/keys'],
  ['POST', '/admin/keys'],
  ['DELETE', '/admin/keys/{keyId}'],
];

let requestsSent = 0;
const statuses = new Map<number, number>();
/** Which statuses each kind of route answered: shows that the generators reach past the first check. */
const statusesByKind = new Map<string, Record<number, number>>();
const loggedErrors: unknown[] = [];
const print = console.log.bind(console);

async function send(request: Request): Promise<{ res: Response; text: string }> {
  requestsSent++;
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, FUZZ_ENV, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  return { res, text };
}

function templateRegex(template: string): RegExp {
  return new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
}

let routes: RouteSpec[] = [];
const realIds: Record<string, string> = {};

function methodsOf(path: string): string[] {
  return [...new Set(routes.filter((r) => templateRegex(r.template).test(path)).map((r) => r.method))];
}

/** Sends one generated request and returns every broken invariant. */
async function exercise(spec: RouteSpec, fr: FuzzRequest): Promise<string[]> {
  const body = fr.method === 'GET' || fr.method === 'HEAD' ? undefined : bodyText(fr.body, seedBody(spec));
  const signature = fr.sign ? await qstashSignature(`${BASE_URL}${fr.path}`, body ?? '') : undefined;
  const request = toRequest(spec, fr, signature);
  const sent: Sent = {
    spec,
    pathMethods: methodsOf(fr.path),
    method: request.method,
    path: fr.path,
    suffix: fr.suffix,
    url: request.url,
    query: fr.query.kind === 'pairs' ? fr.query.pairs : null,
    contentType: request.headers.get('content-type'),
    body,
    headers: request.headers,
  };
  const errorsBefore = loggedErrors.length;
  let outcome: { res: Response; text: string };
  try {
    outcome = await send(request);
  } catch (err) {
    return [`the Worker threw instead of answering: ${String(err)}`];
  }
  const problems = checkResponse(sent, outcome.res, outcome.text);
  const byStatus = statusesByKind.get(spec.kind) ?? {};
  byStatus[outcome.res.status] = (byStatus[outcome.res.status] ?? 0) + 1;
  statusesByKind.set(spec.kind, byStatus);
  if (loggedErrors.length > errorsBefore) problems.push(`logged an error: ${JSON.stringify(loggedErrors.slice(errorsBefore)).slice(0, 600)}`);
  if (problems.length) problems.unshift(`→ ${outcome.res.status} ${outcome.text.slice(0, 300)}`);
  return problems;
}

const failures: string[] = [];

async function fuzzRoute(spec: RouteSpec, seed: number, numRuns: number): Promise<void> {
  const property = fc.asyncProperty(requestArb(spec, realIds), async (fr) => {
    const problems = await exercise(spec, fr);
    if (problems.length) throw new Error(problems.join('\n    '));
  });
  const details = await fc.check(property, { seed, numRuns });
  if (details.failed) {
    const example = details.counterexample?.[0];
    failures.push(
      `${spec.method} ${spec.template} (seed ${seed}, path ${details.counterexamplePath}):\n` +
        `  ${example ? describeRequest(spec, example) : '(no counterexample)'}\n` +
        `    ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    );
  }
}

beforeAll(async () => {
  // Silence the per-request log lines; keep every error line as evidence against the request that caused it.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void loggedErrors.push(args));

  const { res, text } = await send(new Request(`${BASE_URL}/openapi.json`));
  expect(res.status).toBe(200);
  const doc = JSON.parse(text) as { paths: Record<string, Record<string, unknown>> };
  const pairs = new Map<string, [string, string]>();
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) pairs.set(`${method.toUpperCase()} ${template}`, [method.toUpperCase(), template]);
  }
  for (const [method, template] of UNDOCUMENTED) pairs.set(`${method} ${template}`, [method, template]);
  routes = [...pairs.values()].map(([method, template]) => classify(method, template));

  // Real ids, so the status, results and revoke routes are reached past "not found".
  const job = await send(
    new Request(`${BASE_URL}/v1/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seedBody(classify('POST', '/v1/bulk'))) }),
  );
  expect(job.res.status, job.text).toBe(202);
  realIds.jobId = JSON.parse(job.text).jobId;
  const key = await send(
    new Request(`${BASE_URL}/admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${FUZZ_ADMIN_TOKEN}` },
      body: JSON.stringify({ name: 'fuzz', plan: 'free' }),
    }),
  );
  if (key.res.status === 201 || key.res.status === 200) realIds.keyId = JSON.parse(key.text).keyId;
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('fuzz: hostile requests at every route', () => {
  it('finds every route: the documented ones, the 35 old ones and the undocumented ones', () => {
    const templates = new Set(routes.map((r) => r.template));
    expect(routes.filter((r) => r.family === 'legacy' && r.kind === 'legacy')).toHaveLength(35);
    for (const [, template] of UNDOCUMENTED) expect(templates).toContain(template);
    for (const template of ['/v1/charts/natal', '/v1/charts/divisional', '/v1/charts/divisional/{division}', '/v1/transits']) expect(templates).toContain(template);
  });

  it(
    'every route: no 5xx, the standard error shape, no internals, no silent guess',
    async () => {
      print(`fuzz: seed ${BASE_SEED} (set VITE_FUZZ_SEED to change), ${routes.length} routes, scale ${SCALE}`);
      for (const [i, spec] of routes.entries()) await fuzzRoute(spec, BASE_SEED + i, Math.round((RUNS[spec.kind] ?? DEFAULT_RUNS) * SCALE));
      expect(failures, failures.join('\n\n')).toEqual([]);
    },
    300_000,
  );

  it(
    'random paths and methods (mostly no route at all): the same invariants, 404/405 in the standard shape',
    async () => {
      const segment = fc.oneof(fc.constantFrom('v1', 'v2', 'charts', 'natal', 'lahiri', 'raman', 'bulk', 'admin', 'internal', '..', '.', '%2e', '%00', '', 'D9'), asciiText(12).map(encodeUri));
      const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
      const property = fc.asyncProperty(path, fc.constantFrom(...ODD_METHODS), async (p, method) => {
        const spec = classify(method, p);
        const fr: FuzzRequest = {
          method,
          path: p,
          suffix: '',
          query: { kind: 'pairs', pairs: [] },
          body: { kind: 'json', value: { a: 1 }, mutations: [] },
          headers: { contentType: 'application/json', extra: [] },
          sign: false,
        };
        const problems = await exercise(spec, fr);
        if (problems.length) throw new Error(`${method} ${p}${queryText(fr.query)}\n    ${problems.join('\n    ')}`);
      });
      const details = await fc.check(property, { seed: BASE_SEED - 1, numRuns: UNKNOWN_ROUTE_RUNS });
      expect(details.failed, details.failed ? `seed ${details.seed}: ${String(details.errorInstance)}` : '').toBe(false);
    },
    120_000,
  );

  it(`sent at least ${MIN_REQUESTS} requests`, () => {
    print(`fuzz: ${requestsSent} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    print([...statusesByKind].map(([kind, counts]) => `  ${kind}: ${JSON.stringify(counts)}`).join('\n'));
    expect(requestsSent).toBeGreaterThanOrEqual(MIN_REQUESTS);
    // The generators must reach the success paths too, not only the first validation error.
    expect([...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0)).toBeGreaterThan(100);
  });
});
