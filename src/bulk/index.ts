/** Bulk jobs' public surface; see README.md beside this file. */
export { bulkFromEnv, type BulkEnv, type BulkServices } from './from-env';
export { createBulkJob, chunkMessages, sha256Hex, type JobCreation, type NewJobRequest } from './create-job';
export { abandonChunk, processChunk, resultsUrlOf, statusUrlOf, webhookBody, type ChunkDeps } from './process-chunk';
export { resultsPageText } from './results-page';
export { validateBulkItems, bulkValidationMessage, type BulkValidation, type InvalidItem } from './validate';
export { checkCallbackUrl, type CallbackVerdict } from './callback-policy';
export { signWebhook, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, type WebhookVerdict } from './webhook-signature';
export { isJobId, jobCreatedAtMs, newJobId } from './job-id';
export { MemoryJobStore } from './memory-job-store';
export { RedisJobStore, bulkKeys, BULK_KEY_PREFIX } from './redis-job-store';
export { InlineDispatcher } from './inline-dispatcher';
export { QStashDispatcher, qstashClient } from './qstash-dispatcher';
export type { Dispatcher, DispatchTarget, WebhookDelivery } from './dispatcher';
export type { JobStore } from './job-store';
export * from './errors';
export * from './policy';
export * from './types';
export * from './schemas';
