import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from './errors';

/** Compares two strings in time that depends only on their lengths, via SHA-256 digests. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
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
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdminMiddleware(c, next) {
    const expected = c.env?.ADMIN_TOKEN;
    if (!expected) throw new AppError(403, 'admin_disabled', 'Operations are disabled: set the ADMIN_TOKEN secret to enable them');
    const header = c.req.header('authorization') ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    if (!given) {
      c.header('WWW-Authenticate', 'Bearer realm="astro-engine-edge admin"');
      throw new AppError(401, 'unauthorized', 'Send the admin token as Authorization: Bearer <token>');
    }
    if (!(await sameSecret(given, expected))) throw new AppError(403, 'forbidden', 'The admin token is not valid');
    await next();
  };
}
