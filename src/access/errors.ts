/**
 * Access errors. What a caller can meet extends AppError (a status and a
 * stable code, rendered by the app's onError); configuration mistakes and
 * outages extend DependencyUnavailableError: a 503 with a code, so a broken
 * secret never looks like a caller's fault, and never opens the door.
 */
import { AppError, ConfigError, DependencyUnavailableError, type ConfigProblem } from '../http/errors';

/**
 * REQUIRE_API_KEY, API_KEYS, RATE_LIMITS, REDIS_TIMEOUT_MS or the Upstash pair
 * is unusable: every keyed route and /admin/keys answers 503
 * `access_misconfigured` (closed: without a usable configuration nobody is let in).
 */
export class AccessConfigError extends ConfigError {
  override readonly name = 'AccessConfigError';
  constructor(problems: ConfigProblem | readonly ConfigProblem[], options?: { cause?: unknown }) {
    super('access_misconfigured', 'API keys and rate limits are not available', problems, options);
  }
}

export class MissingApiKeyError extends AppError {
  override readonly name = 'MissingApiKeyError';
  constructor() {
    super(401, 'missing_api_key', 'This route needs an API key: send Authorization: Bearer <key> or X-API-Key: <key>');
  }
}

export class InvalidApiKeyError extends AppError {
  override readonly name = 'InvalidApiKeyError';
  constructor(message = 'The API key is not valid') {
    super(401, 'invalid_api_key', message);
  }
}

export class RevokedApiKeyError extends AppError {
  override readonly name = 'RevokedApiKeyError';
  constructor(keyId: string, revokedAt: string) {
    super(403, 'revoked_api_key', `API key ${keyId} was revoked at ${revokedAt}`);
  }
}

export class RateLimitedError extends AppError {
  override readonly name = 'RateLimitedError';
  constructor(message: string) {
    super(429, 'rate_limited', message);
  }
}

/** Key validation needs the store and neither it nor a recent copy of the key answered: refusing is the only safe answer. */
export class KeyStoreUnavailableError extends DependencyUnavailableError {
  override readonly name = 'KeyStoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('key_store_unavailable', 'API keys cannot be checked right now; retry shortly', options);
  }
}

export class KeyStoreReadOnlyError extends AppError {
  override readonly name = 'KeyStoreReadOnlyError';
  constructor() {
    super(
      409,
      'key_store_read_only',
      'Keys come from the API_KEYS secret on this deployment (no Upstash Redis): create one with `node scripts/keys.mjs create --offline`, add its entry to API_KEYS, and remove an entry (or set its revokedAt) to revoke it',
    );
  }
}

export class KeyNotFoundError extends AppError {
  override readonly name = 'KeyNotFoundError';
  constructor(keyId: string) {
    super(404, 'key_not_found', `No API key ${keyId}`);
  }
}

/**
 * An error for a log line: @upstash/redis appends `, command was: [...]` to
 * its messages, which for the rate limiter is a whole Lua script; the command
 * is cut so the line stays short and readable.
 */
export function logText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const cut = text.indexOf(', command was:');
  return cut === -1 ? text : text.slice(0, cut);
}
