/**
 * Turns zod issues into the error body's `details`, and names unknown fields
 * with a suggestion, so a `latitute` typo is caught and explained.
 */
import type { Hook } from '@hono/zod-openapi';
import type { z } from '@hono/zod-openapi';
import { ValidationError, type ErrorDetail } from './errors';

function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest known field within two edits, compared case-insensitively. */
export function suggestField(unknown: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    // Lengths differing by more than two cannot be within two edits; skips the O(n·m) work for long junk keys.
    if (Math.abs(unknown.length - name.length) > 2) continue;
    const distance = editDistance(unknown.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * Most problems one error lists. A body of thousands of junk keys would
 * otherwise answer with a list many times its own size.
 */
export const MAX_ERROR_DETAILS = 50;

/** Longest field name echoed back in a path or message; longer ones are cut with `…`. */
export const MAX_ECHOED_KEY_CHARS = 64;

function echoKey(key: string): string {
  return key.length > MAX_ECHOED_KEY_CHARS ? `${key.slice(0, MAX_ECHOED_KEY_CHARS)}…` : key;
}

/** Keeps the first `max` details and says how many more there were. */
export function capDetails(details: ErrorDetail[], max = MAX_ERROR_DETAILS): ErrorDetail[] {
  if (details.length <= max) return details;
  const more = details.length - (max - 1);
  return [...details.slice(0, max - 1), { path: '', message: `and ${more} more problems (only the first ${max - 1} are listed)` }];
}

export function issuesToDetails(issues: readonly z.core.$ZodIssue[], knownFields: readonly string[] = []): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'string' ? echoKey(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = issue.path.length === 0 ? suggestField(key, knownFields) : undefined;
        const shown = echoKey(key);
        const message = hint ? `unknown field '${shown}'; did you mean '${hint}'?` : `unknown field '${shown}'`;
        details.push({ path: joinPath([...path, shown]), message });
      }
      continue;
    }
    details.push({ path: joinPath(path), message: issue.message });
  }
  return details;
}

/**
 * The validation hook of every route: one error shape for every failure.
 * `knownFields` are the route's top-level fields, used to suggest a correction
 * for a misspelt one; the app's `defaultHook` is this with no suggestions.
 */
// Generic in the route input so that passing it to `openapi()` keeps `c.req.valid()` typed.
export function validationHook<I>(knownFields: readonly string[] = []): Hook<I, any, any, any> {
  return (result, c) => {
    // Hono drops a query value without a name (`&=13`) before the schema sees it: refuse it here.
    const nameless = result.target === 'query' ? namelessQueryValues(c.req.url) : [];
    if (result.success && nameless.length === 0) return;
    const issues = result.success ? [] : issuesToDetails((result.error as z.ZodError).issues, knownFields);
    throw new ValidationError(capDetails([...issues, ...nameless]));
  };
}

/** `?a=1&=13`: a value sent without a parameter name. Empty segments (`&&`) carry nothing and pass. */
export function namelessQueryValues(url: string): ErrorDetail[] {
  const start = url.indexOf('?');
  if (start === -1) return [];
  const end = url.indexOf('#', start);
  const segments = url.slice(start + 1, end === -1 ? undefined : end).split('&');
  return segments.some((s) => s.length > 1 && s.startsWith('='))
    ? [{ path: '', message: 'a query parameter has a value but no name (`=…`)' }]
    : [];
}
