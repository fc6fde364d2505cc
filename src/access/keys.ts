/**
 * API key material: the secret a caller sends, the SHA-256 digest we keep,
 * and the public id used to list and revoke. scripts/keys.mjs generates keys
 * offline with the same format (test/unit/access/keys-script.test.ts pins it).
 */

export const API_KEY_PREFIX = 'ae_live_';
export const API_KEY_RANDOM_CHARS = 32;
export const KEY_ID_PREFIX = 'key_';
export const KEY_ID_RANDOM_CHARS = 12;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 32 base62 characters ≈ 190 bits: guessing is hopeless, so one hash round (SHA-256) is enough. */
export const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_RANDOM_CHARS}}$`);
export const KEY_ID_PATTERN = new RegExp(`^${KEY_ID_PREFIX}[0-9A-Za-z]{${KEY_ID_RANDOM_CHARS}}$`);
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** Uniform base62: bytes ≥ 248 are redrawn so that no character is favoured (256 = 4·62 + 8). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBase62(API_KEY_RANDOM_CHARS);
}

export function generateKeyId(): string {
  return KEY_ID_PREFIX + randomBase62(KEY_ID_RANDOM_CHARS);
}

export function isApiKeyFormat(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

export function isKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Equal-length strings compared without an early exit. Used on digests, so
 * the length is public anyway; workerd's crypto.subtle.timingSafeEqual is not
 * available in Node, where the unit tests and scripts run.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type Credential = { kind: 'none' } | { kind: 'key'; key: string } | { kind: 'malformed'; reason: string };

/**
 * The key a request carries: `Authorization: Bearer <key>` or `X-API-Key:
 * <key>`. Both with different values, or another Authorization scheme, is
 * malformed rather than guessed at: a request must not be charged to a key
 * its sender did not mean.
 */
export function credentialOf(headers: { authorization?: string; 'x-api-key'?: string }): Credential {
  const authorization = headers.authorization?.trim();
  const apiKeyHeader = headers['x-api-key']?.trim();
  let bearer: string | undefined;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return { kind: 'malformed', reason: 'Authorization must be `Bearer <key>`' };
    bearer = match[1];
  }
  if (bearer && apiKeyHeader && bearer !== apiKeyHeader) {
    return { kind: 'malformed', reason: 'Authorization and X-API-Key carry different keys; send one' };
  }
  const key = bearer ?? apiKeyHeader;
  return key ? { kind: 'key', key } : { kind: 'none' };
}
