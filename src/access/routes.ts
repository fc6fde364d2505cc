/**
 * Key management for operators: `POST /admin/keys`, `GET /admin/keys`,
 * `DELETE /admin/keys/{keyId}`, behind the admin token. Writes need Redis;
 * with keys from the API_KEYS secret they answer 409 `key_store_read_only`.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { requireAdmin } from '../http/admin';
import { jsonBody } from '../http/json-body';
import { ErrorSchema, errorResponses } from '../http/schemas';
import { validationHook } from '../http/validation';
import { KeyNotFoundError } from './errors';
import { accessFromEnv } from './from-env';
import { API_KEY_PATTERN, KEY_ID_PATTERN, isKeyId } from './keys';
import { KEY_PLAN_NAMES } from './plans';
import { KEY_NAME_MAX_CHARS } from './secret-keys';
import { summaryOf } from './types';

const json = <S>(schema: S) => ({ content: { 'application/json': { schema } } });

const keyId = z.string().openapi({ description: 'Public id of the key, for listing and revoking', example: 'key_4fJ8kQ2mZx7B' });
const plan = z.enum(KEY_PLAN_NAMES).openapi({ description: 'Sets the rate limit (RATE_LIMITS, src/access/README.md)' });
const name = z.string().min(1).max(KEY_NAME_MAX_CHARS).openapi({ description: 'Who the key is for', example: 'acme' });
const createdAt = z.string().openapi({ description: 'ISO 8601', example: '2026-11-29T10:00:00.000Z' });
const revokedAt = z.string().nullable().openapi({ description: 'ISO 8601; null while the key is valid' });

const CreateKeyRequestSchema = z.strictObject({ name, plan }).openapi('CreateApiKeyRequest');
const CreatedKeySchema = z
  .object({
    keyId: keyId.regex(KEY_ID_PATTERN),
    key: z.string().regex(API_KEY_PATTERN).openapi({ description: 'The key: shown this once, only its SHA-256 is stored', example: 'ae_live_…' }),
    name,
    plan,
    createdAt,
  })
  .openapi('CreatedApiKey');
const KeySummarySchema = z.object({ keyId, name, plan, createdAt, revokedAt }).openapi('ApiKeySummary');
const KeyListSchema = z
  .object({
    store: z.enum(['redis', 'secret']).openapi({ description: '`secret`: keys come from API_KEYS and cannot be changed here' }),
    keys: z.array(KeySummarySchema),
  })
  .openapi('ApiKeyList');

const adminErrors = {
  401: { description: 'No admin token', ...json(ErrorSchema) },
  403: { description: 'Wrong admin token, or operations disabled (no ADMIN_TOKEN)', ...json(ErrorSchema) },
  503: { description: 'Redis unreachable (`key_store_unavailable`)', ...json(ErrorSchema) },
};
const readOnly = { 409: { description: 'Keys come from the API_KEYS secret (`key_store_read_only`): use `node scripts/keys.mjs create --offline`', ...json(ErrorSchema) } };

const createKey = createRoute({
  method: 'post',
  path: '/admin/keys',
  summary: 'Create an API key',
  description: 'Returns the key once; only its SHA-256 is kept. Needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  tags: ['operations'],
  security: [{ adminToken: [] }],
  request: { body: { required: true, ...json(CreateKeyRequestSchema) } },
  responses: { 201: { description: 'Created', ...json(CreatedKeySchema) }, ...errorResponses, ...adminErrors, ...readOnly },
});

const listKeys = createRoute({
  method: 'get',
  path: '/admin/keys',
  summary: 'List API keys (without the keys or their hashes)',
  tags: ['operations'],
  security: [{ adminToken: [] }],
  responses: { 200: { description: 'Every key, revoked ones included, oldest first', ...json(KeyListSchema) }, ...adminErrors },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/admin/keys/{keyId}',
  summary: 'Revoke an API key',
  description:
    'From then on the key gets 403 `revoked_api_key`: at once on the isolate that revoked it, within 30 s everywhere (isolates keep a copy of a key that long). Revoking twice keeps the first `revokedAt`.',
  tags: ['operations'],
  security: [{ adminToken: [] }],
  request: { params: z.object({ keyId: keyId.max(64).openapi({ param: { name: 'keyId', in: 'path' } }) }) },
  responses: {
    200: { description: 'Revoked', ...json(KeySummarySchema.extend({ revokedAt: z.string() }).openapi('RevokedApiKey')) },
    404: { description: 'No such key (`key_not_found`)', ...json(ErrorSchema) },
    ...adminErrors,
    ...readOnly,
  },
});

export const keyRoutes = new OpenAPIHono<AppEnv>();
keyRoutes.use('/admin/keys/*', requireAdmin()); // also matches /admin/keys itself
keyRoutes.use('/admin/keys', jsonBody());

keyRoutes.openapi(
  createKey,
  async (c) => {
    const { record, key } = await accessFromEnv(c.env ?? {}).keys.create(c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json({ keyId: record.keyId, key, name: record.name, plan: record.plan, createdAt: record.createdAt }, 201);
  },
  validationHook(['name', 'plan']),
);

keyRoutes.openapi(
  listKeys,
  async (c) => {
    const { keys } = accessFromEnv(c.env ?? {});
    c.header('Cache-Control', 'no-store');
    return c.json({ store: keys.kind, keys: await keys.list() }, 200);
  },
  validationHook(),
);

keyRoutes.openapi(
  revokeKey,
  async (c) => {
    const { keyId: id } = c.req.valid('param');
    const { keys } = accessFromEnv(c.env ?? {});
    // A malformed id cannot exist; saying so costs no Redis call. The store's read-only answer comes first.
    if (keys.kind === 'redis' && !isKeyId(id)) throw new KeyNotFoundError(id);
    const record = await keys.revoke(id);
    c.header('Cache-Control', 'no-store');
    return c.json({ ...summaryOf(record), revokedAt: record.revokedAt ?? '' }, 200);
  },
  validationHook(),
);
