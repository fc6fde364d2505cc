/**
 * How chunks reach a worker and webhooks reach the caller: through QStash
 * (qstash-dispatcher.ts: retried, at-least-once, any isolate) or in this
 * isolate (inline-dispatcher.ts: `ctx.waitUntil`, for `npm start` and tests).
 */
import type { WaitUntil } from '../cache';
import type { ChunkMessage } from './types';

export interface DispatchTarget {
  /** Absolute URL of `POST /internal/bulk/chunk`, the QStash destination. */
  chunkUrl: string;
  /** Absolute URL of `POST /internal/bulk/abandoned`, QStash's failure callback for a chunk. */
  abandonedUrl: string;
  /** Processes one chunk in this isolate (what the internal route does on delivery). */
  runChunk: (message: ChunkMessage) => Promise<unknown>;
  /** Records a chunk that will never be processed: its items fail with `chunk_failed`. */
  abandonChunk: (message: ChunkMessage, reason: string) => Promise<unknown>;
  waitUntil: WaitUntil;
}

export interface WebhookDelivery {
  jobId: string;
  /** `completed` (the job finished) or `job_lost` (the store lost it): one QStash deduplication id each. */
  event: WebhookEvent;
  callbackUrl: string;
  /** The exact JSON text that was signed. */
  body: string;
  /** `X-Astro-Signature` header value. */
  signature: string;
  /** More headers (an old-style job's `X-Webhook-Signature`). */
  headers?: Record<string, string>;
  /** QStash calls it when it has used up the webhook's retries (logged as `bulk_webhook_failed`). */
  failureCallbackUrl?: string;
}

export type WebhookEvent = 'completed' | 'job_lost';

export interface Dispatcher {
  readonly kind: 'qstash' | 'inline';
  /**
   * Hands every chunk over for processing; resolves once all are accepted,
   * throws if some may not be. Calling it again for the same chunks is safe
   * (QStash deduplicates by id; processing twice changes nothing anyway).
   */
  dispatchChunks(messages: ChunkMessage[], target: DispatchTarget): Promise<void>;
  /**
   * Sends a webhook (QStash: queues it, and QStash retries it; inline: tries
   * it INLINE_ATTEMPTS times). Each failure is logged as `bulk_webhook_failed`
   * (warn); throws WebhookDeliveryError if it could not be queued / delivered.
   */
  deliverWebhook(delivery: WebhookDelivery): Promise<void>;
}

/** QStash deduplication ids: a re-dispatch of the same job never queues a chunk or a webhook twice. */
export const chunkDedupId = (jobId: string, chunk: number) => `bulk-${jobId}-chunk-${chunk}`;
export const webhookDedupId = (jobId: string, event: WebhookEvent = 'completed') => (event === 'completed' ? `bulk-${jobId}-webhook` : `bulk-${jobId}-${event}`);
