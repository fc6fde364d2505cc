/** Assertions shared by the Worker tests. */
import { expect } from 'vitest';

/** Checks the error envelope shared by every 4xx and returns the parsed body. */
export async function expectErrorShape(res: Response, label: string) {
  const text = await res.text();
  const where = `${label}: ${res.status} ${text.slice(0, 600)}`;
  expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
  let body: any;
  expect(() => (body = JSON.parse(text)), where).not.toThrow();
  expect(body, where).toBeTypeOf('object');
  expect(body.error, where).toBeTypeOf('object');
  const { error } = body;
  for (const key of Object.keys(error)) expect(['code', 'message', 'details', 'requestId'], where).toContain(key);
  expect(error.code, where).toBeTypeOf('string');
  expect(error.code, where).toMatch(/^[a-z][a-z_]*$/);
  expect(error.message, where).toBeTypeOf('string');
  expect(error.message.length, where).toBeGreaterThan(0);
  expect(error.requestId, where).toBeTypeOf('string');
  expect(error.requestId.length, where).toBeGreaterThan(0);
  expect(res.headers.get('x-request-id'), where).toBe(error.requestId);
  if (error.details !== undefined) {
    expect(Array.isArray(error.details), where).toBe(true);
    expect(error.details.length, where).toBeGreaterThan(0);
    for (const d of error.details) {
      expect(d.path, where).toBeTypeOf('string');
      expect(d.message, where).toBeTypeOf('string');
      expect(d.message.length, where).toBeGreaterThan(0);
    }
  }
  // Nothing internal: no stack frames, source paths or library internals.
  expect(internalLeaks(text), where).toEqual([]);
  return { body, text, where };
}

/**
 * What must never appear in a response body: stack frames, source and
 * dependency paths, runtime internals and raw JavaScript error names.
 */
export const LEAK_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['stack frame line', /\n\s*at\s/],
  ['stack frame', /\bat \S+ \((\S+:\d+|native|<anonymous>)/],
  ['line:column', /:\d+:\d+\)/],
  ['source file position', /\.(ts|js|mjs|cjs|c\+\+|h\+\+):\d*/],
  ['source path', /src\//],
  ['node_modules', /node_modules/],
  ['file URL', /file:\/\//],
  ['wasm frame', /wasm:\/\//],
  ['stack field', /"stack"/],
  ['JS error name', /\b(TypeError|ReferenceError|RangeError|SyntaxError|InternalError|EvalError): /],
  ['workerd internals', /workerd\/|kj\/|jsg\//],
];

/** The names of the leak patterns `text` matches (empty when clean). */
export function internalLeaks(text: string): string[] {
  return LEAK_PATTERNS.filter(([, re]) => re.test(text)).map(([name]) => name);
}

/**
 * The old service's error envelope (`/lahiri/*`, `/raman/*`, `/batch/calculate`):
 * a string `error`, the standard `code`, optional `details`, and `requestId`.
 */
export async function expectLegacyErrorShape(res: Response, label: string) {
  const text = await res.text();
  const where = `${label}: ${res.status} ${text.slice(0, 600)}`;
  expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
  let body: any;
  expect(() => (body = JSON.parse(text)), where).not.toThrow();
  for (const key of Object.keys(body)) expect(['error', 'code', 'details', 'requestId'], where).toContain(key);
  expect(body.error, where).toBeTypeOf('string');
  expect(body.error.length, where).toBeGreaterThan(0);
  expect(body.code, where).toMatch(/^[a-z][a-z_]*$/);
  expect(body.requestId, where).toBe(res.headers.get('x-request-id'));
  if (body.details !== undefined) {
    expect(Array.isArray(body.details) && body.details.length > 0, where).toBe(true);
    for (const d of body.details) {
      expect(d.path, where).toBeTypeOf('string');
      expect(d.message, where).toBeTypeOf('string');
    }
  }
  expect(internalLeaks(text), where).toEqual([]);
  return { body, text, where };
}
