/**
 * scripts/keys.mjs offline: the key it prints has the Worker's format, and
 * the entry it prints is one the Worker's API_KEYS parser accepts and finds
 * that key by. (The --url commands run against real Workers in
 * test/stack/access.test.ts.)
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, offlineKey, run } from '../../../scripts/keys.mjs';
import { API_KEY_PATTERN, KEY_ID_PATTERN, sha256Hex } from '../../../src/access/keys';
import { findByDigest, parseApiKeys } from '../../../src/access/secret-keys';

const SCRIPT = fileURLToPath(new URL('../../../scripts/keys.mjs', import.meta.url));
const exec = promisify(execFile);

async function script(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code as number, stdout: err.stdout as string, stderr: err.stderr as string };
  }
}

describe('scripts/keys.mjs create --offline', () => {
  it('prints a key in the Worker format and an API_KEYS entry the Worker accepts', async () => {
    const { code, stdout } = await script(['create', '--offline', '--plan', 'enterprise', '--name', 'Acme Ltd', '--json']);
    expect(code).toBe(0);
    const { key, entry } = JSON.parse(stdout);
    expect(key).toMatch(API_KEY_PATTERN);
    expect(entry.keyId).toMatch(KEY_ID_PATTERN);
    expect(entry).toMatchObject({ name: 'Acme Ltd', plan: 'enterprise', sha256: await sha256Hex(key) });
    expect(JSON.stringify(entry)).not.toContain(key);
    const records = parseApiKeys(JSON.stringify([entry]));
    expect(findByDigest(records, await sha256Hex(key))?.keyId).toBe(entry.keyId);
  });

  it('text output shows the key once and the entry as one JSON line', async () => {
    const { code, stdout } = await script(['create', '--offline', '--plan', 'pro', '--name', 'acme']);
    expect(code).toBe(0);
    const key = /ae_live_[0-9A-Za-z]{32}/.exec(stdout)?.[0];
    expect(key).toBeDefined();
    expect(stdout.split(key!).length - 1).toBe(1);
    const line = stdout.split('\n').find((l) => l.startsWith('{'))!;
    expect(parseApiKeys(`[${line}]`)[0].sha256).toBe(await sha256Hex(key!));
  });

  it('offlineKey and run agree with the CLI', async () => {
    const { key, entry } = offlineKey({ name: 'x', plan: 'free', now: new Date('2026-03-01T00:00:00Z') });
    expect(entry.createdAt).toBe('2026-03-01T00:00:00.000Z');
    expect(entry.sha256).toBe(await sha256Hex(key));
    const out = await run(['create', '--offline', '--plan', 'free', '--name', 'x', '--json']);
    expect(parseApiKeys(JSON.stringify([out.json.entry]))).toHaveLength(1);
  });

  it.each([
    [['create', '--offline', '--plan', 'gold', '--name', 'x'], /--plan must be one of/],
    [['create', '--offline', '--plan', 'pro'], /--name must have/],
    [['create', '--offline', '--plan', 'pro', '--name', 'x'.repeat(101)], /--name must have/],
    [['create', '--plan', 'pro', '--name', 'x'], /--url is required/],
    [['list', '--url', 'https://api.example.com'], /ADMIN_TOKEN/],
    [['revoke', '--url', 'https://api.example.com'], /ADMIN_TOKEN|needs a keyId/],
    [['list', '--url', 'ftp://x'], /http\(s\)/],
    [['rotate'], /unknown command/],
    [[], /a command is required/],
    [['list', '--nope'], /Unknown option/],
  ])('%j: exit 2 with usage', async (args, message) => {
    const { code, stderr, stdout } = await script(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage:');
    expect(stdout).toBe('');
  });
});

describe('scripts/keys.mjs --url: ADMIN_TOKEN never in cleartext off this machine', () => {
  it.each(['http://api.example.com', 'http://10.0.0.5:8787', 'http://localhost.example.com', 'http://[::ffff:127.0.0.1]', 'http://127.0.0.1.nip.io'])('%s: exit 2 before any request', async (url) => {
    const { code, stderr, stdout } = await script(['list', '--url', url], { ADMIN_TOKEN: 'secret-admin-token' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--url must be https:\/\/.*cleartext/);
    expect(stderr).not.toContain('secret-admin-token');
    expect(stdout).toBe('');
  });

  it.each(['http://localhost:9', 'http://127.0.0.1:9', 'http://127.1.2.3:9', 'http://[::1]:9', 'HTTP://LOCALHOST:9'])('%s: allowed (then unreachable: exit 1)', async (url) => {
    const { code, stderr } = await script(['list', '--url', url], { ADMIN_TOKEN: 'secret-admin-token' });
    expect(stderr).toMatch(/could not reach/);
    expect(code).toBe(1);
  });

  it('https is allowed for any host', async () => {
    await expect(run(['list', '--url', 'https://127.0.0.1:9'], { ADMIN_TOKEN: 'x' })).rejects.toThrow(/could not reach/);
  });

  it('isLoopbackHost takes hostnames as the URL parser writes them', () => {
    for (const url of ['http://localhost/', 'http://127.0.0.1/', 'http://127.255.255.254/', 'http://127.1/', 'http://0x7f000001/', 'http://[::1]/', 'http://[0:0:0:0:0:0:0:1]/']) {
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(true);
    }
    for (const url of ['http://128.0.0.1/', 'http://[::2]/', 'http://localhost.evil/', 'http://evil-localhost/', 'http://0.0.0.0/']) {
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(false);
    }
  });
});
