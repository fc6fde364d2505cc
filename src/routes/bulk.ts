/**
 * Bulk jobs: `POST /v1/bulk` (validate every item, queue chunks), `GET
 * /v1/bulk/{jobId}` (progress), `GET /v1/bulk/{jobId}/results` (pages), the
 * QStash-only `POST /internal/bulk/chunk`, `/abandoned` and `/webhook-failed`.
 * The old service's `/batch/calculate` and `/async/…` are in legacy-bulk.ts
 * (re-exported here). The logic lives in src/bulk/ (README there).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { canonicalJson } from '../cache';
import * as bulk from '../bulk';
import { chargeBulkItems } from '../access';
import type { AppEnv } from '../env';
import { AppError, ValidationError, errorBody, type ErrorDetail } from '../http/errors';
import { jsonBody } from '../http/json-body';
import { errorResponses, ErrorSchema } from '../http/schemas';
import { validationHook } from '../http/validation';
import { log } from '../obs/log';
import { ABANDONED_PATH, CHUNK_PATH, loadJob, queueJob, servicesOf } from './bulk-services';

export { legacyBatchRoutes } from './legacy-bulk';
const json = <S>(schema: S) => ({ content: { 'application/json': { schema } } });
const notFound = { 404: { description: 'Unknown job (`job_not_found`) or older than 7 days (`results_expired`)', ...json(ErrorSchema) } };

const createJob = createRoute({
  method: 'post',
  path: '/v1/bulk',
  summary: 'Queue a bulk job (up to 10,000 natal, divisional or transits items)',
  description: 'Every item is validated with its sync route’s schema (times resolved) before anything is queued.',
  tags: ['bulk'],
  request: { headers: bulk.IdempotencyHeaderSchema, body: { required: true, ...json(bulk.BulkRequestSchema) } },
  responses: {
    200: { description: 'The job an earlier request with this Idempotency-Key created', ...json(bulk.BulkAcceptedSchema) },
    202: { description: 'Queued', ...json(bulk.BulkAcceptedSchema) },
    ...errorResponses,
    409: { description: 'Idempotency-Key reused with another body', ...json(ErrorSchema) },
    422: { description: 'Invalid items (each listed with its index, id and errors) or callbackUrl', ...json(bulk.BulkValidationErrorSchema) },
    503: { description: 'Queueing failed (`dispatch_failed`) or webhooks not configured (`webhooks_disabled`)', ...json(ErrorSchema) },
  },
});

const jobStatus = createRoute({
  method: 'get',
  path: '/v1/bulk/{jobId}',
  summary: 'Progress of a bulk job',
  tags: ['bulk'],
  request: { params: bulk.JobIdParamSchema },
  responses: { 200: { description: 'Job status', ...json(bulk.BulkStatusSchema) }, ...notFound },
});

const jobResults = createRoute({
  method: 'get',
  path: '/v1/bulk/{jobId}/results',
  summary: 'Results of a bulk job, in item order, by pages',
  tags: ['bulk'],
  request: { params: bulk.JobIdParamSchema, query: bulk.ResultsQuerySchema },
  responses: { 200: { description: 'A page of results', ...json(bulk.BulkResultsSchema) }, ...notFound, 422: errorResponses[422] },
});

/** The 422 of POST /v1/bulk: the error envelope, plus each invalid item when there are any. */
function invalidResponse(c: Context<AppEnv>, envelopeDetails: ErrorDetail[], validation: bulk.BulkValidation, total: number) {
  const details = validation.ok ? envelopeDetails : [...envelopeDetails, ...validation.details];
  if (validation.ok) return c.json(errorBody(c, 'validation_error', new ValidationError(details).message, details), 422);
  const message = bulk.bulkValidationMessage(details, validation.invalidCount, total);
  return c.json({ ...errorBody(c, 'validation_error', message, details), items: validation.invalid, invalidItems: validation.invalidCount }, 422);
}

export const bulkRoutes = new OpenAPIHono<AppEnv>();
bulkRoutes.openAPIRegistry.register('BulkItem', bulk.BulkItemSchema); // referenced by BulkRequest.items
bulkRoutes.use('/v1/bulk', jsonBody(bulk.BULK_BODY_LIMIT_BYTES));

