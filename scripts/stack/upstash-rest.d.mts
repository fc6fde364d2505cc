// Types for scripts/stack/upstash-rest.mjs (tsconfig has allowJs off).
export interface UpstashRestOptions {
  redisPort: number;
  redisHost?: string;
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** The bearer token clients must send. */
  token: string;
  /** Enables /__stack/* (health, redis stop/start) guarded by this bearer token. */
  controlToken?: string;
  /** The managed redis-server that /__stack/redis/stop|start controls. */
  redis?: { start(): Promise<void>; stop(): Promise<void>; readonly running: boolean };
  /** Largest accepted request body (default 100 MiB). */
  maxBodyBytes?: number;
  /** Most pooled connections for / and /pipeline (default 16). */
  poolSize?: number;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Longest wait for Redis' replies to one request, default 10000 ms; then 504. */
  commandTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface UpstashRest {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export function startUpstashRest(opts: UpstashRestOptions): Promise<UpstashRest>;
