/**
 * The two webhooks a job can send, both signed with WEBHOOK_SECRET
 * (X-Astro-Signature, webhook-signature.ts) and sent through the dispatcher:
 *
 * - `completed`: the job finished (sent by the delivery that finished it);
 * - `job_lost`: a chunk delivery (or QStash's failure callback) found the job
 *   gone from the store before it finished. The chunk message carries the
 *   callback URL for this; a claim in the store (`claimLostNotice`) and a
 *   QStash deduplication id make it one webhook per job.
 *
 * An old-style job (`POST /async/calculate`) gets both in the old shape, and
 * with its caller's `webhook_secret` also X-Webhook-Signature.
 */
import type { WebhookEvent } from './dispatcher';
import type { ChunkDeps } from './process-chunk';
import { CALLER_SIGNATURE_HEADER, legacyJobView, legacyLostView } from './legacy-async';
import { jobCreatedAtMs } from './job-id';
import { BULK_TTL_SEC } from './policy';
import { signWebhook } from './webhook-signature';
import type { ChunkMessage, JobState } from './types';
import { log } from '../obs/log';

/** Where QStash reports a webhook it gave up on (verified like a chunk delivery). */
export const WEBHOOK_FAILED_PATH = '/internal/bulk/webhook-failed';

export const resultsUrlOf = (job: Pick<JobState, 'baseUrl' | 'jobId'>) => `${job.baseUrl}/v1/bulk/${job.jobId}/results`;

/** The completion body of a bulk job: what a receiver needs to decide whether to fetch the results. */
export function webhookBody(job: JobState): string {
  const { jobId, status, total, succeeded, failed } = job;
  return JSON.stringify({ jobId, status, total, succeeded, failed, resultsUrl: resultsUrlOf(job) });
}

interface Outgoing {
  jobId: string;
  event: WebhookEvent;
  callbackUrl: string;
  body: string;
  callbackSecret?: string | null;
}

async function deliver(deps: ChunkDeps, webhookSecret: string, out: Outgoing, nowMs: number): Promise<void> {
  const signature = await signWebhook(webhookSecret, out.body, nowMs / 1000);
  const headers = out.callbackSecret ? { [CALLER_SIGNATURE_HEADER]: await signWebhook(out.callbackSecret, out.body, nowMs / 1000) } : undefined;
  await deps.dispatcher.deliverWebhook({
    jobId: out.jobId,
    event: out.event,
    callbackUrl: out.callbackUrl,
    body: out.body,
    signature,
    ...(headers ? { headers } : {}),
    ...(deps.baseUrl ? { failureCallbackUrl: `${deps.baseUrl}${WEBHOOK_FAILED_PATH}` } : {}),
  });
}

/** The completion webhook; marks it queued (and forgets the caller's secret) once the dispatcher accepted it. */
export async function sendWebhook(deps: ChunkDeps, job: JobState, nowMs: number): Promise<void> {
  if (!deps.webhookSecret || !job.callbackUrl) {
    log.error('bulk_webhook_unsigned_skipped', { jobId: job.jobId });
    return;
  }
  const body = job.kind === 'legacy_async' ? JSON.stringify(legacyJobView(job, (await deps.store.readResults(job.jobId, 0, 1))[0] ?? null)) : webhookBody(job);
  await deliver(deps, deps.webhookSecret, { jobId: job.jobId, event: 'completed', callbackUrl: job.callbackUrl, body, callbackSecret: job.callbackSecret }, nowMs);
  await deps.store.updateJob(job.jobId, { webhookQueuedAt: new Date(nowMs).toISOString(), ...(job.callbackSecret ? { callbackSecret: null } : {}) });
  log.info('bulk_webhook_sent', { jobId: job.jobId, event: 'completed', via: deps.dispatcher.kind });
}

const LOST_MESSAGE =
  'The job store lost this job before it finished (its data is gone: a store restart or loss). Nothing more will be computed for it; submit it again.';

/**
 * Tells the caller that the job of `message` is gone, once: only for a job
 * still within its retention (older is expired, not lost) with a callback
 * URL in the message. The claim is given back if QStash cannot queue the
 * webhook, so that the redelivery of this chunk tries again.
 */
export async function tellJobLost(deps: ChunkDeps, message: ChunkMessage, nowMs: number): Promise<void> {
  const createdAtMs = jobCreatedAtMs(message.jobId);
  if (!message.callbackUrl || createdAtMs === null || createdAtMs + BULK_TTL_SEC * 1000 <= nowMs) return;
  if (!deps.webhookSecret) {
    log.error('bulk_webhook_unsigned_skipped', { jobId: message.jobId, event: 'job_lost' });
    return;
  }
  if (!(await deps.store.claimLostNotice(message.jobId, Math.floor(createdAtMs / 1000) + BULK_TTL_SEC))) return;
  const createdAt = new Date(createdAtMs).toISOString();
  const legacy = message.items.some((item) => item.type === 'legacy');
  const body = legacy
    ? JSON.stringify(legacyLostView(message.jobId, createdAt, new Date(nowMs).toISOString(), LOST_MESSAGE))
    : JSON.stringify({ jobId: message.jobId, status: 'job_lost', createdAt, message: LOST_MESSAGE });
  try {
    // The caller's own secret was kept with the job, and went with it: X-Astro-Signature only.
    await deliver(deps, deps.webhookSecret, { jobId: message.jobId, event: 'job_lost', callbackUrl: message.callbackUrl, body }, nowMs);
  } catch (err) {
    // Through QStash, the chunk is redelivered and tries again; inline, the webhook has had its attempts.
    if (deps.dispatcher.kind === 'qstash') await deps.store.releaseLostNotice(message.jobId).catch(() => undefined);
    throw err;
  }
  log.warn('bulk_job_lost_notified', { jobId: message.jobId, chunk: message.chunk, via: deps.dispatcher.kind });
}
