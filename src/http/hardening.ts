/**
 * Response hardening: standard security headers on every answer,
 * and CORS for the origins listed in `CORS_ORIGINS`.
 *
 * CORS decisions, for a request carrying `Origin`:
 * - allowed origin: `Access-Control-Allow-Origin` (the origin itself, or `*`
 *   when CORS_ORIGINS is `*`), the exposed headers, and for a preflight a 204
 *   with the allowed methods and headers;
 * - any other origin, preflight (OPTIONS with Access-Control-Request-Method):
 *   403 `cors_origin_denied` (the standard error shape; the old one on the
 *   old routes), no ACAO header;
 * - any other origin, actual request: served as usual, without ACAO headers.
 *   The browser withholds the answer from the page; non-browser clients are
 *   unaffected, so refusing would add nothing but confusion.
 * CORS_ORIGINS unset or empty: no origin is allowed (no cross-origin access).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env';
import { writeLine } from '../obs/log';
import { AppError } from './errors';
import { SYNC_BODY_LIMIT_BYTES } from './json-body';
import { isLegacyPath, legacyOnError } from '../routes/legacy';

/** Response headers a browser page may read (everything else stays hidden from cross-origin scripts). */
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Cache',
  'ETag',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'Server-Timing',
  // Bulk jobs: where the job is, and whether an Idempotency-Key replayed it.
  'Location',
  'Idempotent-Replayed',
  // The old service's id header, echoed when sent.
  'X-Correlation-ID',
] as const;

/** Request headers a page may send beyond the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Correlation-ID', 'If-None-Match'] as const;

export const CORS_ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;

/** Chromium caps preflight caching at 2 h; longer values buy nothing. */
export const CORS_MAX_AGE_SEC = 7200;

export interface CorsPolicy {
  /** `*` was listed: every origin, answered with `Access-Control-Allow-Origin: *`. */
  any: boolean;
  /** Normalised origins (`scheme://host[:port]`, lower case). */
  origins: ReadonlySet<string>;
  /** Entries that are not an http(s) origin; ignored, and reported once in the log. */
  rejected: readonly string[];
}

/** `https://App.example.com/` → `https://app.example.com`; null for anything that is not a bare http(s) origin. */
function normaliseOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return null;
  return url.origin;
}

/**
 * Parses `CORS_ORIGINS`: comma-separated origins, `*` for any. `null` (the
 * origin of sandboxed frames and files) is never allowed by name, since any
 * page can produce it.
 */
export function parseCorsOrigins(value: string | undefined): CorsPolicy {
  const origins = new Set<string>();
  const rejected: string[] = [];
  let any = false;
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    if (entry === '*') {
      any = true;
      continue;
    }
    const origin = normaliseOrigin(entry);
    if (origin) origins.add(origin);
    else rejected.push(entry);
  }
  return { any, origins, rejected };
}

export function originAllowed(policy: CorsPolicy, origin: string | undefined): boolean {
  if (!origin) return false;
  if (policy.any) return true;
  const normalised = normaliseOrigin(origin);
  return normalised !== null && policy.origins.has(normalised);
}

interface CorsSetup {
  policy: CorsPolicy;
  /** hono/cors configured for this policy; answers the preflights of allowed origins. */
  preflight: MiddlewareHandler<AppEnv>;
}

let memo: { value: string | undefined; setup: CorsSetup } | undefined;

function corsSetup(value: string | undefined): CorsSetup {
  if (memo && memo.value === value) return memo.setup;
  const policy = parseCorsOrigins(value);
  if (policy.rejected.length) {
    writeLine('warn', 'CORS_ORIGINS entries ignored: not an http(s) origin like https://app.example.com', { entries: policy.rejected.map((e) => e.slice(0, 100)) });
  }
  const preflight = cors({
    // Echo the (already checked) origin; `*` only when every origin is allowed.
    origin: policy.any ? '*' : (origin) => origin,
    allowMethods: [...CORS_ALLOWED_METHODS],
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: CORS_MAX_AGE_SEC,
    credentials: false,
  }) as MiddlewareHandler<AppEnv>;
  const setup = { policy, preflight };
  memo = { value, setup };
  return setup;
}

