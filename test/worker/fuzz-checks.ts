/**
 * What every answer to a hostile request must satisfy (fuzz.test.ts), as a
 * list of problems rather than assertions, so that one run can report all of
 * them with the request that caused each:
 * - never a 5xx; an X-Request-Id and the security headers on every answer;
 * - every error in its family's shape (the standard envelope, or the old
 *   service's on /lahiri, /raman and /batch/calculate), with a stable code;
 * - nothing internal (stack frames, source paths…) in any body;
 * - CORS headers only for the allowed origin;
 * - no silent guess: a request that is certainly invalid (see `mustFail`) is
 *   never answered with a 2xx.
 */
import { LEGACY_FIELD_NAMES } from '../../src/compat/legacy';
import { suggestField } from '../../src/http/validation';
import { FUZZ_ORIGIN_ALLOWED, STRICT_FIELD_TYPES, type RouteSpec } from './fuzz-arbitraries';
import { LEAK_PATTERNS } from './support';

/** What @hono/zod-openapi (and jsonBody) take as a JSON content type. */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

const CHART_FIELDS = ['datetime', 'timezone', 'utcOffset', 'latitude', 'longitude', 'ayanamsa', 'node', 'houseSystem', 'profile'];
const STRICT_FIELDS: Partial<Record<RouteSpec['kind'], string[]>> = {
  'chart-post': CHART_FIELDS,
  'divisional-one-post': [...CHART_FIELDS, 'method'],
  'divisional-many': [...CHART_FIELDS, 'divisions', 'method', 'methods'],
  transits: [...CHART_FIELDS, 'at'],
  bulk: ['items', 'callbackUrl'],
  'log-level': ['level', 'ttlSec'],
  'key-create': ['name', 'plan'],
};
const BULK_INPUT_FIELDS: Record<string, string[]> = {
  natal: CHART_FIELDS,
  divisional: STRICT_FIELDS['divisional-many']!,
  transits: STRICT_FIELDS.transits!,
};
const LEGACY_REQUIRED = ['birth_date', 'birth_time', 'latitude', 'longitude', 'timezone_offset'];

