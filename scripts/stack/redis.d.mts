// Types for scripts/stack/redis.mjs (tsconfig has allowJs off).
export const INSTALL_HINT: string;
export function findRedisServer(): string | null;
export function waitForRedis(opts: {
  host?: string;
  port: number;
  /** Only accept the redis-server with this process id. */
  pid?: number;
  timeoutMs?: number;
  isDead?: () => boolean;
}): Promise<void>;

export interface ManagedRedis {
  readonly host: string;
  readonly port: number;
  /** The temp dir redis-server runs in (removed by close()). */
  readonly dir: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Starts it again on the same port (empty, unless stopped with keepData) and waits for PING. */
  start(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and wait for the exit; `keepData` SAVEs first so start() reloads it. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  restart(): Promise<void>;
  /** stop() and remove the temp dir. */
  close(): Promise<void>;
}

export function startRedis(opts: {
  port: number;
  bin?: string;
  host?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
}): Promise<ManagedRedis>;
