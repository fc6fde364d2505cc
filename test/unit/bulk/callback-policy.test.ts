/** callbackUrl policy: https to a public host; loopback only with ALLOW_LOOPBACK_CALLBACKS. */
import { describe, expect, it } from 'vitest';
import { checkCallbackUrl } from '../../../src/bulk/callback-policy';

const strict = { allowLoopback: false };
const dev = { allowLoopback: true };

describe('checkCallbackUrl', () => {
  it.each([
    'https://example.com/hooks/astro',
    'https://hooks.example.com:8443/a?b=c',
    'https://93.184.216.34/hook',
    'https://[2606:4700::1111]/hook',
    'https://172.32.0.1/', // just outside 172.16/12
    'https://11.0.0.1/',
  ])('accepts %s', (url) => {
    expect(checkCallbackUrl(url, strict)).toEqual({ ok: true, url: new URL(url).href });
  });

  it.each([
    ['http://example.com/hook', 'the callback must use https'],
    ['https://10.1.2.3/hook', 'private, link-local or reserved address 10.1.2.3 is not allowed'],
    ['https://192.168.0.10/', 'private, link-local or reserved address 192.168.0.10 is not allowed'],
    ['https://172.16.0.1/', 'private, link-local or reserved address 172.16.0.1 is not allowed'],
    ['https://172.31.255.255/', 'private, link-local or reserved address 172.31.255.255 is not allowed'],
    ['https://169.254.169.254/latest/meta-data', 'private, link-local or reserved address 169.254.169.254 is not allowed'],
    ['https://100.64.0.1/', 'private, link-local or reserved address 100.64.0.1 is not allowed'],
    ['https://0.0.0.0/', 'private, link-local or reserved address 0.0.0.0 is not allowed'],
    ['https://127.0.0.1/hook', 'loopback host 127.0.0.1 is not allowed'],
    ['https://127.8.9.10/hook', 'loopback host 127.8.9.10 is not allowed'],
    ['https://2130706433/hook', 'loopback host 127.0.0.1 is not allowed'], // decimal IPv4, normalised by URL
    ['https://0x7f.1/hook', 'loopback host 127.0.0.1 is not allowed'],
    ['https://localhost/hook', 'loopback host localhost is not allowed'],
    ['https://api.localhost/hook', 'loopback host api.localhost is not allowed'],
    ['https://[::1]/hook', 'loopback host [::1] is not allowed'],
    ['https://[fe80::1]/hook', 'private, link-local or reserved address [fe80::1] is not allowed'],
    ['https://[fd00::1]/hook', 'private, link-local or reserved address [fd00::1] is not allowed'],
    ['https://[::]/hook', 'private, link-local or reserved address [::] is not allowed'],
    ['https://[::ffff:10.0.0.1]/hook', 'private, link-local or reserved address [::ffff:a00:1] is not allowed'],
    ['https://[::ffff:127.0.0.1]/hook', 'loopback host [::ffff:7f00:1] is not allowed'],
    ['ftp://example.com/x', 'scheme ftp: is not allowed; use https'],
    ['https://user:pw@example.com/', 'credentials in the URL are not allowed'],
    ['/relative/path', 'not an absolute URL'],
  ])('refuses %s', (url, message) => {
    expect(checkCallbackUrl(url, strict)).toEqual({ ok: false, message });
  });

  it.each(['http://127.0.0.1:9999/hook', 'http://localhost:3000/x', 'http://[::1]:8080/', 'https://127.0.0.1/'])(
    'accepts loopback %s with ALLOW_LOOPBACK_CALLBACKS',
    (url) => {
      expect(checkCallbackUrl(url, dev)).toEqual({ ok: true, url: new URL(url).href });
    },
  );

  it('keeps refusing private and plain-http public hosts with ALLOW_LOOPBACK_CALLBACKS', () => {
    expect(checkCallbackUrl('http://10.0.0.1/', dev).ok).toBe(false);
    expect(checkCallbackUrl('https://[fe80::1]/', dev).ok).toBe(false);
    expect(checkCallbackUrl('http://example.com/', dev).ok).toBe(false);
  });
});
