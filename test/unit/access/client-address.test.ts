/**
 * The rate-limit key of a client address: IPv4 per address, IPv6 per /64
 * whatever its text form, IPv4-mapped IPv6 as the IPv4 address, junk as one
 * shared `unknown`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressKey, parseIpv6 } from '../../../src/access/client-address';

describe('addressKey', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['203.000.113.009', '203.0.113.9'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
  ])('IPv4 %j stays per address: %s', (raw, key) => {
    expect(addressKey(raw)).toBe(key);
  });

  it.each([
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:ffff:ffff:ffff:ffff', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['2001:db8:a:b:c:d:e:f', '2001:db8:a:b::/64'],
    ['2001:db8:a:b::c', '2001:db8:a:b::/64'],
    ['2001:db8:a::b:c:d', '2001:db8:a:0::/64'],
    ['::2001:db8:a:b:c', '0:0:0:2001::/64'],
    ['::', '0:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['[2001:db8::1]', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::203.0.113.9', '64:ff9b:0:0::/64'],
    ['1:2:3:4:5:6:7::', '1:2:3:4::/64'],
    ['::2:3:4:5:6:7:8', '0:2:3:4::/64'],
  ])('IPv6 %j is keyed on its /64: %s', (raw, key) => {
    expect(addressKey(raw)).toBe(key);
  });

  it('every address of one /64 shares a key; the neighbouring /64 does not', () => {
    const keys = ['2001:db8:1:2::', '2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0db8:0001:0002:1234:5678:9abc:def0'].map(addressKey);
    expect(new Set(keys).size).toBe(1);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(keys[0]);
    expect(addressKey('2001:db8:1:1::1')).not.toBe(keys[0]);
  });

  it.each([
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:203.0.113.9', '203.0.113.9'],
    ['::ffff:cb00:7109', '203.0.113.9'],
    ['0:0:0:0:0:ffff:203.0.113.9', '203.0.113.9'],
    ['[::ffff:127.0.0.1]', '127.0.0.1'],
  ])('IPv4-mapped %j is the IPv4 client %s', (raw, key) => {
    expect(addressKey(raw)).toBe(key);
  });

  it.each([
    [undefined],
    [null],
    [''],
    ['unknown'],
    ['999.999.999.999'],
    ['1.2.3'],
    ['1.2.3.4.5'],
    ['2001:db8::1::2'],
    ['2001:db8:::1'],
    [':1:2:3:4:5:6:7'],
    ['1:2:3:4:5:6:7:8:9'],
    ['1:2:3:4:5:6:7'],
    ['1:2:3:4:5:6:7::8'],
    ['12345::'],
    ['g::1'],
    ['1.2.3.4::'],
    ['::1.2.3.4:5'],
    ['x'.repeat(300)],
    ['2001:db8::1 , 203.0.113.9'],
  ])('%j is unknown', (raw) => {
    expect(addressKey(raw as string | undefined)).toBe('unknown');
  });

  it('agrees with the URL parser on every IPv6 text form (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        // The WHATWG URL parser is an independent IPv6 implementation: its canonical form expands to the same groups.
        const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
        expect(parseIpv6(address)).toEqual(parseIpv6(canonical));
        expect(parseIpv6(address)).toHaveLength(8);
        const mapped = /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(canonical);
        expect(addressKey(address)).toMatch(mapped ? /^\d+\.\d+\.\d+\.\d+$/ : /^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}::\/64$/);
      }),
    );
  });

  it('every IPv4 address keys as itself, alone or mapped (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(addressKey(address)).toBe(address);
        expect(addressKey(`::ffff:${address}`)).toBe(address);
      }),
    );
  });
});
