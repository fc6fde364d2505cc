/**
 * Serves a route's result through the cache and speaks HTTP caching to the
 * client: `X-Cache` (HIT-EDGE | HIT-REDIS | MISS), `Server-Timing` (cache and
 * compute durations), a strong `ETag` of the exact body with `If-None-Match`
 * → 304, and `Cache-Control` matching the TTL on GET.
 *
 * What is cached is the calculation (`compute`), keyed by a normalised input;
 * what is sent is `render(value)`, which adds the caller's own echo (the time
 * zone as given, a user_name), so callers never see each other's fields.
 */
import type { Context, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import { CACHE_POLICY, type Resource } from '../cache';
import { log } from '../obs/log';
import { recordCalculation, recordChartRequest } from '../obs/record';
import { waitUntilOf } from './wait-until';
import type { AppEnv } from '../env';

interface CachedOptions<T, B> {
  resource: Resource;
  /** For `astro_engine_chart_requests_total`. */
  ayanamsa: string;
  /** Normalised calculation input (instant, place, settings…); `null` = do not cache (e.g. "now"). */
  keyInput: unknown | null;
  compute: () => T;
  render: (value: T) => B;
}

async function strongEtag(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}

/** RFC 9110 §13.1.2: weak comparison, a list of tags or `*`. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Chart results carry `ephemeris` ('swiss' | 'moshier'); others nothing. */
function ephemerisOf(value: unknown): unknown {
  return value && typeof value === 'object' ? (value as { ephemeris?: unknown }).ephemeris : undefined;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Typed like `c.json(body, 200)` so routes keep their OpenAPI response types;
 * the body is serialised once here because the ETag needs the exact text.
 */
type JsonResponse<B> = Response & TypedResponse<JSONParsed<B>, 200, 'json'>;

export async function cachedJson<T, B>(c: Context<AppEnv>, options: CachedOptions<T, B>): Promise<JsonResponse<B>> {
  const { resource, keyInput, compute, render } = options;
  recordChartRequest(resource, options.ayanamsa);
  let value: T;
  let source = 'MISS';
  let cacheMs = 0;
  let computeMs = 0;
  if (keyInput === null) {
    const started = performance.now();
    value = compute();
    computeMs = performance.now() - started;
  } else {
    const lookup = await c.get('cache').getOrCompute(resource, keyInput, compute, waitUntilOf(c));
    ({ value, source, cacheMs, computeMs } = lookup);
  }
  if (source === 'MISS') recordCalculation(resource, computeMs / 1000, ephemerisOf(value));
  log.debug('cache_lookup', { requestId: c.get('requestId'), resource, source, cacheMs: round(cacheMs), computeMs: round(computeMs) });
  const obs = c.get('obs');
  if (obs) {
    obs.cache = source;
    obs.computeMs += computeMs;
  }
  const text = JSON.stringify(render(value));
  const etag = await strongEtag(text);
  c.header('X-Cache', source);
  c.header('Server-Timing', `cache;dur=${round(cacheMs)};desc="${source}", compute;dur=${round(computeMs)}`);
  c.header('ETag', etag);
  if (c.req.method === 'GET') {
    // A response to a keyed caller must not be served by a shared cache to someone without a key.
    const keyed = c.env?.REQUIRE_API_KEY?.trim().toLowerCase() === 'true' || c.get('principal')?.kind === 'key';
    c.header('Cache-Control', keyInput === null ? 'no-store' : `${keyed ? 'private' : 'public'}, max-age=${CACHE_POLICY[resource].ttlSec}`);
  }
  const response: Response = matchesIfNoneMatch(c.req.header('if-none-match'), etag)
    ? c.body(null, 304)
    : c.body(text, 200, { 'Content-Type': 'application/json' });
  return response as JsonResponse<B>;
}
