/**
 * The rate-limit key of a client address (`CF-Connecting-IP`). One IPv6
 * subscriber is routinely given a whole /64 and may use any address in it, so
 * keying on the full address would hand it 2^64 quotas: IPv6 is keyed on its
 * /64. IPv4 addresses, scarce per subscriber, stay per address, and so does an
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which is that IPv4 client.
 */

/** Longer than any textual address (45 characters with an embedded IPv4, plus a zone). */
const MAX_ADDRESS_CHARS = 64;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-f]{1,4}$/i;

/** Dotted IPv4 without leading zeros, or null. */
function parseIpv4(text: string): number[] | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address in any RFC 4291 text form (`::`, embedded IPv4), or null. */
export function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (HEXTET.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return null;
  // An embedded IPv4 may only end the address.
  if (halves.length === 2 && halves[0].includes('.')) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null; // `::` stands for at least one zero group
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/**
 * `203.0.113.9` → `203.0.113.9`; `2001:DB8::1` and `2001:db8:0:0:ffff::2` →
 * `2001:db8:0:0::/64`; `::ffff:203.0.113.9` (or `::ffff:cb00:7109`) →
 * `203.0.113.9`. Anything unparseable (or absent) is `unknown`: one shared
 * key, so that varying a malformed header cannot mint fresh quotas (behind
 * Cloudflare the header is always a real address).
 */
export function addressKey(raw: string | null | undefined): string {
  let text = (raw ?? '').trim();
  if (text === '' || text.length > MAX_ADDRESS_CHARS) return 'unknown';
  const v4 = parseIpv4(text);
  if (v4) return v4.join('.');
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const groups = parseIpv6(text);
  if (!groups) return 'unknown';
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
