/**
 * Every variable the Worker cannot use, gathered from the modules' own
 * parsers (never a second copy of a rule), with what each mistake does to
 * the service: /health shows this, and a test runs `.dev.vars.example`
 * through it so the example cannot rot.
 *
 * Each module refuses its own bad configuration in its own way: access and
 * bulk answer 503 with their code, the cache falls back to memory (and
 * `DELETE /cache/clear` answers 503), observability and CORS use a default.
 */
import { AccessConfigError, accessFromEnv } from './access';
import { BulkConfigError, bulkFromEnv } from './bulk';
import { CacheConfigError, checkCacheEnv } from './cache';
import type { WorkerBindings } from './env';
import { ConfigError, type ConfigProblem } from './http/errors';
import { parseCorsOrigins } from './http/hardening';
import { obsFromEnv } from './obs/service';

export interface ConfigReportEntry extends ConfigProblem {
  /** What the mistake does, one sentence per module that refuses it. */
  effects: string[];
  /** Codes of the 503 the affected routes answer (empty when a default stands in). */
  codes: string[];
}

interface Area {
  effect: string;
  code?: string;
  problems: (env: WorkerBindings) => readonly ConfigProblem[];
}

/** The problems of a parse that throws a ConfigError of class `kind`; none when it does not throw. */
function thrown(kind: abstract new (...args: never[]) => ConfigError, parse: () => unknown): readonly ConfigProblem[] {
  try {
    parse();
    return [];
  } catch (err) {
    if (err instanceof kind) return err.problems;
    throw err;
  }
}

const AREAS: Area[] = [
  {
    effect: 'the cache runs in memory per isolate, and DELETE /cache/clear answers 503 cache_misconfigured',
    code: 'cache_misconfigured',
    problems: (env) => thrown(CacheConfigError, () => checkCacheEnv(env)),
  },
  {
    effect: 'calculation routes and /admin/keys answer 503 access_misconfigured (closed: no key is checked, nobody is let in)',
    code: 'access_misconfigured',
    problems: (env) => thrown(AccessConfigError, () => accessFromEnv(env)),
  },
  {
    effect: 'bulk routes (/v1/bulk…, /internal/bulk/…) answer 503 bulk_misconfigured',
    code: 'bulk_misconfigured',
    problems: (env) => thrown(BulkConfigError, () => bulkFromEnv(env)),
  },
  {
    effect: 'the default is used instead (observability)',
    problems: (env) => obsFromEnv(env).problems,
  },
  {
    effect: 'the entry is ignored: browsers from that origin are refused',
    problems: (env) =>
      parseCorsOrigins(env.CORS_ORIGINS).rejected.map((entry) => ({
        variable: 'CORS_ORIGINS',
        message: `CORS_ORIGINS: '${entry.slice(0, 100)}' is not an http(s) origin: write origins like https://app.example.com, comma-separated, or *`,
      })),
  },
];

/** One entry per distinct problem, in the order found; a mistake several modules refuse lists each effect. */
export function configReport(env: WorkerBindings): ConfigReportEntry[] {
  const entries = new Map<string, ConfigReportEntry>();
  for (const area of AREAS) {
    for (const problem of area.problems(env)) {
      const key = `${problem.variable}\n${problem.message}`;
      let entry = entries.get(key);
      if (!entry) {
        entry = { variable: problem.variable, message: problem.message, effects: [], codes: [] };
        entries.set(key, entry);
      }
      if (!entry.effects.includes(area.effect)) entry.effects.push(area.effect);
      if (area.code && !entry.codes.includes(area.code)) entry.codes.push(area.code);
    }
  }
  return [...entries.values()];
}

/** An entry as one line of text: the problem, then what it does. */
export function reportLine(entry: ConfigReportEntry): string {
  return `${entry.message.replace(/\.?$/, '.')} Meanwhile ${entry.effects.join('; ')}.`;
}
