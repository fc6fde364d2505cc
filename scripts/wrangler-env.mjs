/**
 * Environment for every wrangler invocation: wrangler phones home (metrics,
 * error reports, cf fetch) unless told not to, and this project must run with
 * no network beyond 127.0.0.1.
 */
export const WRANGLER_OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
};

export function wranglerEnv(extra = {}) {
  return { ...process.env, ...WRANGLER_OFFLINE_ENV, ...extra };
}
