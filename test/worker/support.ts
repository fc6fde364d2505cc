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
  expect(text, where).not.toMatch(/\n\s*at\s/);
  expect(text, where).not.toMatch(/\bat \S+ \(/);
  expect(text, where).not.toMatch(/:\d+:\d+\)/);
  expect(text, where).not.toMatch(/\.ts:|\.js:|\.mjs:/);
  expect(text, where).not.toContain('src/');
  expect(text, where).not.toContain('node_modules');
  expect(text, where).not.toMatch(/"stack"/);
  return { body, text, where };
}
