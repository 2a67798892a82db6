import { formatIPv4, parseIp } from './parse-ip.js';

interface Range {
  prefix: Uint8Array;
  bits: number;
  reason: string;
}

function range(cidr: string, reason: string): Range {
  const [ip, bits] = cidr.split('/');
  const parsed = parseIp(ip!);
  if (!parsed) throw new Error(`bad CIDR in the forbidden table: ${cidr}`);
  return { prefix: parsed.bytes, bits: Number(bits), reason };
}

function inRange(bytes: Uint8Array, r: Range): boolean {
  if (bytes.length !== r.prefix.length) return false;
  const full = r.bits >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== r.prefix[i]) return false;
  const rest = r.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[full]! & mask) === (r.prefix[full]! & mask);
}

/**
 * IANA IPv4 special-purpose registry, minus the few globally reachable
 * entries nobody serves images from. Order matters only for the reason shown
 * (broadcast before the reserved 240/4 that contains it).
 */
const ipv4Ranges: Range[] = [
  range('0.0.0.0/8', 'unspecified / "this network" address (0.0.0.0/8)'),
  range('10.0.0.0/8', 'private network (10.0.0.0/8, RFC 1918)'),
  range('100.64.0.0/10', 'carrier-grade NAT (100.64.0.0/10, RFC 6598)'),
  range('127.0.0.0/8', 'loopback (127.0.0.0/8)'),
  range('169.254.0.0/16', 'link-local, home of cloud metadata services (169.254.0.0/16)'),
  range('172.16.0.0/12', 'private network (172.16.0.0/12, RFC 1918)'),
  range('192.0.0.0/24', 'IETF protocol assignments (192.0.0.0/24)'),
  range('192.0.2.0/24', 'documentation (192.0.2.0/24, TEST-NET-1)'),
  range('192.88.99.0/24', 'deprecated 6to4 relay anycast (192.88.99.0/24)'),
  range('192.168.0.0/16', 'private network (192.168.0.0/16, RFC 1918)'),
  range('198.18.0.0/15', 'benchmarking (198.18.0.0/15, RFC 2544)'),
  range('198.51.100.0/24', 'documentation (198.51.100.0/24, TEST-NET-2)'),
  range('203.0.113.0/24', 'documentation (203.0.113.0/24, TEST-NET-3)'),
  range('224.0.0.0/4', 'multicast (224.0.0.0/4)'),
  range('255.255.255.255/32', 'broadcast (255.255.255.255)'),
  range('240.0.0.0/4', 'reserved (240.0.0.0/4)'),
];

/** IPv6 ranges refused outright (embedded-IPv4 ranges are handled apart). */
const ipv6Ranges: Range[] = [
  range('::/128', 'unspecified address (::)'),
  range('::1/128', 'loopback (::1)'),
  range('64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)'),
  range('::/96', 'deprecated IPv4-compatible address (::/96)'),
  range('100::/64', 'discard-only (100::/64)'),
  range('2001:db8::/32', 'documentation (2001:db8::/32)'),
  range('2001::/32', 'Teredo tunnel (2001::/32)'),
  range('2001::/23', 'IETF protocol assignments (2001::/23)'),
  range('3fff::/20', 'documentation (3fff::/20)'),
  range('fc00::/7', 'unique local address (fc00::/7)'),
  range('fe80::/10', 'link-local (fe80::/10)'),
  range('fec0::/10', 'deprecated site-local (fec0::/10)'),
  range('ff00::/8', 'multicast (ff00::/8)'),
];

/** Ranges whose addresses embed an IPv4 address, which decides for them. */
const embeddingRanges: { range: Range; offset: number }[] = [
  { range: range('::ffff:0:0/96', 'IPv4-mapped'), offset: 12 },
  { range: range('64:ff9b::/96', 'NAT64'), offset: 12 },
  { range: range('2002::/16', '6to4'), offset: 2 },
];

const globalUnicast = range('2000::/3', 'global unicast');

function checkIPv4(bytes: Uint8Array): string | null {
  return ipv4Ranges.find((r) => inRange(bytes, r))?.reason ?? null;
}

/**
 * Why an IP address must not be fetched from, or null when it is a public
 * unicast address. Anything that is not an IP address is refused too.
 *
 * IPv6 addresses that embed an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
 * NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are judged by that
 * IPv4 address, since that is where the packets end up. Outside those, only
 * the global unicast block 2000::/3 is accepted.
 */
export function isForbiddenAddress(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return 'not an IP address';
  if (parsed.family === 4) return checkIPv4(parsed.bytes);
  if (parsed.zone !== undefined) return 'scoped IPv6 address (zone id)';
  for (const { range: r, offset } of embeddingRanges) {
    if (!inRange(parsed.bytes, r)) continue;
    const v4 = parsed.bytes.subarray(offset, offset + 4);
    const reason = checkIPv4(v4);
    return reason ? `${r.reason} address of ${formatIPv4(v4)}: ${reason}` : null;
  }
  const reason = ipv6Ranges.find((r) => inRange(parsed.bytes, r))?.reason;
  if (reason) return reason;
  return inRange(parsed.bytes, globalUnicast) ? null : 'not global unicast (outside 2000::/3)';
}
