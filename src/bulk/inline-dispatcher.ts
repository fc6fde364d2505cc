/**
 * Without QStash (`npm start`, tests): chunks run in this isolate, one after
 * another inside a single `ctx.waitUntil`, each tried up to INLINE_ATTEMPTS
 * times, then abandoned (its items fail with `chunk_failed`, as with QStash's
 * failure callback); the webhook is POSTed directly with fetch, with the same signature
 * header, up to INLINE_ATTEMPTS times (each failure logged as `bulk_webhook_failed`). `waitUntil` work is cut off 30 s after the response in production,
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
          // The chunk is recorded and only its webhook failed, after its own attempts (each logged):
          // running the chunk again would only try the webhook more times than documented.
          if (err instanceof WebhookDeliveryError) break;
          const e = err instanceof Error ? err : new Error(String(err));
          log.error('bulk_chunk_attempt_failed', { jobId: message.jobId, chunk: message.chunk, attempt, name: e.name, error: e.message });
          if (attempt >= this.attempts) {
            // As QStash's failure callback would: the items fail, and the job can finish.
            await target.abandonChunk(message, `processing failed ${attempt} times (last: ${e.message})`).catch((abandonErr: unknown) => {
              if (abandonErr instanceof WebhookDeliveryError) return; // recorded; the webhook's failures are logged
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

  /** Up to `attempts` POSTs, `pauseMs` apart; each failure is logged, the last one throws. */
  async deliverWebhook(delivery: WebhookDelivery): Promise<void> {
    let last = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const outcome = await this.postOnce(delivery);
      if (outcome.ok) return;
      last = outcome.status === null ? outcome.error : `${delivery.callbackUrl} answered ${outcome.status}`;
      const willRetry = attempt < this.attempts;
      log.warn('bulk_webhook_failed', {
        jobId: delivery.jobId,
        event: delivery.event,
        via: 'inline',
        attempt,
        maxAttempts: this.attempts,
        status: outcome.status,
        error: outcome.status === null ? outcome.error : undefined,
        willRetry,
      });
      if (willRetry) await pause(this.pauseMs);
    }
    throw new WebhookDeliveryError(`webhook for job ${delivery.jobId} not delivered after ${this.attempts} attempts (last: ${last})`);
  }

  private async postOnce(delivery: WebhookDelivery): Promise<{ ok: true } | { ok: false; status: number; error?: undefined } | { ok: false; status: null; error: string }> {
    let response: Response;
    try {
      response = await this.fetch(delivery.callbackUrl, {
        method: 'POST',
        headers: { ...delivery.headers, 'Content-Type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: delivery.signature },
        body: delivery.body,
      });
    } catch (err) {
      return { ok: false, status: null, error: err instanceof Error ? err.message : String(err) };
    }
    await response.body?.cancel();
    return response.ok ? { ok: true } : { ok: false, status: response.status };
  }
}
