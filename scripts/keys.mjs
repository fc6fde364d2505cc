#!/usr/bin/env node
/**
 * API keys from the command line (src/access/README.md).
 *
 *   Against a deployment with Upstash Redis (admin HTTP API; ADMIN_TOKEN in the environment):
 *     node scripts/keys.mjs create --plan pro --name acme --url https://api.example.com
 *     node scripts/keys.mjs list --url https://api.example.com
 *     node scripts/keys.mjs revoke key_4fJ8kQ2mZx7B --url https://api.example.com
 *
 *   Without Redis (keys come from the API_KEYS secret), offline:
 *     node scripts/keys.mjs create --offline --plan pro --name acme
 *   prints the key once, and the entry to add to the API_KEYS JSON list.
 *
 *   --json prints one JSON object instead of text (for scripts). Exit codes: 0 done, 1 the
 *   server refused or could not be reached, 2 bad arguments.
 *
 * The key format matches src/access/keys.ts (test/unit/access/keys-script.test.ts pins both).
 */
import { createHash, getRandomValues } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export const PLANS = ['free', 'pro', 'enterprise'];
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const USAGE = `usage:
  node scripts/keys.mjs create --plan <${PLANS.join('|')}> --name <name> (--url <deployment> | --offline) [--json]
  node scripts/keys.mjs list --url <deployment> [--json]
  node scripts/keys.mjs revoke <keyId> --url <deployment> [--json]
ADMIN_TOKEN (environment) authenticates --url calls.`;

export class UsageError extends Error {}

/** Uniform base62 (bytes ≥ 248 redrawn, as in src/access/keys.ts). */
function randomBase62(length) {
  let out = '';
  while (out.length < length) {
    for (const byte of getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** A new key and its API_KEYS entry; the key itself is in no entry. */
export function offlineKey({ name, plan, now = new Date() }) {
  checkCreate({ name, plan });
  const key = `ae_live_${randomBase62(32)}`;
  const entry = { keyId: `key_${randomBase62(12)}`, name, plan, sha256: createHash('sha256').update(key).digest('hex'), createdAt: now.toISOString() };
  return { key, entry };
}

function checkCreate({ name, plan }) {
  if (!PLANS.includes(plan)) throw new UsageError(`--plan must be one of ${PLANS.join(', ')}`);
  if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw new UsageError('--name must have 1 to 100 characters');
}

function baseUrlOf(raw) {
  if (!raw) throw new UsageError('--url is required (or --offline for create)');
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url is not a URL: ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('--url must be http(s)');
  // ADMIN_TOKEN travels in a header: in cleartext only to this machine (a local `wrangler dev`).
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(`--url must be https:// (plain http:// would send ADMIN_TOKEN in cleartext; it is allowed only for localhost, 127.0.0.0/8 and [::1])`);
  }
  return url.origin;
}

/** `hostname` as the URL parser leaves it: IPv4 forms normalised to dotted decimal, IPv6 compressed and in brackets. */
export function isLoopbackHost(hostname) {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** One admin API call; throws with the server's error code and message on a non-2xx. */
async function adminCall(baseUrl, token, method, path, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new Error(`could not reach ${baseUrl}: ${err.cause?.message ?? err.message}`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = json?.error;
    const detail = error ? `${error.code}: ${error.message}` : text.slice(0, 300);
    throw new Error(`${method} ${path} answered ${res.status} (${detail})`);
  }
  return json;
}

/** Runs one command; returns what it prints (text or JSON). Exported for tests. */
export async function run(argv, env = process.env) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { plan: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, offline: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help) return { text: USAGE };
  if (command === 'create' && values.offline) {
    if (values.url) throw new UsageError('--offline and --url exclude each other');
    const { key, entry } = offlineKey({ name: values.name, plan: values.plan });
    if (values.json) return { json: { key, entry } };
    return {
      text: [
        `key (shown once, give it to ${entry.name}; only its SHA-256 is kept): ${key}`,
        '',
        'add this entry to the API_KEYS secret (a JSON list), then deploy:',
        JSON.stringify(entry),
        '',
        'e.g. wrangler secret put API_KEYS --env production   (paste the whole list)',
        'to revoke: set "revokedAt" on the entry (callers then get 403) or remove it (401).',
      ].join('\n'),
    };
  }
  if (!['create', 'list', 'revoke'].includes(command)) throw new UsageError(command ? `unknown command '${command}'` : 'a command is required');
  const baseUrl = baseUrlOf(values.url);
  const token = env.ADMIN_TOKEN;
  if (!token) throw new UsageError('set ADMIN_TOKEN in the environment for --url calls');

  if (command === 'create') {
    checkCreate({ name: values.name, plan: values.plan });
    const created = await adminCall(baseUrl, token, 'POST', '/admin/keys', { name: values.name, plan: values.plan });
    if (values.json) return { json: created };
    return { text: `${created.keyId} (${created.plan}, ${created.name}) created at ${created.createdAt}\nkey (shown once): ${created.key}` };
  }
  if (command === 'list') {
    const listed = await adminCall(baseUrl, token, 'GET', '/admin/keys');
    if (values.json) return { json: listed };
    const lines = listed.keys.map((k) => `${k.keyId}  ${k.plan.padEnd(10)}  ${k.createdAt}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  ${k.name}`);
    return { text: [`${listed.keys.length} key(s), store: ${listed.store}`, ...lines].join('\n') };
  }
  const [keyId] = rest;
  if (!keyId) throw new UsageError('revoke needs a keyId (see `list`)');
  const revoked = await adminCall(baseUrl, token, 'DELETE', `/admin/keys/${encodeURIComponent(keyId)}`);
  if (values.json) return { json: revoked };
  return { text: `${revoked.keyId} revoked at ${revoked.revokedAt} (refused everywhere within 30 s; up to 300 s where an isolate cannot reach Redis)` };
}

async function main() {
  try {
    const out = await run(process.argv.slice(2));
    process.stdout.write(`${out.json !== undefined ? JSON.stringify(out.json, null, 2) : out.text}\n`);
  } catch (err) {
    const usage = err instanceof UsageError || err?.code?.startsWith?.('ERR_PARSE_ARGS');
    process.stderr.write(`keys: ${err.message}\n${usage ? `${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
