/**
 * One observability service per isolate and configuration: the metrics
 * registry, the log level, and (with Upstash) their shared copies.
 *
 * Flushing: after a request, if METRICS_FLUSH_SEC has passed since the last
 * sync, the pending increments go to Redis in `ctx.waitUntil` (one EVAL that
 * also reads the shared log level back). An isolate that is evicted loses at
 * most that interval of counts; a failed flush is retried with the next one.
 */
import { DEFAULT_LOG_LEVEL, isLogLevel, log, type LogLevel } from './log';
import { MetricsRegistry, families, type MetricFamily } from './metrics';
import { ObsRedisStore, type RuntimeLevel } from './shared-store';
import { collectProblems, type ConfigProblem } from '../http/errors';
import { upstashFromEnv } from '../platform/upstash-env';

export interface ObsEnv {
  LOG_LEVEL?: string;
  METRICS_FLUSH_SEC?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  REDIS_TIMEOUT_MS?: string;
}

export const DEFAULT_METRICS_FLUSH_SEC = 5;
const MAX_METRICS_FLUSH_SEC = 300;
/** Run-time levels expire: a forgotten `debug` must not flood Logpush for ever. */
export const DEFAULT_LEVEL_TTL_SEC = 3_600;
export const MAX_LEVEL_TTL_SEC = 7 * 24 * 3_600;

export type Scope = 'cluster' | 'isolate';

export interface MetricsSnapshot {
  scope: Scope;
  note: string;
  families: MetricFamily[];
}

export interface LevelStatus {
  /** The level this isolate applies now. */
  level: LogLevel;
  /** `env`: LOG_LEVEL (or its default); `runtime`: set through PUT /logging/level. */
  source: 'env' | 'runtime';
  envLevel: LogLevel;
  runtime: RuntimeLevel | null;
  /** `cluster`: the run-time level is shared through Redis; `isolate`: this isolate only. */
  scope: Scope;
  /** Seconds after which other isolates apply a change (their next sync). */
  propagationSec: number;
  warnings?: string[];
}

type WaitUntil = { waitUntil(promise: Promise<unknown>): void };

export class Observability {
  readonly registry = new MetricsRegistry();
  private runtime: RuntimeLevel | null = null;
  private lastSyncMs = -Infinity;
  private flushScheduled = false;
  private syncChain: Promise<void> = Promise.resolve();

  constructor(
    readonly envLevel: LogLevel,
    private readonly flushMs: number,
    readonly store: ObsRedisStore | null,
    /** Variables replaced by a default or ignored (shown by /health and /logging/status). */
    readonly problems: readonly ConfigProblem[],
    private readonly now: () => number = Date.now,
  ) {}

  get warnings(): string[] {
    return this.problems.map((p) => p.message);
  }

  level(): LogLevel {
    return this.activeRuntime()?.level ?? this.envLevel;
  }

  private activeRuntime(): RuntimeLevel | null {
    const runtime = this.runtime;
    return runtime && Date.parse(runtime.expiresAt) > this.now() ? runtime : null;
  }

  /**
   * After each request: make sure a sync is scheduled, at once when the last
   * one is METRICS_FLUSH_SEC old, else when it will be. So every count reaches
   * Redis within that interval (unless the isolate is evicted first), at most
   * one scheduled sync exists per isolate, and syncs never overlap.
   */
  afterRequest(ctx: WaitUntil): void {
    if (!this.store || this.flushScheduled) return;
    this.flushScheduled = true;
    const delayMs = Math.max(0, this.lastSyncMs + this.flushMs - this.now());
    ctx.waitUntil(this.flushAfter(delayMs));
  }

  private async flushAfter(delayMs: number): Promise<void> {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    // Counts made from here on schedule the next sync.
    this.flushScheduled = false;
    await this.syncNow();
  }

  /** One sync at a time, in order: the registry hands out one batch at a time. */
  private syncNow(): Promise<void> {
    const run = () => this.sync();
    this.syncChain = this.syncChain.then(run, run);
    return this.syncChain;
  }

  private async sync(): Promise<void> {
    if (!this.store) return;
    this.lastSyncMs = this.now();
    const batch = this.registry.startFlush();
    const out = await this.store.sync(batch);
    if (batch) this.registry.finishFlush(batch, out.ok);
    if (out.ok) this.runtime = out.value;
  }

