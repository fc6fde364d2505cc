/**
 * The `API_KEYS` secret: keys for deployments without Redis, as a JSON list of
 * the entries `node scripts/keys.mjs create --offline` prints. Read-only: a
 * key is added or revoked by editing the secret (a deploy).
 */
import { z } from '@hono/zod-openapi';
import { AccessConfigError } from './errors';
import { KEY_ID_PATTERN, SHA256_HEX_PATTERN, constantTimeEqual } from './keys';
import { KEY_PLAN_NAMES } from './plans';
import { summaryOf, type KeyRecord, type KeySummary } from './types';

export const KEY_NAME_MAX_CHARS = 100;

export const SecretKeyEntrySchema = z.strictObject({
  keyId: z.string().regex(KEY_ID_PATTERN),
  name: z.string().min(1).max(KEY_NAME_MAX_CHARS),
  plan: z.enum(KEY_PLAN_NAMES),
  sha256: z.string().regex(SHA256_HEX_PATTERN),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable().optional(),
});
export type SecretKeyEntry = z.infer<typeof SecretKeyEntrySchema>;

export function parseApiKeys(raw: string | undefined): KeyRecord[] {
  if (raw === undefined || raw.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // Never echo the secret's text: it may be half a key list pasted wrongly.
    throw new AccessConfigError({ variable: 'API_KEYS', message: 'API_KEYS is not valid JSON (expected a list of entries from `node scripts/keys.mjs create --offline`)' });
  }
  const parsed = z.array(SecretKeyEntrySchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AccessConfigError({
      variable: 'API_KEYS',
      message: `API_KEYS: ${issue.path.join('.') || 'value'}: ${issue.message} (expected a list of entries from \`node scripts/keys.mjs create --offline\`)`,
    });
  }
  const ids = new Set<string>();
  const digests = new Set<string>();
  for (const entry of parsed.data) {
    if (ids.has(entry.keyId)) throw new AccessConfigError({ variable: 'API_KEYS', message: `API_KEYS: keyId ${entry.keyId} appears twice` });
    if (digests.has(entry.sha256)) throw new AccessConfigError({ variable: 'API_KEYS', message: `API_KEYS: two entries have the same sha256 (${entry.keyId})` });
    ids.add(entry.keyId);
    digests.add(entry.sha256);
  }
  return parsed.data.map((entry) => ({ ...entry, revokedAt: entry.revokedAt ?? null }));
}

/**
 * Every entry is compared, match or not, so the time taken does not tell how
 * far down the list a digest matched.
 */
export function findByDigest(records: readonly KeyRecord[], sha256: string): KeyRecord | null {
  let found: KeyRecord | null = null;
  for (const record of records) {
    if (constantTimeEqual(record.sha256, sha256)) found = record;
  }
  return found;
}

export function listSummaries(records: readonly KeyRecord[]): KeySummary[] {
  return records.map(summaryOf);
}
