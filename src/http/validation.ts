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
    const distance = editDistance(unknown.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

export function issuesToDetails(issues: readonly z.core.$ZodIssue[], knownFields: readonly string[] = []): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = issue.path.length === 0 ? suggestField(key, knownFields) : undefined;
        const message = hint ? `unknown field '${key}'; did you mean '${hint}'?` : `unknown field '${key}'`;
        details.push({ path: joinPath([...issue.path, key]), message });
      }
      continue;
    }
    details.push({ path: joinPath(issue.path), message: issue.message });
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
  return (result) => {
    if (result.success) return;
    throw new ValidationError(issuesToDetails((result.error as z.ZodError).issues, knownFields));
  };
}
