/**
 * Errors the cache module throws. Redis and Cache API failures are never
 * thrown to callers (the cache fails open); these cover what a caller must
 * fix or must know about: bad configuration, a key input that cannot be
 * hashed deterministically, a value that cannot be stored, a clear that did
 * not happen.
 *
 * The configuration and the clear are the deployment's state, answered 503
 * with a code (they extend the app's DependencyUnavailableError); a key or a
 * value that JSON cannot carry can only come from our own code (every input
 * is validated first), so those stay plain errors: a logged 500.
 */
import { ConfigError, DependencyUnavailableError, type ConfigProblem } from '../http/errors';

/**
 * `UPSTASH_REDIS_REST_URL` / `_TOKEN` / `REDIS_TIMEOUT_MS` / `CACHE_SHARED_RESOURCES`
 * unusable. Requests then use the in-memory tier (src/app.ts); `DELETE
 * /cache/clear`, which cannot reach the configured tier, answers 503 `cache_misconfigured`.
 */
export class CacheConfigError extends ConfigError {
  override readonly name = 'CacheConfigError';

  constructor(problems: ConfigProblem | readonly ConfigProblem[], options?: { cause?: unknown }) {
    super('cache_misconfigured', 'The shared cache is not available', problems, options);
  }
}

/** The key input holds something canonical JSON cannot represent (undefined in an array, NaN, a Date, a cycle…). */
export class CacheKeyError extends Error {
  override readonly name = 'CacheKeyError';
  /** JSON-pointer-like path to the offending value, e.g. `/settings/ayanamsa`. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${message} at '${path || '/'}'`, options);
    this.path = path;
  }
}

/** A computed value that JSON cannot carry, so no tier could store it faithfully. */
export class CacheValueError extends Error {
  override readonly name = 'CacheValueError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `clear()` could not bump the namespace (Redis unreachable): nothing was invalidated (503 `cache_unavailable`). */
export class CacheClearError extends DependencyUnavailableError {
  override readonly name = 'CacheClearError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('cache_unavailable', message, options);
  }
}

/** A Redis call exceeded its time budget. Recorded as the tier's last error, never thrown to callers. */
export class CacheTimeoutError extends Error {
  override readonly name = 'CacheTimeoutError';
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number) {
    super(`Redis ${operation} took longer than ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}
