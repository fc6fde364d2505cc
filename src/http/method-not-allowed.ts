/**
 * Tells a wrong method (405 with `Allow`) from an unknown path (404), using the
 * app's own route table so the two can never disagree.
 */
import type { Hono } from 'hono';
import { AppError } from './errors';

interface RoutePattern {
  regex: RegExp;
  method: string;
}

function toRegex(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Builds the checker once, after every route is mounted. */
export function methodChecker(app: Hono<any, any, any>): (method: string, path: string) => AppError | undefined {
  let patterns: RoutePattern[] | undefined;
  return (method, path) => {
    patterns ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ regex: toRegex(r.path), method: r.method }));
    const allowed = [...new Set(patterns.filter((p) => p.regex.test(path)).map((p) => p.method))];
    if (!allowed.length || allowed.includes(method)) return undefined;
    if (allowed.includes('GET')) allowed.push('HEAD');
    const error = new AppError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`);
    error.allow = allowed.join(', ');
    return error;
  };
}
