/**
 * Bulk errors. Those a client can meet extend AppError (status + stable code,
 * rendered by the app's onError); outages and configuration mistakes extend
 * DependencyUnavailableError (503 with their code). Any 5xx on the internal
 * chunk route makes QStash retry the chunk.
 */
import { AppError, ConfigError, DependencyUnavailableError, type ConfigProblem } from '../http/errors';

/**
 * A bulk variable is missing, malformed or inconsistent (e.g. QStash without
 * Redis): every bulk route answers 503 `bulk_misconfigured`, and /health lists
 * each problem.
 */
export class BulkConfigError extends ConfigError {
  override readonly name = 'BulkConfigError';
  constructor(problems: ConfigProblem | readonly ConfigProblem[], options?: { cause?: unknown }) {
    super('bulk_misconfigured', 'Bulk jobs are not available', problems, options);
  }
}

/**
 * The job store (Redis) failed or answered something unexpected: 503, so that a
 * status request never makes up an answer and QStash retries a chunk. The
 * client sees a generic message; `detail` (logged by the store) says what failed.
 */
export class BulkStoreError extends DependencyUnavailableError {
  override readonly name = 'BulkStoreError';
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super('job_store_unavailable', 'The bulk job store is unreachable right now; try again shortly', options);
  }
}

/**
 * A webhook could not be handed to QStash, or delivered directly after all its
 * attempts (already logged as `bulk_webhook_failed`). 503 `webhook_undeliverable`
 * on the chunk route: the job is recorded, and QStash's redelivery of the chunk
 * queues the webhook again.
 */
export class WebhookDeliveryError extends DependencyUnavailableError {
  override readonly name = 'WebhookDeliveryError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('webhook_undeliverable', message, options);
  }
}

/** Unknown job id (404 `job_not_found`), or one older than the retention (404 `results_expired`). */
export class JobNotFoundError extends AppError {
  override readonly name = 'JobNotFoundError';
  constructor(code: 'job_not_found' | 'results_expired', message: string) {
    super(404, code, message);
  }
}

/** The Idempotency-Key was used with another body (409). */
export class IdempotencyConflictError extends AppError {
  override readonly name = 'IdempotencyConflictError';
  constructor(jobId: string) {
    super(
      409,
      'idempotency_conflict',
      `This Idempotency-Key was already used for job ${jobId} with a different body; use a new key for a new job`,
    );
  }
}

/** The chunks could not all be queued (503); with an Idempotency-Key, the same request resumes the job. */
export class DispatchFailedError extends DependencyUnavailableError {
  override readonly name = 'DispatchFailedError';
  constructor(jobId: string, resumable: boolean, options?: { cause?: unknown }) {
    const next = resumable
      ? 'send the same request with the same Idempotency-Key to resume it'
      : 'it was marked failed; send the request again (with an Idempotency-Key, a retry resumes instead)';
    super('dispatch_failed', `Job ${jobId} could not be queued completely: ${next}`, options);
  }
}

/** A `callbackUrl` was given but this deployment has no WEBHOOK_SECRET to sign with (503). */
export class WebhooksDisabledError extends DependencyUnavailableError {
  override readonly name = 'WebhooksDisabledError';
  constructor() {
    super('webhooks_disabled', 'Webhooks are disabled on this deployment (no WEBHOOK_SECRET): omit callbackUrl and poll statusUrl');
  }
}

/** A delivery to the internal chunk route without a valid `Upstash-Signature` (401). */
export class InvalidSignatureError extends AppError {
  override readonly name = 'InvalidSignatureError';
  constructor(message: string) {
    super(401, 'invalid_signature', message);
  }
}
