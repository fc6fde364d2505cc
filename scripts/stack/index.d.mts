// Types for scripts/stack/index.mjs, so that TypeScript tests and the vitest globalSetup can
// import it (tsconfig has allowJs off).
export interface StackOptions {
  /** Port for redis-server; a free one when omitted. */
  redisPort?: number;
  /** Port for the Upstash REST endpoint; a free one when omitted. */
  restPort?: number;
  /** Bearer token the REST endpoint accepts; random when omitted. */
  token?: string;
  /** Enables the /__stack/* test-control endpoints, guarded by this bearer token. */
  controlToken?: string;
  /** redis-server binary; found on the system when omitted. */
  redisBin?: string;
  /** Receives redis-server's log lines and internal errors. */
  log?: (line: string) => void;
}

export interface Stack {
  env: { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string } & Record<string, string>;
  redis: { port: number; dir: string };
  upstash: { url: string; port: number };
  stop(): Promise<void>;
}

export function startStack(opts?: StackOptions): Promise<Stack>;
export function freePort(host?: string): Promise<number>;
export function randomToken(): string;
export function findRedisServer(): string | null;
export const INSTALL_HINT: string;
