/**
 * Everything the Worker receives from its environment, typed in one place.
 * Bindings, variables and secrets are documented here; wrangler.toml sets the
 * variables and `.dev.vars.example` lists the secrets.
 */
import type { SwissEphemeris } from './engine/swisseph';

export interface WorkerBindings {
  /** `development` locally, `production` in the deployed environment. */
  ENVIRONMENT?: string;
}

/** Per-request values set by middleware. */
export interface RequestVariables {
  requestId: string;
  engine: SwissEphemeris;
}

export interface AppEnv {
  Bindings: WorkerBindings;
  Variables: RequestVariables;
}
