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
import { CACHE_POLICY, type Resource, type WaitUntil } from '../cache';
import type { AppEnv } from '../env';

interface CachedOptions<T, B> {
  resource: Resource;
  /** Normalised calculation input (instant, place, settings…); `null` = do not cache (e.g. "now"). */
  keyInput: unknown | null;
  compute: () => T;
  render: (value: T) => B;
}

/** Hono's executionCtx throws outside a Worker (Node's app.request); fills then just run. */
function waitUntilOf(c: Context<AppEnv>): WaitUntil {
  try {
    return c.executionCtx;
  } catch {
    return { waitUntil: (promise) => void promise.catch(() => undefined) };
  }
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

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/**
 * Typed like `c.json(body, 200)` so routes keep their OpenAPI response types;
 * the body is serialised once here because the ETag needs the exact text.
 */
type JsonResponse<B> = Response & TypedResponse<JSONParsed<B>, 200, 'json'>;

export async function cachedJson<T, B>(c: Context<AppEnv>, options: CachedOptions<T, B>): Promise<JsonResponse<B>> {
  const { resource, keyInput, compute, render } = options;
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
  const text = JSON.stringify(render(value));
  const etag = await strongEtag(text);
  c.header('X-Cache', source);
  c.header('Server-Timing', `cache;dur=${round(cacheMs)};desc="${source}", compute;dur=${round(computeMs)}`);
  c.header('ETag', etag);
  if (c.req.method === 'GET') {
    c.header('Cache-Control', keyInput === null ? 'no-store' : `public, max-age=${CACHE_POLICY[resource].ttlSec}`);
  }
  const response: Response = matchesIfNoneMatch(c.req.header('if-none-match'), etag)
    ? c.body(null, 304)
    : c.body(text, 200, { 'Content-Type': 'application/json' });
  return response as JsonResponse<B>;
}
