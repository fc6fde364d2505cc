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
  callbackUrl: string;
  /** The exact JSON text that was signed. */
  body: string;
  /** `X-Astro-Signature` header value. */
  signature: string;
}

export interface Dispatcher {
  readonly kind: 'qstash' | 'inline';
  /**
   * Hands every chunk over for processing; resolves once all are accepted,
   * throws if some may not be. Calling it again for the same chunks is safe
   * (QStash deduplicates by id; processing twice changes nothing anyway).
   */
  dispatchChunks(messages: ChunkMessage[], target: DispatchTarget): Promise<void>;
  /** Sends the completion webhook (QStash: queues it, with retries); throws WebhookDeliveryError if it could not. */
  deliverWebhook(delivery: WebhookDelivery): Promise<void>;
}

/** QStash deduplication ids: a re-dispatch of the same job never queues a chunk or a webhook twice. */
export const chunkDedupId = (jobId: string, chunk: number) => `bulk-${jobId}-chunk-${chunk}`;
export const webhookDedupId = (jobId: string) => `bulk-${jobId}-webhook`;
