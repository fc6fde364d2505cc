// Types for scripts/stack/qstash.mjs (tsconfig has allowJs off).
export interface QStashOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** The bearer token publishers must send (QSTASH_TOKEN). */
  token: string;
  /** Signs every delivery (QSTASH_CURRENT_SIGNING_KEY). */
  currentSigningKey: string;
  /** Reported by GET /v2/keys (QSTASH_NEXT_SIGNING_KEY); never used to sign. */
  nextSigningKey: string;
  /** Enables /__stack/qstash/* (faults, delivery log) guarded by this bearer token. */
  controlToken?: string;
  /** Delivery requests in flight at once, callbacks included (default 16). */
  concurrency?: number;
  /** Default backoff: min(retryMaxMs, retryBaseMs * 2^retried); defaults 100 and 10000 ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-attempt HTTP timeout unless Upstash-Timeout says otherwise (default 60000 ms). */
  deliveryTimeoutMs?: number;
  /** How long a deduplication id is remembered (default 10 minutes, as QStash documents). */
  dedupWindowMs?: number;
  /** Largest message body (default 1 MiB, QStash's free-plan limit). */
  maxMessageBytes?: number;
  /** Largest /v2/batch request (default 100 MiB). */
  maxRequestBytes?: number;
  /** Response bodies are kept (for callbacks) up to this size (default 1 MiB). */
  maxResponseBytes?: number;
  /** Finished messages kept in the delivery log (default 20000). */
  logLimit?: number;
  log?: (message: string) => void;
}

export interface QStashFaults {
  /** Deliver each successfully delivered message this many extra times, same messageId. */
  duplicateDeliveries?: number;
  /** Send the duplicates together with each attempt instead of after the success. */
  duplicateConcurrently?: boolean;
  /** Every attempt waits this much longer (ms). */
  delayMs?: number;
  /** The first n attempts of each message fail as if the connection was refused. */
  failFirst?: number;
  /** Callbacks and failure callbacks are not sent. */
  dropCallbacks?: boolean;
  /** Only messages whose destination contains this (and their callbacks) are affected. */
  match?: string;
}

export interface QStashAttempt {
  /** The Upstash-Retried value sent (or that would have been sent). */
  retried: number;
  /** Start, ms since the epoch. */
  at: number;
  ms: number;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Network error / timeout / injected failure. */
  error?: string;
  /** Made up by a fault switch: the destination was not called. */
  injected?: boolean;
  /** An extra delivery made by the duplicateDeliveries fault. */
  duplicate?: boolean;
}

export interface QStashMessageLog {
  messageId: string;
  kind: 'message' | 'callback' | 'failure-callback';
  /** For callbacks: the message whose attempt they report. */
  sourceMessageId?: string;
  destination: string;
  method: string;
  state: 'pending' | 'retry' | 'delivered' | 'failed' | 'dropped';
  /** Last HTTP status received, or null. */
  status: number | null;
  maxRetries: number;
  attempts: QStashAttempt[];
  createdAt: number;
  notBefore: number;
  label?: string;
  deduplicationId?: string;
}

export interface QStashMessagesReport {
  /** Nothing scheduled, queued or in flight. */
  idle: boolean;
  /** Messages not yet delivered / failed. */
  pending: number;
  /** Oldest first. */
  messages: QStashMessageLog[];
}

export interface QStashEmulator {
  /** QSTASH_URL, e.g. http://127.0.0.1:8080 */
  url: string;
  host: string;
  port: number;
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
  setFaults(faults?: QStashFaults): QStashFaults;
  messages(): QStashMessagesReport;
  /** Resolves when nothing is scheduled, queued or in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The SDK's built-in dev-server credentials (what `npm run stack` uses). */
export const QSTASH_DEV_CREDENTIALS: Readonly<{ token: string; currentSigningKey: string; nextSigningKey: string }>;
export function startQStash(opts: QStashOptions): Promise<QStashEmulator>;
export function randomSigningKey(): string;
/** The Upstash-Signature JWT for a delivery of body to url. */
export function signDelivery(signingKey: string, url: string, body: Uint8Array | string, nowMs?: number): string;
/** base64url(sha256(body)) with '=' padding, as in the JWT's `body` claim. */
export function bodyHashClaim(body: Uint8Array | string): string;
/** "10s", "1h30m", "250ms", "1d" → ms; null when not a duration. */
export function parseDuration(value: string): number | null;
/** An Upstash-Retry-Delay expression → (retried) → ms. Throws on a bad expression. */
export function compileRetryDelay(source: string): (retried: number) => number;
