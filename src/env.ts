/**
 * Everything the Worker receives from its environment, typed in one place.
 * Bindings, variables and secrets are documented here; wrangler.toml sets the
 * variables and `.dev.vars.example` lists every one (a worker test runs it
 * through the parsers). Each module parses its own (`src/<module>/from-env.ts`);
 * a value it cannot use is listed by /health (src/config-report.ts) and makes
 * the routes that need it answer 503 with the module's code, never a 500.
 */
import type { ResponseCache } from './cache';
import type { SwissEphemeris } from './engine/swisseph';
import type { Principal } from './access/types';
import type { RequestObs } from './obs/request-obs';

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

  // --- Bulk jobs (src/bulk/README.md). All optional: without QStash, chunks run in-process. ---
  /** QStash API base URL (var); default https://qstash.upstash.io. The local stack's emulator sets its own. */
  QSTASH_URL?: string;
  /** QStash token (secret). Set: chunks and webhooks go through QStash (needs Redis and both signing keys). */
  QSTASH_TOKEN?: string;
  /** QStash signing keys (secrets) verifying `Upstash-Signature` on `POST /internal/bulk/chunk`; both or neither. */
  QSTASH_CURRENT_SIGNING_KEY?: string;
  QSTASH_NEXT_SIGNING_KEY?: string;
  /** HMAC-SHA256 key of the completion webhook's `X-Astro-Signature` (secret, ≥ 16 chars, else bulk routes answer 503 `bulk_misconfigured`). Unset: `callbackUrl` is refused (503 `webhooks_disabled`). */
  WEBHOOK_SECRET?: string;
  /** Origin of the public URLs (statusUrl, resultsUrl, the chunk destination), e.g. https://api.example.com; unset: the request's origin. */
  PUBLIC_BASE_URL?: string;
  /** `true`: http(s) callbacks to loopback (127.0.0.0/8, ::1, localhost) are allowed; development and tests only, refused in production. Only `true`/`false`. */
  ALLOW_LOOPBACK_CALLBACKS?: string;

  // --- Observability (src/obs/README.md) ---
  /** Lowest level written: debug | info | warn | error (default info). `PUT /logging/level` overrides it at run time. */
  LOG_LEVEL?: string;
  /** Seconds between two flushes of an isolate's metrics to Redis (default 5; 0 = after every request). */
  METRICS_FLUSH_SEC?: string;
  /** Bearer token a Prometheus scraper sends for `GET /metrics` and `/metrics/json` (secret); ADMIN_TOKEN works too. Unset: metrics are public. */
  METRICS_TOKEN?: string;

  // --- Access (src/access/README.md) ---
  /** `true`: every calculation route needs an API key (production); otherwise anonymous calls are allowed, limited per IP. */
  REQUIRE_API_KEY?: string;
  /** API keys when Upstash Redis is not configured (secret): JSON list written by `node scripts/keys.mjs create --offline`. */
  API_KEYS?: string;
  /** JSON overriding plan limits, e.g. `{"free":{"requests":60,"windowSec":60}}` (var). */
  RATE_LIMITS?: string;
  /** Comma-separated origins allowed by CORS (`*` for any); unset: no cross-origin access. */
  CORS_ORIGINS?: string;
}

/** Per-request values set by middleware. */
export interface RequestVariables {
  requestId: string;
  engine: SwissEphemeris;
  cache: ResponseCache;
  /** What this request did, for its log line and the metrics (src/obs/). */
  obs: RequestObs;
  /** Set by the authentication middleware on routes that take API keys. */
  principal?: Principal;
}

export interface AppEnv {
  Bindings: WorkerBindings;
  Variables: RequestVariables;
}
