/**
 * What the bulk routes (`/v1/bulk…`, `/internal/bulk/…`) and the old
 * service's async routes (`/async/…`) share: the services of this
 * configuration, reading a job (or saying why it is not there), and queueing
 * a new job with its rate-limit charge kept only if the items were queued.
 */
import type { Context } from 'hono';
import type { Charge } from '../access';
import * as bulk from '../bulk';
import type { AppEnv } from '../env';
import { waitUntilOf } from '../http/wait-until';

export const CHUNK_PATH = '/internal/bulk/chunk';
export const ABANDONED_PATH = '/internal/bulk/abandoned';

export function servicesOf(c: Context<AppEnv>) {
  const services = bulk.bulkFromEnv(c.env ?? {});
  const baseUrl = services.publicBaseUrl ?? new URL(c.req.url).origin;
  const deps: bulk.ChunkDeps = { engine: c.get('engine'), store: services.store, dispatcher: services.dispatcher, webhookSecret: services.webhookSecret, baseUrl };
  return { services, deps, baseUrl };
}

export async function loadJob(store: bulk.JobStore, jobId: string): Promise<bulk.JobState> {
  const job = bulk.isJobId(jobId) ? await store.getJob(jobId) : null;
  if (job) return job;
  const createdAtMs = bulk.jobCreatedAtMs(jobId);
  if (createdAtMs !== null && createdAtMs + bulk.BULK_TTL_SEC * 1000 <= Date.now()) {
    const created = new Date(createdAtMs).toISOString();
    throw new bulk.JobNotFoundError('results_expired', `Job ${jobId} was created at ${created}; jobs and their results are kept for 7 days`);
  }
  const where = store.kind === 'memory' ? ' (without Redis, jobs live in one isolate and are lost when it restarts)' : '';
  // A well-formed id from the last 7 days was issued by us: say the job may have been lost with
  // the store (a Redis data loss) rather than imply the caller mistyped it.
  const lost = createdAtMs !== null && createdAtMs <= Date.now() ? `: it was created at ${new Date(createdAtMs).toISOString()} and may have been lost with the job store` : '';
  // Only an id of ours is echoed: anything else may hold control characters or markup.
  if (!bulk.isJobId(jobId)) throw new bulk.JobNotFoundError('job_not_found', `No bulk job with this id; job ids look like 0mx9kdroi-4ae02f612ab2ffca19ff${where}`);
  throw new bulk.JobNotFoundError('job_not_found', `No bulk job ${jobId}${lost || where}`);
}

/**
 * Creates and queues a job. `charge` (the items' reservation) is given back
 * unless this call queued the items: a replay of a queued job, a 409 or a
 * failed dispatch costs only the request's unit.
 */
export async function queueJob(c: Context<AppEnv>, request: bulk.NewJobRequest, charge: Charge | null): Promise<bulk.JobCreation> {
  const { services, deps, baseUrl } = servicesOf(c);
  let queued = false;
  const dispatcher: bulk.Dispatcher = {
    kind: services.dispatcher.kind,
    dispatchChunks: async (messages, target) => {
      await services.dispatcher.dispatchChunks(messages, target);
      queued = true;
    },
    deliverWebhook: (delivery) => services.dispatcher.deliverWebhook(delivery),
  };
  try {
    return await bulk.createBulkJob({ store: services.store, dispatcher }, request, {
      chunkUrl: `${baseUrl}${CHUNK_PATH}`,
      abandonedUrl: `${baseUrl}${ABANDONED_PATH}`,
      runChunk: (message) => bulk.processChunk(deps, message),
      abandonChunk: (message, reason) => bulk.abandonChunk(deps, message, reason),
      waitUntil: waitUntilOf(c),
    });
  } finally {
    if (!queued && charge) await charge.refund();
  }
}