bulkRoutes.openapi(
  createJob,
  async (c) => {
    const body = c.req.valid('json');
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    const { services, deps, baseUrl } = servicesOf(c);
    const nowMs = Date.now();
    const envelopeDetails: ErrorDetail[] = [];
    let callbackUrl: string | null = null;
    if (body.callbackUrl !== undefined) {
      const verdict = bulk.checkCallbackUrl(body.callbackUrl, { allowLoopback: services.allowLoopbackCallbacks });
      if (verdict.ok) callbackUrl = verdict.url;
      else envelopeDetails.push({ path: 'callbackUrl', message: verdict.message });
    }
    const validation = bulk.validateBulkItems(deps.engine, body.items, nowMs);
    if (!validation.ok || envelopeDetails.length > 0) return invalidResponse(c, envelopeDetails, validation, body.items.length);
    if (callbackUrl && !services.webhookSecret) throw new bulk.WebhooksDisabledError();
    // Each item counts towards the rate limit. Reserved before the store is asked, so that
    // concurrent jobs cannot both fit; given back unless this request queues the items: a replay of a
    // queued job, a 409 or a failed dispatch costs only the request's unit (a replay that resumes an
    // unqueued job queues them, and pays).
    const charge = await chargeBulkItems(c, validation.items.length);
    const creation = await queueJob(
      c,
      {
        items: validation.items,
        callbackUrl,
        baseUrl,
        bodyHash: await bulk.sha256Hex(canonicalJson(body)),
        idempotencyKeyHash: idempotencyKey ? await bulk.sha256Hex(idempotencyKey) : null,
        nowMs,
      },
      charge,
    );
    const { job, replayed } = creation;
    const statusUrl = bulk.statusUrlOf(job);
    c.header('Location', statusUrl);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    const accepted = { jobId: job.jobId, status: job.status, total: job.total, statusUrl, resultsUrl: bulk.resultsUrlOf(job) };
    return replayed ? c.json(accepted, 200) : c.json(accepted, 202);
  },
  validationHook(['items', 'callbackUrl']),
);

bulkRoutes.openapi(
  jobStatus,
  async (c) => {
    const job = await loadJob(servicesOf(c).services.store, c.req.valid('param').jobId);
    const { jobId, status, total, succeeded, failed, createdAt, updatedAt, completedAt } = job;
    c.header('Cache-Control', 'no-store');
    return c.json({ jobId, status, total, succeeded, failed, createdAt, updatedAt, completedAt, resultsUrl: bulk.resultsUrlOf(job) }, 200);
  },
  validationHook(),
);

bulkRoutes.openapi(
  jobResults,
  async (c) => {
    const { store } = servicesOf(c).services;
    const job = await loadJob(store, c.req.valid('param').jobId);
    const query = c.req.valid('query');
    const cursor = Number(query.cursor ?? 0);
    if (cursor > job.total) throw new ValidationError([{ path: 'cursor', message: `beyond the job's ${job.total} items` }]);
    const text = await bulk.resultsPageText(store, job, cursor, query.limit ?? bulk.RESULTS_PAGE_DEFAULT_LIMIT);
    c.header('Cache-Control', 'no-store');
    // The page is assembled from stored JSON texts; its schema is documented above.
    return c.body(text, 200, { 'Content-Type': 'application/json' }) as never;
  },
  validationHook(['cursor', 'limit']),
);

/**
 * The raw body of a QStash delivery to `path`, once its `Upstash-Signature`
 * verifies against that exact text and URL (current key, then next); 401
 * otherwise. Nothing is parsed before this.
 */