  /**
   * Without Redis: this isolate's counts (and it says so). With Redis: this
   * isolate's counts are handed over first, then the totals are read, so
   * successive scrapes never go down whichever isolate answers. Redis
   * unreachable: null (the route answers 503; one isolate's small totals under
   * the same names would look like a counter reset).
   */
  async metrics(): Promise<MetricsSnapshot | null> {
    if (!this.store) {
      return { scope: 'isolate', note: 'this isolate only: no Redis configured', families: families(this.registry.local()) };
    }
    await this.syncNow();
    const shared = await this.store.readMetrics();
    if (!shared.ok) return null;
    const note = `every isolate, aggregated in Redis; each hands its counts over within ${this.flushMs / 1000} s`;
    return { scope: 'cluster', note, families: families(shared.value) };
  }

  async levelStatus(): Promise<LevelStatus> {
    if (this.store) {
      const shared = await this.store.readLevel();
      if (shared.ok) this.runtime = shared.value;
    }
    const runtime = this.activeRuntime();
    return {
      level: this.level(),
      source: runtime ? 'runtime' : 'env',
      envLevel: this.envLevel,
      runtime,
      scope: this.store ? 'cluster' : 'isolate',
      propagationSec: this.store ? this.flushMs / 1000 : 0,
      ...(this.warnings.length ? { warnings: this.warnings } : {}),
    };
  }

  /**
   * Sets (or with null clears) the run-time level: at once in this isolate, and
   * through Redis for the others. False when Redis is configured but did not
   * take it (the caller answers 503: a level only some isolates apply is worse
   * than none).
   */
  async setLevel(level: LogLevel | null, ttlSec: number): Promise<boolean> {
    const nowMs = this.now();
    const runtime = level ? { level, setAt: new Date(nowMs).toISOString(), expiresAt: new Date(nowMs + ttlSec * 1000).toISOString() } : null;
    if (this.store) {
      const out = await this.store.writeLevel(runtime, ttlSec);
      if (!out.ok) return false;
    }
    this.runtime = runtime;
    return true;
  }
}

function parseFlushSec(raw: string | undefined, problems: ConfigProblem[]): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_METRICS_FLUSH_SEC;
  const sec = Number(raw);
  if (Number.isFinite(sec) && sec >= 0 && sec <= MAX_METRICS_FLUSH_SEC) return sec;
  problems.push({ variable: 'METRICS_FLUSH_SEC', message: `METRICS_FLUSH_SEC must be a number of seconds from 0 to ${MAX_METRICS_FLUSH_SEC}, got '${raw}'; using ${DEFAULT_METRICS_FLUSH_SEC}` });
  return DEFAULT_METRICS_FLUSH_SEC;
}

function parseLevel(raw: string | undefined, problems: ConfigProblem[]): LogLevel {
  const value = raw?.trim().toLowerCase();
  if (!value) return DEFAULT_LOG_LEVEL;
  if (isLogLevel(value)) return value;
  problems.push({ variable: 'LOG_LEVEL', message: `LOG_LEVEL must be one of debug, info, warn, error, got '${raw}'; using ${DEFAULT_LOG_LEVEL}` });
  return DEFAULT_LOG_LEVEL;
}

function redisTimeoutMs(raw: string | undefined): number {
  const ms = Number(raw);
  return Number.isInteger(ms) && ms >= 1 && ms <= 10_000 ? ms : 250;
}

const instances = new Map<string, Observability>();

/**
 * Never throws: this runs before everything else, so a bad variable becomes a
 * problem (logged once per isolate, shown by /logging/status and /health) and
 * a default. An unusable Upstash pair means no shared store here; its problem
 * is the one the cache and access report, so /health shows it once.
 */
export function obsFromEnv(env: ObsEnv): Observability {
  const memoKey = JSON.stringify([env.LOG_LEVEL, env.METRICS_FLUSH_SEC, env.UPSTASH_REDIS_REST_URL, env.UPSTASH_REDIS_REST_TOKEN, env.REDIS_TIMEOUT_MS]);
  let obs = instances.get(memoKey);
  if (obs) return obs;
  const problems: ConfigProblem[] = [];
  const envLevel = parseLevel(env.LOG_LEVEL, problems);
  const flushMs = parseFlushSec(env.METRICS_FLUSH_SEC, problems) * 1000;
  // The Upstash pair's own mistakes are the same ones the cache reports (/health shows each once).
  const credentials = collectProblems(problems, () => upstashFromEnv(env));
  let store: ObsRedisStore | null = null;
  if (credentials) {
    try {
      store = new ObsRedisStore({ ...credentials, timeoutMs: redisTimeoutMs(env.REDIS_TIMEOUT_MS) });
    } catch (err) {
      problems.push({ variable: 'UPSTASH_REDIS_REST_URL', message: `UPSTASH_REDIS_REST_URL is not usable (${String(err)}); metrics and the log level are per isolate` });
    }
  }
  obs = new Observability(envLevel, flushMs, store, problems);
  instances.set(memoKey, obs);
  for (const warning of obs.warnings) log.warn('config_warning', { warning });
  return obs;
}
