// Types for scripts/stack/index.mjs, so that TypeScript tests and the vitest globalSetup can
// import it (tsconfig has allowJs off).
import type { QStashEmulator, QStashOptions } from './qstash.d.mts';

export type { QStashEmulator, QStashFaults, QStashMessageLog, QStashMessagesReport, QStashOptions } from './qstash.d.mts';

export interface StackOptions {
  /** Port for redis-server; a free one when omitted. */
  redisPort?: number;
  /** Port for the Upstash REST endpoint; a free one when omitted. */
  restPort?: number;
  /** Bearer token the REST endpoint accepts; random when omitted. */
  token?: string;
  /** Enables the /__stack/* test-control endpoints (both emulators), guarded by this bearer token. */
  controlToken?: string;
  /** Port for the QStash emulator; a free one when omitted. */
  qstashPort?: number;
  /**
   * QStash emulator settings; token and signing keys are random when omitted (`npm run stack`
   * passes QSTASH_DEV_CREDENTIALS, the SDK's built-in dev values).
   */
  qstash?: Partial<Omit<QStashOptions, 'port' | 'host' | 'controlToken'>>;
  /** redis-server binary; found on the system when omitted. */
  redisBin?: string;
  /** Receives redis-server's log lines and internal errors. */
  log?: (line: string) => void;
}

export interface Stack {
  env: {
    UPSTASH_REDIS_REST_URL: string;
    UPSTASH_REDIS_REST_TOKEN: string;
    QSTASH_URL: string;
    QSTASH_TOKEN: string;
    QSTASH_CURRENT_SIGNING_KEY: string;
    QSTASH_NEXT_SIGNING_KEY: string;
  } & Record<string, string>;
  redis: { port: number; dir: string };
  upstash: { url: string; port: number };
  /** The running emulator (url, keys, faults, delivery log, idle()). */
  qstash: QStashEmulator;
  stop(): Promise<void>;
}

export function startStack(opts?: StackOptions): Promise<Stack>;
export function freePort(host?: string): Promise<number>;
export function randomToken(): string;
export function findRedisServer(): string | null;
export const INSTALL_HINT: string;
export { QSTASH_DEV_CREDENTIALS, randomSigningKey } from './qstash.d.mts';
