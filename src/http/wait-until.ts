import type { Context } from 'hono';

export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/** Hono's executionCtx throws outside a Worker (Node's app.request, the bench): the work then just runs. */
export function waitUntilOf(c: Context): WaitUntil {
  try {
    return c.executionCtx;
  } catch {
    return { waitUntil: (promise) => void promise.catch(() => undefined) };
  }
}
