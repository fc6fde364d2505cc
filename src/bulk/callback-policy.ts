/**
 * Which `callbackUrl`s a job may call back: https to a public host. Literal
 * private, loopback, link-local, CGNAT, multicast and unspecified addresses
 * (IPv4, IPv6, IPv4-mapped IPv6) and `localhost` names are refused. A hostname
 * that *resolves* to such an address cannot be checked here (Workers have no
 * DNS API, and QStash resolves it later, elsewhere): the policy stops mistakes
 * and the obvious SSRF targets, not a determined DNS rebinding.
 *
 * `allowLoopback` (ALLOW_LOOPBACK_CALLBACKS=true, never in production) lets
 * http or https to 127.0.0.0/8, ::1 and localhost through, for local
 * development and tests.
 */

export type CallbackVerdict = { ok: true; url: string } | { ok: false; message: string };

/** IPv4 dotted quad → 4 numbers; null if not one. (WHATWG URL already turned 0x7f.1 or 2130706433 into dotted form.) */
function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function ipv4Kind(o: number[]): 'loopback' | 'private' | null {
  const [a, b] = o;
  if (a === 127) return 'loopback';
  if (a === 0 || a === 10 || a >= 224) return 'private'; // this network, private, multicast, reserved, broadcast
  if (a === 169 && b === 254) return 'private'; // link-local (cloud metadata lives here)
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 168) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT
  if (a === 192 && b === 0 && o[2] === 0) return 'private'; // IETF protocol assignments
  if (a === 198 && (b === 18 || b === 19)) return 'private'; // benchmarking
  return null;
}

/** IPv6 literal (URL hostnames keep the brackets) → 8 hextets; null if not one. */
function ipv6(host: string): number[] | null {
  if (!host.startsWith('[') || !host.endsWith(']')) return null;
  let text = host.slice(1, -1).toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = ipv4(v4[1]);
    if (!o) return null;
    text = text.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return null;
  const parse = (s: string) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return null;
  const words = [...left, ...Array(missing).fill(0), ...right];
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : null;
}

function ipv6Kind(w: number[]): 'loopback' | 'private' | null {
  if (w.slice(0, 7).every((x) => x === 0) && w[7] === 1) return 'loopback'; // ::1
  if (w.every((x) => x === 0)) return 'private'; // ::
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return ipv4Kind([w[6] >> 8, w[6] & 255, w[7] >> 8, w[7] & 255]); // ::ffff:a.b.c.d
  if ((w[0] & 0xffc0) === 0xfe80) return 'private'; // link-local fe80::/10
  if ((w[0] & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((w[0] & 0xff00) === 0xff00) return 'private'; // multicast
  return null;
}

function hostKind(host: string): 'loopback' | 'private' | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  const v4 = ipv4(name);
  if (v4) return ipv4Kind(v4);
  const v6 = ipv6(name);
  if (v6) return ipv6Kind(v6);
  if (name.startsWith('[')) return 'private'; // a bracketed literal we could not read: refuse
  return null;
}

export function checkCallbackUrl(text: string, options: { allowLoopback: boolean }): CallbackVerdict {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'not an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, message: 'credentials in the URL are not allowed' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: `scheme ${url.protocol} is not allowed; use https` };
  const kind = hostKind(url.hostname);
  if (kind === 'loopback' && options.allowLoopback) return { ok: true, url: url.href };
  if (url.protocol !== 'https:') return { ok: false, message: 'the callback must use https' };
  if (kind === 'loopback') return { ok: false, message: `loopback host ${url.hostname} is not allowed` };
  if (kind === 'private') return { ok: false, message: `private, link-local or reserved address ${url.hostname} is not allowed` };
  return { ok: true, url: url.href };
}
