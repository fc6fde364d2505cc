/**
 * A bounded in-memory LRU of strings with per-entry expiry: the shared tier's
 * stand-in when Upstash is not configured (the local `npm start` default).
 * Per isolate, so it lives as long as the isolate and is bounded by entry
 * count and bytes to stay a small share of the isolate's 128 MB.
 *
 * Order is the Map's insertion order: a read re-inserts the entry, so the
 * first key is always the least recently used one.
 */
import { MEMORY_MAX_BYTES, MEMORY_MAX_ENTRIES } from './policy';

export interface MemoryLruOptions {
  maxEntries?: number;
  /** Sum of UTF-8 sizes of keys and values. */
  maxBytes?: number;
  /** Milliseconds clock for expiry; injectable so tests need not sleep. */
  now?: () => number;
}

interface Entry {
  value: string;
  bytes: number;
  expiresAtMs: number;
}

export class MemoryLru {
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(options: MemoryLruOptions = {}) {
    this.maxEntries = options.maxEntries ?? MEMORY_MAX_ENTRIES;
    this.maxBytes = options.maxBytes ?? MEMORY_MAX_BYTES;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.now()) {
      this.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the value; false when it alone exceeds `maxBytes` (it is then not stored at all). */
  set(key: string, value: string, ttlSec: number): boolean {
    this.delete(key);
    const bytes = utf8Length(key) + utf8Length(value);
    if (bytes > this.maxBytes || ttlSec <= 0) return false;
    this.entries.set(key, { value, bytes, expiresAtMs: this.now() + ttlSec * 1000 });
    this.totalBytes += bytes;
    this.evict();
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      this.delete(oldest.value);
    }
  }
}

/** UTF-8 length without allocating an encoded copy of a possibly large payload. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3; // BMP character, or a lone surrogate (encoded as U+FFFD, 3 bytes)
  }
  return bytes;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
