/**
 * Chunks and webhooks through QStash: chunks by batch publish to the Worker's
 * own `POST /internal/bulk/chunk` (signed by QStash, verified there; when its
 * retries run out, QStash calls `POST /internal/bulk/abandoned`), the
 * webhook by publish to the caller's `callbackUrl` with `X-Astro-Signature`
 * forwarded (`Upstash-Forward-X-Astro-Signature`). QStash retries non-2xx.
 */
import { Client, type PublishBatchRequest } from '@upstash/qstash';
import { WebhookDeliveryError } from './errors';
import { chunkDedupId, webhookDedupId, type DispatchTarget, type Dispatcher, type WebhookDelivery } from './dispatcher';
import { QSTASH_BATCH_MAX_BYTES, QSTASH_BATCH_MAX_MESSAGES, QSTASH_TIMEOUT_MS, WEBHOOK_RETRIES, WEBHOOK_RETRY_DELAY_EXPR } from './policy';
import { WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';
import type { ChunkMessage } from './types';
import { log } from '../obs/log';

/** The part of the QStash client we use (tests pass a fake). */
export type QStashPublisher = Pick<Client, 'batch' | 'publish'>;

export interface QStashConfig {
  /** QSTASH_URL; default https://qstash.upstash.io. */
  url?: string;
  token: string;
}

/**
 * `devMode: false`: never look for or start the SDK's local dev server (it
 * would read QSTASH_DEV from process.env); a few quick retries of the publish
 * call itself (deduplication ids make them safe).
 */
export function qstashClient(config: QStashConfig): Client {
  return new Client({
    ...(config.url ? { baseUrl: config.url } : {}),
    token: config.token,
    retry: { retries: 2, backoff: (retryCount) => 200 * 2 ** retryCount },
    enableTelemetry: false,
    devMode: false,
  });
}

/** Splits publish requests into batches of at most QSTASH_BATCH_MAX_MESSAGES messages and QSTASH_BATCH_MAX_BYTES of bodies. */
function batches(requests: PublishBatchRequest<string>[]): PublishBatchRequest<string>[][] {
  const out: PublishBatchRequest<string>[][] = [];
  let current: PublishBatchRequest<string>[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = request.body?.length ?? 0;
    if (current.length > 0 && (current.length >= QSTASH_BATCH_MAX_MESSAGES || bytes + size > QSTASH_BATCH_MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * The client has no timeout: a call that hangs is abandoned after QSTASH_TIMEOUT_MS
 * (not cancelled; should it succeed later, deduplication ids keep it harmless).
 */
async function withinTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`QStash ${what} took longer than ${QSTASH_TIMEOUT_MS} ms`)), QSTASH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class QStashDispatcher implements Dispatcher {
  readonly kind = 'qstash';

  constructor(private readonly client: QStashPublisher) {}

  async dispatchChunks(messages: ChunkMessage[], target: DispatchTarget): Promise<void> {
    const requests = messages.map(
      (message): PublishBatchRequest<string> => ({
        url: target.chunkUrl,
        body: JSON.stringify(message),
        headers: { 'Content-Type': 'application/json' },
        deduplicationId: chunkDedupId(message.jobId, message.chunk),
        // Once QStash gives up on a chunk, it tells us, and the job can still finish.
        failureCallback: target.abandonedUrl,
      }),
    );
    for (const batch of batches(requests)) await withinTimeout('batch publish', this.client.batch(batch));
  }

  async deliverWebhook(delivery: WebhookDelivery): Promise<void> {
    try {
      await withinTimeout('publish', this.client.publish({
        url: delivery.callbackUrl,
        body: delivery.body,
        // Content-Type is passed as is; any other header is forwarded as Upstash-Forward-<name>.
        headers: { ...delivery.headers, 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: delivery.signature },
        deduplicationId: webhookDedupId(delivery.jobId, delivery.event),
        retries: WEBHOOK_RETRIES,
        retryDelay: WEBHOOK_RETRY_DELAY_EXPR,
        // QStash's own attempts are not seen here; when it gives up it tells us, and we log it.
        ...(delivery.failureCallbackUrl ? { failureCallback: delivery.failureCallbackUrl } : {}),
      }));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.warn('bulk_webhook_failed', { jobId: delivery.jobId, event: delivery.event, via: 'qstash', stage: 'queue', attempt: null, status: null, error });
      throw new WebhookDeliveryError(`webhook for job ${delivery.jobId} not queued: ${error}`, { cause: err });
    }
  }
}