export interface Sent {
  spec: RouteSpec;
  /** Every method the route's path takes (GET and POST on /v1/charts/natal…). */
  pathMethods: readonly string[];
  method: string;
  /** The path with its parameters filled, and what was appended to it (mostly nothing). */
  path: string;
  suffix: string;
  /** The URL as sent (normalised by the URL parser: `/a/..` is `/`). */
  url: string;
  query: Array<[string, string]> | null;
  contentType: string | null;
  body: string | undefined;
  headers: Headers;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strictObjectProblem(obj: Record<string, unknown>, known: readonly string[], where: string): string | null {
  const unknown = Object.keys(obj).find((k) => !known.includes(k));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown.slice(0, 40))} at ${where || 'top level'}`;
  for (const [key, value] of Object.entries(obj)) {
    const expected = STRICT_FIELD_TYPES[key];
    if (expected && known.includes(key) && jsonType(value) !== expected) return `${where}${key} is ${jsonType(value)}, not ${expected}`;
    if (expected === 'number' && typeof value === 'number' && !Number.isFinite(value)) return `${where}${key} is not finite`;
  }
  return null;
}

function chartProblem(obj: Record<string, unknown>, known: readonly string[], where: string): string | null {
  const strict = strictObjectProblem(obj, known, where);
  if (strict) return strict;
  for (const required of ['datetime', 'latitude', 'longitude']) if (!(required in obj)) return `${where}${required} is missing`;
  const { latitude, longitude } = obj as { latitude: number; longitude: number };
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return `${where}latitude/longitude out of range`;
  return null;
}

function legacyProblem(obj: Record<string, unknown>, where: string): string | null {
  for (const required of LEGACY_REQUIRED) if (!(required in obj)) return `${where}${required} is missing`;
  const typo = Object.keys(obj).find((k) => !(LEGACY_FIELD_NAMES as readonly string[]).includes(k) && suggestField(k, LEGACY_FIELD_NAMES) !== undefined);
  if (typo !== undefined) return `${where}${typo} is a near miss of a known field`;
  return null;
}

/**
 * Why this request can only be refused (a reason), or null when it might be
 * valid. Deliberately partial: it names only certain failures, so a 2xx to
 * one of them is a silent guess.
 */
export function mustFail(sent: Sent): string | null {
  const { spec, method } = sent;
  const preflight = method === 'OPTIONS' && sent.headers.has('origin') && sent.headers.has('access-control-request-method');
  if (preflight) return null;
  // A suffix may lead to another route (or none): only the route's own path is judged.
  if (sent.suffix !== '') return null;
  const takes = sent.pathMethods.includes(method) || (method === 'HEAD' && sent.pathMethods.includes('GET'));
  if (!takes && sent.path === spec.template) return `${method} is not a method of ${spec.template}`;
  if (method !== spec.method) return null;

  const strictQuery = spec.kind === 'chart-get' || spec.kind === 'divisional-one-get';
  if (strictQuery && sent.query) {
    const known = spec.kind === 'chart-get' ? CHART_FIELDS : [...CHART_FIELDS, 'method'];
    // `&=` (no name, no value) carries nothing, like `&&`; a value without a name must be refused.
    const keys = sent.query.filter(([k, v]) => k !== '' || v !== '').map(([k]) => k);
    const unknown = keys.find((k) => !known.includes(k));
    if (unknown !== undefined) return `unknown query parameter ${JSON.stringify(unknown.slice(0, 40))}`;
    if (new Set(keys).size !== keys.length) return 'a query parameter given twice';
    for (const required of ['datetime', 'latitude', 'longitude']) if (!keys.includes(required)) return `query ${required} is missing`;
  }

  const jsonRoute = spec.kind in STRICT_FIELDS || spec.kind === 'legacy' || spec.kind === 'batch';
  if (!jsonRoute || !['POST', 'PUT'].includes(method)) return null;
  if (sent.body === undefined) return 'no body';
  if (!JSON_CONTENT_TYPE.test(sent.contentType ?? '')) return `content type ${JSON.stringify(sent.contentType)} is not JSON`;
  const limit = spec.kind === 'bulk' ? 5 * 1024 * 1024 : 16 * 1024;
  if (new TextEncoder().encode(sent.body).length > limit) return `body over ${limit} bytes`;
  let parsed: unknown;
  try {
    // Request.json() decodes UTF-8 first, which drops a leading BOM.
    parsed = JSON.parse(sent.body.replace(/^\uFEFF/, ''));
  } catch {
    return 'body is not JSON';
  }
  if (!isObject(parsed)) return `body is ${jsonType(parsed)}, not an object`;

  switch (spec.kind) {
    case 'chart-post':
    case 'divisional-one-post':
    case 'divisional-many':
    case 'transits':
      return chartProblem(parsed, STRICT_FIELDS[spec.kind]!, '');
    case 'bulk': {
      const strict = strictObjectProblem(parsed, STRICT_FIELDS.bulk!, '');
      if (strict) return strict;
      if (!Array.isArray(parsed.items) || parsed.items.length === 0) return 'items is not a non-empty list';
      for (const [i, item] of parsed.items.entries()) {
        if (!isObject(item)) return `items.${i} is not an object`;
        const envelope = strictObjectProblem(item, ['id', 'type', 'input'], `items.${i}.`);
        if (envelope) return envelope;
        if (typeof item.id !== 'string' || typeof item.type !== 'string' || !(item.type in BULK_INPUT_FIELDS) || !isObject(item.input)) {
          return `items.${i} is not { id, type, input }`;
        }
        const input = chartProblem(item.input, BULK_INPUT_FIELDS[item.type], `items.${i}.input.`);
        if (input) return input;
        if (item.type === 'transits' && !('at' in item.input)) return `items.${i}.input.at is missing`;
      }
      return null;
    }
    case 'log-level':
    case 'key-create':
      return strictObjectProblem(parsed, STRICT_FIELDS[spec.kind]!, '');
    case 'legacy':
      return legacyProblem(parsed, '');
    case 'batch': {
      // Only the envelope fails the call: each item fails alone inside a 200 (test/unit/bulk/legacy-batch.test.ts).
      if (!Array.isArray(parsed.requests) || parsed.requests.length === 0) return 'requests is not a non-empty list';
      if (parsed.requests.length > 10) return 'more than 10 requests';
      return null;
    }
    default:
      return null;
  }
}

function standardShapeProblems(body: any, requestId: string | null): string[] {
  const problems: string[] = [];
  if (!isObject(body) || !isObject(body.error)) return ['not the standard error envelope { error: { code, message, requestId } }'];
  const extraTop = Object.keys(body).filter((k) => !['error', 'items', 'invalidItems'].includes(k));
  if (extraTop.length) problems.push(`unexpected top-level keys ${extraTop.join(',')}`);
  const { error } = body;
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details', 'requestId'].includes(k));
  if (extra.length) problems.push(`unexpected error keys ${extra.join(',')}`);
  problems.push(...commonProblems(error.code, error.message, error.details, error.requestId, requestId));
  return problems;
}

function legacyShapeProblems(body: any, requestId: string | null): string[] {
  if (!isObject(body) || typeof body.error !== 'string') return ['not the old error shape { error: "…", code, requestId }'];
  const extra = Object.keys(body).filter((k) => !['error', 'code', 'details', 'requestId'].includes(k));
  return [...(extra.length ? [`unexpected keys ${extra.join(',')}`] : []), ...commonProblems(body.code, body.error, body.details, body.requestId, requestId)];
}

function commonProblems(code: unknown, message: unknown, details: unknown, bodyRequestId: unknown, headerRequestId: string | null): string[] {
  const problems: string[] = [];
  if (typeof code !== 'string' || !/^[a-z][a-z_]*$/.test(code)) problems.push(`code ${JSON.stringify(code)} is not a stable snake_case code`);
  if (typeof message !== 'string' || message.length === 0) problems.push('no readable message');
  if (typeof bodyRequestId !== 'string' || bodyRequestId !== headerRequestId) problems.push(`requestId ${JSON.stringify(bodyRequestId)} differs from X-Request-Id ${headerRequestId}`);
  if (details !== undefined) {
    if (!Array.isArray(details) || details.length === 0) problems.push('details is not a non-empty list');
    else if (!details.every((d) => isObject(d) && typeof d.path === 'string' && typeof d.message === 'string' && d.message.length > 0)) {
      problems.push('a detail lacks a path or a message');
    }
  }
  return problems;
}

const DOC_ROUTES = new Set(['/docs', '/openapi.json']);

/** Where clients read the old error shape: the old prefixes (async included), and the batch route itself. */
function isOldRoutePath(pathname: string): boolean {
  return /^\/(lahiri|raman|async)\//.test(pathname) || pathname === '/batch/calculate';
}

export function checkResponse(sent: Sent, res: Response, text: string): string[] {
  const problems: string[] = [];
  const { spec, method } = sent;
  if (res.status >= 500) problems.push(`status ${res.status}`);
  const requestId = res.headers.get('x-request-id');
  if (!requestId) problems.push('no X-Request-Id');
  if (res.headers.get('x-content-type-options') !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if (!/^default-src 'none'/.test(res.headers.get('content-security-policy') ?? '')) problems.push('no Content-Security-Policy');

  // CORS: the allow header only ever names the configured origin, and only for it.
  const origin = sent.headers.get('origin');
  const acao = res.headers.get('access-control-allow-origin');
  if (acao !== null && (acao !== FUZZ_ORIGIN_ALLOWED || origin !== FUZZ_ORIGIN_ALLOWED)) problems.push(`Access-Control-Allow-Origin ${acao} for origin ${origin}`);
  if (origin === FUZZ_ORIGIN_ALLOWED && acao === null) problems.push('no Access-Control-Allow-Origin for the allowed origin');
  const preflight = method === 'OPTIONS' && origin !== null && sent.headers.has('access-control-request-method');
  if (preflight && origin !== FUZZ_ORIGIN_ALLOWED && res.status !== 403) problems.push(`preflight from ${origin} answered ${res.status}, not 403`);
  if (preflight && origin === FUZZ_ORIGIN_ALLOWED && res.status !== 204) problems.push(`allowed preflight answered ${res.status}, not 204`);

  if (res.status >= 400 && method !== 'HEAD') {
    if (!/^application\/json/.test(res.headers.get('content-type') ?? '')) problems.push(`error content-type ${res.headers.get('content-type')}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push('error body is not JSON');
    }
    if (body !== undefined) {
      // 404 and 405 come from routing, before any old route is reached: those are in the standard shape
      // (except the 404 of GET /async/job/{id}, which is that old route's own answer: no such job).
      const pathname = new URL(sent.url).pathname;
      const routed404 = res.status === 404 && !/^\/async\/job\/[^/]+$/.test(pathname);
      const legacy = isOldRoutePath(pathname) && !routed404 && res.status !== 405;
      problems.push(...(legacy ? legacyShapeProblems(body, requestId) : standardShapeProblems(body, requestId)));
    }
  }

  // The docs describe the API in prose, which may name a README in the repository.
  const documentation = res.status < 300 && DOC_ROUTES.has(sent.path);
  for (const [name, pattern] of LEAK_PATTERNS) {
    if (documentation && name === 'source path') continue;
    if (pattern.test(text)) problems.push(`leak (${name}): …${text.slice(Math.max(0, text.search(pattern) - 60), text.search(pattern) + 80)}…`);
  }

  if (res.status < 300) {
    const reason = mustFail(sent);
    if (reason) problems.push(`silent acceptance (${res.status}) of a request that must fail: ${reason}`);
  }
  return problems;
}
