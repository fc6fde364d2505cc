// Types for scripts/stack/resp.mjs (tsconfig has allowJs off).
import type { Socket } from 'node:net';

export class Status {
  constructor(buf: Buffer);
  buf: Buffer;
  toString(): string;
}
export class ReplyError {
  constructor(message: string);
  message: string;
}
export class RedisUnavailableError extends Error {
  constructor(message: string, opts?: { timeout?: boolean; cause?: unknown });
  timeout: boolean;
}
/** bulk → Buffer, status → Status, integer → bigint, nil → null, array → array, error → ReplyError */
export type Reply = Buffer | Status | bigint | null | ReplyError | Reply[];
export type Command = Array<Buffer | string>;

export function encodeCommand(args: Command): Buffer;

export class RespParser {
  constructor(onReply: (value: Reply) => void);
  push(chunk: Buffer): void;
}

export class RedisConnection {
  static connect(opts: { host?: string; port: number; connectTimeoutMs?: number }): Promise<RedisConnection>;
  constructor(socket: Socket);
  readonly closed: boolean;
  send(commands: Command[], timeoutMs?: number): Promise<Reply[]>;
  close(): void;
  onClose(fn: () => void): void;
}

export class RedisPool {
  constructor(opts: {
    host?: string;
    port: number;
    max?: number;
    connectTimeoutMs?: number;
    commandTimeoutMs?: number;
  });
  connect(): Promise<RedisConnection>;
  run(commands: Command[]): Promise<Reply[]>;
  dedicated<T>(fn: (conn: RedisConnection) => Promise<T>): Promise<T>;
  drain(): void;
  close(): void;
}
