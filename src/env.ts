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
