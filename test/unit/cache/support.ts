/** Helpers for the cache tests: a waitUntil collector, a manual clock, and a Map-backed stand-in for `caches.default`. */
import type { WaitUntil } from '../../../src/cache';

/** Collects what the cache hands to `ctx.waitUntil`, so tests can see fills being scheduled and await them. */
export class Collector implements WaitUntil {
  readonly promises: Promise<unknown>[] = [];

  waitUntil(promise: Promise<unknown>): void {
    this.promises.push(promise);
  }

  async settle(): Promise<void> {
    while (this.promises.length) await Promise.allSettled(this.promises.splice(0));
  }
}

export function manualClock(startMs = 1_000_000) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advanceSec: (sec: number) => {
      nowMs += sec * 1000;
    },
  };
}

/**
 * The subset of the Cache API the edge tier uses, over a Map. Like the real
 * one it refuses anything but GET; `gate` holds every `put` until released.
 */
export class MapCache {
  readonly entries = new Map<string, { body: string; headers: Headers }>();
  readonly puts: Request[] = [];
  private gate: Promise<void> | null = null;
  private release: (() => void) | null = null;

  holdPuts(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  releasePuts(): void {
    this.release?.();
    this.gate = null;
  }

  async match(request: Request): Promise<Response | undefined> {
    const entry = this.entries.get(request.url);
    return entry ? new Response(entry.body, { headers: entry.headers }) : undefined;
  }

  async put(request: Request, response: Response): Promise<void> {
    if (request.method !== 'GET') throw new TypeError('Cache API only stores GET requests');
    this.puts.push(request);
    const body = await response.text();
    if (this.gate) await this.gate;
    this.entries.set(request.url, { body, headers: response.headers });
  }

  asCache(): Cache {
    return this as unknown as Cache;
  }
}
