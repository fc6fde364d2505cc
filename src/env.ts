/**
 * Everything the Worker receives from its environment, typed in one place.
 * Bindings, variables and secrets are documented here; wrangler.toml sets the
 * variables and `.dev.vars.example` lists the secrets.
 */
import type { ResponseCache } from './cache';
import type { SwissEphemeris } from './engine/swisseph';

export interface WorkerBindings {
  /** `development` locally, `production` in the deployed environment. */
  ENVIRONMENT?: string;
  /** Upstash Redis REST URL (secret or var). Unset: an in-memory LRU per isolate stands in. */
  UPSTASH_REDIS_REST_URL?: string;
  /** Upstash Redis REST token (secret). Set together with the URL or not at all. */
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Budget for every Redis call of a request, milliseconds (default 250). */
  REDIS_TIMEOUT_MS?: string;
  /**
   * Which resources use the shared tier, comma-separated (`natal,transits`, or `none`);
   * unset = CACHE_POLICY. A measurement and operations knob (npm run bench uses it).
   */
  CACHE_SHARED_RESOURCES?: string;
  /** Bearer token for operational writes (`DELETE /cache/clear`; secret). Unset: those routes answer 403. */
  ADMIN_TOKEN?: string;

  // --- Bulk jobs (issue 5; src/bulk/README.md). All optional: without QStash, chunks run in-process. ---
  /** QStash API base URL (var); default https://qstash.upstash.io. The local stack's emulator sets its own. */
  QSTASH_URL?: string;
  /** QStash token (secret). Set: chunks and webhooks go through QStash (needs Redis and both signing keys). */
  QSTASH_TOKEN?: string;
  /** QStash signing keys (secrets) verifying `Upstash-Signature` on `POST /internal/bulk/chunk`; both or neither. */
  QSTASH_CURRENT_SIGNING_KEY?: string;
  QSTASH_NEXT_SIGNING_KEY?: string;
  /** HMAC-SHA256 key of the completion webhook's `X-Astro-Signature` (secret, ≥ 16 chars). Unset: `callbackUrl` is refused (503). */
  WEBHOOK_SECRET?: string;
  /** Origin of the public URLs (statusUrl, resultsUrl, the chunk destination), e.g. https://api.example.com; unset: the request's origin. */
  PUBLIC_BASE_URL?: string;
  /** `true`: http(s) callbacks to loopback (127.0.0.0/8, ::1, localhost) are allowed; development and tests only, refused in production. */
  ALLOW_LOOPBACK_CALLBACKS?: string;
}

/** Per-request values set by middleware. */
export interface RequestVariables {
  requestId: string;
  engine: SwissEphemeris;
  cache: ResponseCache;
}

export interface AppEnv {
  Bindings: WorkerBindings;
  Variables: RequestVariables;
}
