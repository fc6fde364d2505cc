/**
 * Without QStash (`npm start`, tests): chunks run in this isolate, one after
 * another inside a single `ctx.waitUntil`, each tried up to INLINE_ATTEMPTS
 * times, then abandoned (its items fail with `chunk_failed`, as with QStash's
 * failure callback); the webhook is POSTed directly with fetch, with the same signature
 * header. `waitUntil` work is cut off 30 s after the response in production,
 * so this mode suits development and jobs of a few thousand natal items; the
 * job store then keeps whatever was recorded and the job stays `running`.
 */
import { WebhookDeliveryError } from './errors';
import type { DispatchTarget, Dispatcher, WebhookDelivery } from './dispatcher';
import { INLINE_ATTEMPTS, INLINE_RETRY_PAUSE_MS } from './policy';
import { WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';
import type { ChunkMessage } from './types';
import { log } from '../obs/log';

export interface InlineDispatcherOptions {
  fetch?: typeof fetch;
  attempts?: number;
  pauseMs?: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class InlineDispatcher implements Dispatcher {
  readonly kind = 'inline';
  private readonly fetch: typeof fetch;
  private readonly attempts: number;
  private readonly pauseMs: number;

  constructor(options: InlineDispatcherOptions = {}) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.attempts = options.attempts ?? INLINE_ATTEMPTS;
    this.pauseMs = options.pauseMs ?? INLINE_RETRY_PAUSE_MS;
  }

  async dispatchChunks(messages: ChunkMessage[], target: DispatchTarget): Promise<void> {
    target.waitUntil.waitUntil(this.runAll(messages, target));
  }

  /** One chunk at a time, yielding between chunks so status requests are answered meanwhile. */
  private async runAll(messages: ChunkMessage[], target: DispatchTarget): Promise<void> {
    for (const message of messages) {
      for (let attempt = 1; ; attempt++) {
        try {
          await target.runChunk(message);
          break;
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          log.error('bulk_chunk_attempt_failed', { jobId: message.jobId, chunk: message.chunk, attempt, name: e.name, error: e.message });
          if (attempt >= this.attempts) {
            // As QStash's failure callback would: the items fail, and the job can finish.
            await target.abandonChunk(message, `processing failed ${attempt} times (last: ${e.message})`).catch((abandonErr: unknown) => {
              const a = abandonErr instanceof Error ? abandonErr : new Error(String(abandonErr));
              log.error('bulk_chunk_lost', { jobId: message.jobId, chunk: message.chunk, name: a.name, error: a.message });
            });
            break;
          }
          await pause(this.pauseMs);
        }
      }
      await pause(0);
    }
  }

  /** One attempt: a failure throws, and the chunk's retry (above) tries the webhook again. */
  async deliverWebhook(delivery: WebhookDelivery): Promise<void> {
    let response: Response;
    try {
      response = await this.fetch(delivery.callbackUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: delivery.signature },
        body: delivery.body,
      });
    } catch (err) {
      throw new WebhookDeliveryError(`webhook for job ${delivery.jobId} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    await response.body?.cancel();
    if (!response.ok) throw new WebhookDeliveryError(`webhook for job ${delivery.jobId}: ${delivery.callbackUrl} answered ${response.status}`);
  }
}
