/**
 * Every limit of bulk jobs, with its unit, in one place. README.md beside this
 * file explains the choices.
 */

/** Items in one `POST /v1/bulk`. */
export const BULK_MAX_ITEMS = 10_000;
/** Body limit of `POST /v1/bulk`, bytes (the chart routes keep 16 KiB). */
export const BULK_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** Items per chunk, i.e. per QStash message (50 transits ≈ 0.25–1 s of CPU). */
export const BULK_CHUNK_SIZE = 50;
/** Every key of a job (state, results, chunk set, idempotency key) expires this long after the job's creation. */
export const BULK_TTL_SEC = 7 * 24 * 3600;
/** Invalid items listed in a 422 (their total is given beside the list). */
export const MAX_LISTED_INVALID_ITEMS = 100;
/** `limit` of `GET /v1/bulk/{jobId}/results`: default and maximum. */
export const RESULTS_PAGE_DEFAULT_LIMIT = 100;
export const RESULTS_PAGE_MAX_LIMIT = 1000;
/** A results page stops early once its items reach this many bytes (16 Shodasavarga charts ≈ 33 kB an item). */
export const RESULTS_PAGE_MAX_BYTES = 8 * 1024 * 1024;
/** Results read from the store per call while building a page. */
export const RESULTS_READ_BATCH = 100;
/**
 * Budget of each job-store call to Redis, milliseconds. Much larger than the
 * cache's REDIS_TIMEOUT_MS: bulk writes are not on a latency-critical path and a
 * failed chunk costs a QStash retry.
 */
export const BULK_REDIS_TIMEOUT_MS = 10_000;
/** Result payload per Redis pipeline (one HTTP request to Upstash), bytes. */
export const REDIS_PIPELINE_MAX_BYTES = 900 * 1024;
/** Messages per QStash batch publish call, and their total body size, bytes. */
export const QSTASH_BATCH_MAX_MESSAGES = 100;
export const QSTASH_BATCH_MAX_BYTES = 900 * 1024;
/** Longest wait for one QStash API call (publish or batch), ms. */
export const QSTASH_TIMEOUT_MS = 10_000;
/** Body limit of `POST /internal/bulk/chunk`, bytes (50 items of at most a few hundred bytes each). */
export const CHUNK_BODY_LIMIT_BYTES = 1024 * 1024;
/** Clock skew accepted when checking the `Upstash-Signature` JWT's nbf/exp, seconds. */
export const QSTASH_CLOCK_TOLERANCE_SEC = 30;
/**
 * Webhook retries through QStash and the delay before each (QStash's
 * `Upstash-Retry-Delay` expression, ms): 10 s, 20 s, 40 s. Every retry then
 * leaves within ~70 s of signing, inside a receiver's 5-minute replay window.
 */
export const WEBHOOK_RETRIES = 3;
export const WEBHOOK_RETRY_DELAY_EXPR = '10000 * pow(2, retried)';
/** Replay window a receiver should apply to `X-Astro-Signature` timestamps, seconds (used by verifyWebhookSignature). */
export const WEBHOOK_TOLERANCE_SEC = 300;
/** Shortest accepted WEBHOOK_SECRET, characters (use 32 random bytes, e.g. `openssl rand -hex 32`). */
export const WEBHOOK_SECRET_MIN_CHARS = 16;
/** Inline mode (no QStash): attempts per chunk and per webhook, and the pause between attempts, ms. */
export const INLINE_ATTEMPTS = 3;
export const INLINE_RETRY_PAUSE_MS = 1000;
/** In-memory job store cap, bytes of stored results (an isolate has 128 MB). */
export const MEMORY_STORE_MAX_BYTES = 64 * 1024 * 1024;