function isPreflight(c: Context<AppEnv>): boolean {
  return c.req.method === 'OPTIONS' && c.req.header('origin') !== undefined && c.req.header('access-control-request-method') !== undefined;
}

export function corsFromEnv(): MiddlewareHandler<AppEnv> {
  return async function corsMiddleware(c, next) {
    const { policy, preflight } = corsSetup(c.env?.CORS_ORIGINS);
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && originAllowed(policy, origin);
    if (isPreflight(c)) {
      if (allowed) return preflight(c, next);
      c.header('Vary', 'Origin', { append: true });
      const denied = new AppError(403, 'cors_origin_denied', 'Cross-origin requests from this origin are not allowed (see CORS_ORIGINS)');
      // The old routes answer every refusal in the old shape, as authentication does.
      if (isLegacyPath(c.req.path)) return legacyOnError(denied, c);
      throw denied;
    }
    if (allowed) {
      // Set before the handler runs, so that error answers carry them too. Done here rather
      // than by hono/cors, which would answer a plain OPTIONS as if it were a preflight.
      c.header('Access-Control-Allow-Origin', policy.any ? '*' : origin);
      c.header('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS.join(','));
    }
    await next();
    // The answer depends on Origin whenever some origins are allowed and others not.
    if (!policy.any && policy.origins.size > 0) c.header('Vary', 'Origin', { append: true });
  };
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A CSP for an HTML page: exactly the inline `<style>` blocks it carries (by
 * hash) and nothing else: no scripts, images, frames or external styles.
 * Computed from the page itself, so the docs page (one inline style, no
 * scripts) can change without its policy going stale.
 */
export async function htmlCsp(html: string): Promise<string> {
  const hashes = await Promise.all([...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)].map(async (m) => `'sha256-${await sha256Base64(m[1])}'`));
  const style = hashes.length ? `style-src ${[...new Set(hashes)].join(' ')}` : "style-src 'none'";
  return `default-src 'none'; ${style}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
}

const standardHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  xFrameOptions: 'DENY',
  // Cross-origin reads go through CORS (mode "cors"), which this header does not affect.
  crossOriginResourcePolicy: 'same-origin',
  referrerPolicy: 'no-referrer',
}) as MiddlewareHandler<AppEnv>;

/**
 * Standard security headers on every response, errors included:
 * `Content-Security-Policy` (nothing may load for JSON; the docs page's own
 * styles for HTML), `Strict-Transport-Security`, `X-Content-Type-Options:
 * nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
 * `Cross-Origin-Opener-Policy` / `-Resource-Policy: same-origin`, and
 * hono/secure-headers' other defaults.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeadersMiddleware(c, next) {
    await standardHeaders(c, next);
    if (/^text\/html/i.test(c.res.headers.get('content-type') ?? '') && c.res.body) {
      c.res.headers.set('Content-Security-Policy', await htmlCsp(await c.res.clone().text()));
    }
  };
}

/**
 * Paths that set their own body limit where they are mounted: the chart and
 * bulk routes (jsonBody in app.ts and routes/bulk.ts; 16 KiB and 5 MiB), the
 * QStash deliveries (1 MiB), and the old service's routes, whose 413 must keep
 * the old error shape.
 */
const OWN_BODY_LIMIT = /^\/(v1|lahiri|raman|internal\/bulk|batch|async)(\/|$)/;

/**
 * The sync limit (16 KiB) for every other request that has a body (the
 * operations routes: `PUT /logging/level`, `/admin/keys`…, and unknown paths),
 * so no route can be made to read an unbounded body. 413 `payload_too_large`.
 */
export function defaultBodyLimit(maxBytes = SYNC_BODY_LIMIT_BYTES): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(413, 'payload_too_large', `Request body exceeds ${maxBytes} bytes`);
    },
  }) as MiddlewareHandler<AppEnv>;
  return async function defaultBodyLimitMiddleware(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || OWN_BODY_LIMIT.test(c.req.path)) return next();
    return limit(c, next);
  };
}
