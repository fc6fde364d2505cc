/**
 * The shared tier sits between the edge and compute: Upstash Redis when it is
 * configured (global), else an in-memory LRU standing in for it (per isolate).
 * Both hold the namespace counter too, so `clear()` has one code path.
 */
import { MemoryLru, type MemoryLruOptions } from './memory-lru';

export interface SharedTier {
  readonly kind: 'redis' | 'memory';
  /** The payload, or null on a miss and on a failure (failures are counted by the tier, never thrown). */
  get(key: string, timeoutMs: number): Promise<string | null>;
  /** Best effort: a failure is counted, never thrown. */
  set(key: string, payload: string, ttlSec: number): Promise<void>;
  /** The current namespace, or null when it cannot be read now. */
  readNamespace(timeoutMs: number): Promise<number | null>;
  /** Increments the namespace and returns the new value; throws CacheClearError when it cannot. */
  bumpNamespace(): Promise<number>;
}

/** Redis stand-in for a single isolate: same role, no network, nothing to fail. */
export class MemorySharedTier implements SharedTier {
  readonly kind = 'memory';
  readonly lru: MemoryLru;
  private namespace = 0;

  constructor(options: MemoryLruOptions = {}) {
    this.lru = new MemoryLru(options);
  }

  async get(key: string): Promise<string | null> {
    return this.lru.get(key) ?? null;
  }

  async set(key: string, payload: string, ttlSec: number): Promise<void> {
    this.lru.set(key, payload, ttlSec);
  }

  async readNamespace(): Promise<number | null> {
    return this.namespace;
  }

  async bumpNamespace(): Promise<number> {
    this.namespace += 1;
    // Entries of older namespaces can never be read again: give their memory back now.
    this.lru.clear();
    return this.namespace;
  }
}
