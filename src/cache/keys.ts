/**
 * Cache keys.
 *
 *   ae:v<CACHE_KEY_VERSION>:<ns>:<resource>:<sha256>
 *
 *   ae                 this service's prefix in a shared Redis
 *   CACHE_KEY_VERSION  bumped by hand whenever the output shape changes
 *   ns                 the namespace number; `clear()` increments it, so every
 *                      older key becomes unreachable at once (see namespace.ts)
 *   resource           natal | divisional | transits | legacy (readable in Redis)
 *   sha256             lowercase hex SHA-256 of the canonical JSON of
 *                      `{ engine, input }`: `engine` is the engine version
 *                      string (service + Swiss Ephemeris), so a new engine
 *                      never reads an old engine's results; `input` is the
 *                      caller's key input.
 *
 * Contract for callers: `input` is the NORMALISED request, the values the
 * result depends on and nothing else, e.g.
 * `{ utc, latDeg, lonDeg, settings, division, method }`: resolved instants,
 * not the raw datetime/timezone/utcOffset fields (two spellings of one instant
 * must share a key); never `user_name`, request ids or anything echoed but not
 * computed (those are added to the response after the cache, or the cache
 * would leak one user's name to another). Two inputs that produce the same
 * result should produce the same key; two that may differ must not.
 *
 * Canonical JSON: object keys sorted (UTF-16 code unit order) at every depth;
 * numbers as JSON numbers (shortest round-trip form, so 13.0878 is
 * `13.0878` on every runtime; -0 becomes 0); properties whose value is
 * undefined omitted, as JSON.stringify does; anything else JSON cannot carry
 * faithfully (NaN, Infinity, undefined in an array, bigint, functions, Dates
 * and other class instances, cycles) is a CacheKeyError rather than a silent
 * collision.
 */
import { SERVICE_VERSION } from '../version';
import { CacheKeyError } from './errors';
import type { Resource } from './policy';

export const CACHE_KEY_VERSION = 2;
export const CACHE_KEY_PREFIX = 'ae';
/** The Swiss Ephemeris release compiled into wasm/swisseph.wasm (the engine reports it as `engine.version`). */
export const SWISSEPH_VERSION = '2.10.03';
/** Default engine version hashed into every key. */
export const CACHE_ENGINE_VERSION = `astro-engine-edge/${SERVICE_VERSION} swisseph/${SWISSEPH_VERSION}`;

export function canonicalJson(value: unknown): string {
  return write(value, '', new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CacheKeyError(path, `non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new CacheKeyError(path, `${typeof value} has no JSON form`);
  if (ancestors.has(value)) throw new CacheKeyError(path, 'cycle');
  ancestors.add(value);
  try {
    return Array.isArray(value) ? writeArray(value, path, ancestors) : writeObject(value, path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function writeArray(items: unknown[], path: string, ancestors: Set<object>): string {
  const parts = items.map((item, i) => {
    if (item === undefined) throw new CacheKeyError(`${path}/${i}`, 'undefined array element');
    return write(item, `${path}/${i}`, ancestors);
  });
  return `[${parts.join(',')}]`;
}

function writeObject(obj: object, path: string, ancestors: Set<object>): string {
  const proto = Object.getPrototypeOf(obj);
  // A Date or Map would stringify lossily ({} or a locale-free string): make the caller pick a form.
  if (proto !== Object.prototype && proto !== null) throw new CacheKeyError(path, `${proto?.constructor?.name ?? 'object'} instance is not plain JSON`);
  const record = obj as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (record[key] === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${write(record[key], `${path}/${key}`, ancestors)}`);
  }
  return `{${parts.join(',')}}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface KeyParts {
  /** Namespace number, or null while it is unknown (the lookup then bypasses the cache). */
  ns: number | null;
  resource: Resource;
  engineVersion: string;
  keyInput: unknown;
}

/** Builds the key described above; `-` stands for an unknown namespace (such keys are never stored). */
export async function buildCacheKey({ ns, resource, engineVersion, keyInput }: KeyParts): Promise<string> {
  const hash = await sha256Hex(canonicalJson({ engine: engineVersion, input: keyInput }));
  return `${CACHE_KEY_PREFIX}:v${CACHE_KEY_VERSION}:${ns ?? '-'}:${resource}:${hash}`;
}
