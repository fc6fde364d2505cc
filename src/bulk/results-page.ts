/**
 * A page of results in item order, assembled from the stored JSON texts
 * without parsing them again. A page stops at `limit` items, at
 * RESULTS_PAGE_MAX_BYTES, or, while the job is still running, at the first
 * item not computed yet (`nextCursor` then points at it: poll again later).
 * `nextCursor` is null once every item has been returned.
 */
import type { JobStore } from './job-store';
import { RESULTS_PAGE_MAX_BYTES, RESULTS_READ_BATCH } from './policy';
import { isFinished, type JobState } from './types';

/** For an item that will never have a result: the job failed to queue it, or the result was lost. */
function placeholder(job: JobState, index: number): string {
  const error =
    job.status === 'failed'
      ? { code: 'not_processed', message: 'This item was never processed: the job could not be queued completely' }
      : { code: 'result_missing', message: 'No result is stored for this item' };
  return JSON.stringify({ id: null, index, status: 'failed', error });
}

export async function resultsPageText(store: JobStore, job: JobState, cursor: number, limit: number): Promise<string> {
  const end = Math.min(job.total, cursor + limit);
  const settled = isFinished(job.status) || job.status === 'failed';
  const texts: string[] = [];
  let bytes = 0;
  let index = cursor;
  let stalled = false;
  while (index < end && !stalled && bytes < RESULTS_PAGE_MAX_BYTES) {
    const values = await store.readResults(job.jobId, index, Math.min(RESULTS_READ_BATCH, end - index));
    for (const value of values) {
      if (value === null && !settled) {
        stalled = true;
        break;
      }
      const text = value ?? placeholder(job, index);
      texts.push(text);
      bytes += text.length;
      index++;
      if (bytes >= RESULTS_PAGE_MAX_BYTES) break;
    }
  }
  const nextCursor = index < job.total ? String(index) : null;
  return `{"jobId":${JSON.stringify(job.jobId)},"items":[${texts.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
}
