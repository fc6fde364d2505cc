import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from './errors';

/** Compares two strings in time that depends only on their lengths, via SHA-256 digests. */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encode = (s: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s));
  const [a, b] = await Promise.all([encode(given), encode(expected)]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/**
 * Operational writes need `Authorization: Bearer <ADMIN_TOKEN>` (a secret).
 * Without the secret configured the routes are closed, never open.
 */
/** The bearer token of the request, or '' when there is none. */
export function bearerOf(header: string | undefined): string {
  return /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '';
}

/**
 * `/metrics` and `/metrics/json`: open unless METRICS_TOKEN is set (the
 * production checklist sets it); then a scraper sends it, or an operator the
 * ADMIN_TOKEN.
 */
export function requireMetricsAccess(): MiddlewareHandler<AppEnv> {
  return async function requireMetricsAccessMiddleware(c, next) {
    const metricsToken = c.env?.METRICS_TOKEN;
    if (!metricsToken) return next();
    const given = bearerOf(c.req.header('authorization'));
    if (!given) {
      c.header('WWW-Authenticate', 'Bearer realm="astro-engine-edge metrics"');
      throw new AppError(401, 'unauthorized', 'Send the metrics token (or the admin token) as Authorization: Bearer <token>');
    }
    const adminToken = c.env?.ADMIN_TOKEN;
    const [isMetrics, isAdmin] = await Promise.all([sameSecret(given, metricsToken), adminToken ? sameSecret(given, adminToken) : false]);
    if (!isMetrics && !isAdmin) throw new AppError(403, 'forbidden', 'The metrics token is not valid');
    await next();
  };
}

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminMiddleware(c, next) {
    const expected = c.env?.ADMIN_TOKEN;
    if (!expected) throw new AppError(403, 'admin_disabled', 'Operations are disabled: set the ADMIN_TOKEN secret to enable them');
    const given = bearerOf(c.req.header('authorization'));
    if (!given) {
      c.header('WWW-Authenticate', 'Bearer realm="astro-engine-edge admin"');
      throw new AppError(401, 'unauthorized', 'Send the admin token as Authorization: Bearer <token>');
    }
    if (!(await sameSecret(given, expected))) throw new AppError(403, 'forbidden', 'The admin token is not valid');
    await next();
  };
}
