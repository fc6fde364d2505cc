/**
 * The old service's batch and async routes, thin adapters over src/bulk/:
 * `POST /batch/calculate` (up to 10 items computed now, each failing alone),
 * `POST /async/calculate` (one item queued as a bulk job, answered by a signed
 * webhook) and `GET /async/job/{id}`. Errors in the old shape (legacyOnError).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { chargeBatchRequests } from '../access';
import * as bulk from '../bulk';
import { LegacyAsyncAcceptedSchema, LegacyAsyncRequestSchema, LegacyJobViewSchema, legacyJobView } from '../bulk/legacy-async';
import { LEGACY_BATCH_TYPES, LegacyBatchItemSchema, LegacyBatchRequestSchema, legacyBatch, prepareLegacyItem } from '../bulk/legacy-batch';
import type { AppEnv } from '../env';
import { ValidationError, type ErrorDetail } from '../http/errors';
import { jsonBody } from '../http/json-body';
import { validationHook } from '../http/validation';
import { LegacyErrorSchema, legacyOnError } from './legacy';
import { loadJob, queueJob, servicesOf } from './bulk-services';

const json = <S>(schema: S) => ({ content: { 'application/json': { schema } } });
const legacyError = (description: string) => ({ description, ...json(LegacyErrorSchema) });

const ItemErrorSchema = z.object({ message: z.string(), type: z.string().openapi({ description: 'A stable code, e.g. validation_error' }), details: z.array(z.object({ path: z.string(), message: z.string() })).optional() });

const LegacyBatchResponseSchema = z
  .object({
    batch_id: z.string(),
    total_requests: z.number().int(),
    successful: z.number().int(),
    failed: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int(),
        type: z.string().nullable(),
        status: z.enum(['success', 'failed']),
        data: z.record(z.string(), z.unknown()).optional().openapi({ description: 'What the old route of that type answers' }),
        error: ItemErrorSchema.optional(),
      }),
    ),
    processing_time: z.literal('synchronous'),
    rate_limit_impact: z.object({ items_in_batch: z.number().int(), requests_consumed: z.number().int(), note: z.string() }),
  })
  .openapi('LegacyBatchResponse');

const batchCalculate = createRoute({
  method: 'post',
  path: '/batch/calculate',
  summary: 'Old service: up to 10 calculations at once, each answered or failed on its own',
  description: `Items { type, data, ayanamsa? }; type one of ${Object.keys(LEGACY_BATCH_TYPES).join(', ')}; data the old route's body; ayanamsa lahiri (default) or raman.`,
  tags: ['compatibility'],
  request: { body: { required: true, ...json(LegacyBatchRequestSchema) } },
  responses: {
    200: { description: 'Every item, in order: `success` with the old route’s answer, or `failed` with its error', ...json(LegacyBatchResponseSchema) },
    400: legacyError('Not a batch: no `requests`, or 0 or more than 10 of them'),
    429: legacyError('The batch’s items do not fit the remaining rate limit (nothing computed)'),
  },
});

const asyncCalculate = createRoute({
  method: 'post',
  path: '/async/calculate',
  summary: 'Old service: one calculation in the background, answered by a signed webhook',
  tags: ['compatibility'],
  request: { body: { required: true, ...json(LegacyAsyncRequestSchema) } },
  responses: {
    202: { description: 'Queued (a bulk job of one item)', ...json(LegacyAsyncAcceptedSchema) },
    400: legacyError('Invalid type, data or webhook_url'),
    503: legacyError('Webhooks not configured (`webhooks_disabled`) or queueing failed (`dispatch_failed`)'),
  },
});

const asyncJob = createRoute({
  method: 'get',
  path: '/async/job/{jobId}',
  summary: 'Old service: status (and, once done, result) of an /async/calculate job',
  tags: ['compatibility'],
  request: { params: bulk.JobIdParamSchema },
  responses: {
    200: { description: 'The job in the old shape (the webhook carries the same body)', ...json(LegacyJobViewSchema) },
    404: legacyError('Unknown (`job_not_found`), expired (`results_expired`) or not an /async/calculate job'),
  },
});

function rateLimitNote(consumed: number, items: number): string {
  if (consumed === 0) return 'The rate limiter could not be asked: nothing was counted for this batch';
  return `Each item of a batch counts as one request towards your rate limit, whether it succeeds or fails (${items} item${items === 1 ? '' : 's'}: ${consumed} request${consumed === 1 ? '' : 's'})`;
}

export const legacyBatchRoutes = new OpenAPIHono<AppEnv>();
legacyBatchRoutes.openAPIRegistry.register('LegacyBatchItem', LegacyBatchItemSchema); // referenced by LegacyBatchRequest.requests
legacyBatchRoutes.use('/batch/calculate', jsonBody());
legacyBatchRoutes.use('/async/*', jsonBody());
legacyBatchRoutes.onError(legacyOnError);

legacyBatchRoutes.openapi(
  batchCalculate,
  async (c) => {
    const { requests } = c.req.valid('json');
    // Every item counts, as bulk items do (reserved before any is computed; refused whole if they do not fit).
    const charge = await chargeBatchRequests(c, requests.length);
    const results = legacyBatch(c.get('engine'), requests, Date.now(), { requestId: c.get('requestId') });
    const successful = results.filter((r) => r.status === 'success').length;
    const consumed = charge.consumed;
    return c.json(
      {
        batch_id: crypto.randomUUID(),
        total_requests: requests.length,
        successful,
        failed: requests.length - successful,
        results,
        processing_time: 'synchronous' as const,
        rate_limit_impact: { items_in_batch: requests.length, requests_consumed: consumed, note: rateLimitNote(consumed, requests.length) },
      },
      200,
    );
  },
  validationHook(['requests']),
);

legacyBatchRoutes.openapi(
  asyncCalculate,
  async (c) => {
    const body = c.req.valid('json');
    const { services, deps, baseUrl } = servicesOf(c);
    const nowMs = Date.now();
    const details: ErrorDetail[] = [];
    const item = { type: body.type, data: body.data, ...(body.ayanamsa ? { ayanamsa: body.ayanamsa } : {}) };
    try {
      prepareLegacyItem(deps.engine, item, nowMs); // validated (times resolved) now; computed when its chunk runs
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      details.push(...(err.details ?? []));
    }
    const verdict = bulk.checkCallbackUrl(body.webhook_url, { allowLoopback: services.allowLoopbackCallbacks });
    if (!verdict.ok) details.push({ path: 'webhook_url', message: verdict.message });
    if (details.length) throw new ValidationError(details);
    if (!services.webhookSecret) throw new bulk.WebhooksDisabledError();
    // One item, the request itself: its unit is the one the rate limiter already took.
    const { job } = await queueJob(
      c,
      {
        items: [{ index: 0, id: body.type, type: 'legacy', input: item }],
        callbackUrl: verdict.ok ? verdict.url : null,
        baseUrl,
        bodyHash: '',
        idempotencyKeyHash: null,
        nowMs,
        kind: 'legacy_async',
        callbackSecret: body.webhook_secret ?? null,
      },
      null,
    );
    return c.json(
      { job_id: job.jobId, status: 'queued' as const, webhook_url: body.webhook_url, estimated_time: 'a few seconds', check_status: `${baseUrl}/async/job/${job.jobId}` },
      202,
    );
  },
  validationHook(['type', 'data', 'ayanamsa', 'webhook_url', 'webhook_secret']),
);

legacyBatchRoutes.openapi(
  asyncJob,
  async (c) => {
    const { store } = servicesOf(c).services;
    const jobId = c.req.valid('param').jobId;
    const job = await loadJob(store, jobId);
    if (job.kind !== 'legacy_async') throw new bulk.JobNotFoundError('job_not_found', `Job ${jobId} was not created by POST /async/calculate: read it at /v1/bulk/${jobId}`);
    const [resultText] = bulk.isFinished(job.status) ? await store.readResults(jobId, 0, 1) : [null];
    c.header('Cache-Control', 'no-store');
    return c.json(legacyJobView(job, resultText ?? null), 200);
  },
  validationHook(),
);
