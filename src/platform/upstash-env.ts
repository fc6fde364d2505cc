/**
 * `UPSTASH_REDIS_REST_URL` + `_TOKEN`, read the same way by every module that
 * uses Redis (cache, access, bulk, observability), so that they agree on what
 * is configured and /health shows one message per mistake, not one per module.
 */
import { ConfigError, type ConfigProblem } from '../http/errors';

export interface UpstashEnv {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

export interface UpstashCredentials {
  url: string;
  token: string;
}

/** What @upstash/redis itself accepts (its constructor throws otherwise), checked before it is built. */
const CLIENT_URL_PATTERN = /^https?:\/\/[^\s#$./?].\S*$/;

/** The problems of the pair: half set, a URL the client refuses, a token with white space inside. */
export function upstashProblems(env: UpstashEnv): ConfigProblem[] {
  const url = env.UPSTASH_REDIS_REST_URL?.trim() || undefined;
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim() || undefined;
  if (!url && !token) return [];
  if (!url || !token) {
    const [missing, set] = url ? ['UPSTASH_REDIS_REST_TOKEN', 'UPSTASH_REDIS_REST_URL'] : ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN'];
    return [{ variable: missing, message: `${missing} is missing while ${set} is set: set both (the URL and token of the same database) or neither` }];
  }
  const problems: ConfigProblem[] = [];
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL at all.
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !CLIENT_URL_PATTERN.test(url.replace(/\/$/, ''))) {
    problems.push({ variable: 'UPSTASH_REDIS_REST_URL', message: `UPSTASH_REDIS_REST_URL must be the database's REST URL, such as https://eu1-example-12345.upstash.io (or http://127.0.0.1:8079 from npm run stack), got '${url.slice(0, 100)}'` });
  }
  if (/\s/.test(token)) {
    problems.push({ variable: 'UPSTASH_REDIS_REST_TOKEN', message: 'UPSTASH_REDIS_REST_TOKEN contains white space: paste the REST token from the Upstash console on one line' });
  }
  return problems;
}

/** The credentials, or null when neither is set; throws a ConfigError listing every problem. */
export function upstashFromEnv(env: UpstashEnv): UpstashCredentials | null {
  const problems = upstashProblems(env);
  if (problems.length) throw new ConfigError('redis_misconfigured', 'Redis is not available', problems);
  const url = env.UPSTASH_REDIS_REST_URL?.trim();
  const token = env.UPSTASH_REDIS_REST_TOKEN?.trim();
  return url && token ? { url, token } : null;
}