async function verifiedDelivery(c: Context<AppEnv>, path: string): Promise<string> {
  const { services } = servicesOf(c);
  const signature = c.req.header('upstash-signature');
  if (!services.receiver) throw new bulk.InvalidSignatureError('QStash signing keys are not configured on this deployment');
  if (!signature) throw new bulk.InvalidSignatureError('Missing Upstash-Signature header');
  const raw = await c.req.text();
  const url = `${services.publicBaseUrl ?? new URL(c.req.url).origin}${path}`;
  try {
    await services.receiver.verify({ signature, body: raw, url, clockTolerance: bulk.QSTASH_CLOCK_TOLERANCE_SEC });
  } catch {
    throw new bulk.InvalidSignatureError('Upstash-Signature does not verify for this body and URL');
  }
  return raw;
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'invalid_json', 'Delivery body is not valid JSON');
  }
}

function chunkMessageOf(text: string): bulk.ChunkMessage {
  const message = bulk.ChunkMessageSchema.safeParse(jsonOf(text));
  if (!message.success) throw new AppError(400, 'invalid_chunk', 'Chunk body does not match the chunk message schema');
  return message.data;
}

/** Base64 (as QStash encodes `sourceBody`) to UTF-8 text. */
function fromBase64(text: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0)));
}

for (const path of [CHUNK_PATH, ABANDONED_PATH, bulk.WEBHOOK_FAILED_PATH]) {
  bulkRoutes.use(path, bodyLimit({ maxSize: bulk.CHUNK_BODY_LIMIT_BYTES, onError: () => { throw new AppError(413, 'payload_too_large', 'Body too large'); } }));
}

/** QStash deliveries of chunks (at least once; a repeat changes nothing). */
bulkRoutes.post(CHUNK_PATH, async (c) => {
  const message = chunkMessageOf(await verifiedDelivery(c, CHUNK_PATH));
  const outcome = await bulk.processChunk(servicesOf(c).deps, message);
  return c.json({ jobId: message.jobId, chunk: message.chunk, outcome }, 200);
});

/** QStash's failure callback for a chunk whose retries ran out: its items fail, and the job can finish. */
bulkRoutes.post(ABANDONED_PATH, async (c) => {
  const raw = await verifiedDelivery(c, ABANDONED_PATH);
  const callback = bulk.FailureCallbackSchema.safeParse(jsonOf(raw));
  if (!callback.success) throw new AppError(400, 'invalid_callback', 'Not a QStash failure callback body');
  const { sourceBody, retried, status, error } = callback.data;
  const message = chunkMessageOf(fromBase64(sourceBody));
  const last = status ? `HTTP ${status}` : (error ?? 'no response');
  const attempts = retried === undefined ? 'its retries' : `${retried + 1} attempts`;
  const outcome = await bulk.abandonChunk(servicesOf(c).deps, message, `QStash gave up delivering this chunk after ${attempts} (last: ${last})`);
  return c.json({ jobId: message.jobId, chunk: message.chunk, outcome }, 200);
});

/**
 * QStash's failure callback for a webhook whose retries ran out: the receiver
 * never took it. Logged (warn: the receiver's trouble, not ours); the job
 * itself is finished and its results stay readable.
 */
bulkRoutes.post(bulk.WEBHOOK_FAILED_PATH, async (c) => {
  const raw = await verifiedDelivery(c, bulk.WEBHOOK_FAILED_PATH);
  const callback = bulk.FailureCallbackSchema.safeParse(jsonOf(raw));
  if (!callback.success) throw new AppError(400, 'invalid_callback', 'Not a QStash failure callback body');
  const { sourceBody, retried, status, error } = callback.data;
  const webhook = jsonOf(fromBase64(sourceBody)) as { jobId?: unknown; job_id?: unknown; status?: unknown } | null;
  const jobId = String(webhook?.jobId ?? webhook?.job_id ?? '').slice(0, 64);
  const event = webhook?.status === 'job_lost' || webhook?.status === 'failed' && (webhook as { error?: { type?: unknown } }).error?.type === 'job_lost' ? 'job_lost' : 'completed';
  log.warn('bulk_webhook_failed', {
    jobId,
    event,
    via: 'qstash',
    stage: 'gave_up',
    attempt: retried === undefined ? null : retried + 1,
    maxAttempts: bulk.WEBHOOK_RETRIES + 1,
    status: status || null,
    error,
    willRetry: false,
  });
  return c.json({ jobId, logged: true }, 200);
});
