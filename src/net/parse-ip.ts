/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export interface ParsedIp {
  family: 4 | 6;
  bytes: Uint8Array;
  /** The `%eth0` suffix of a scoped IPv6 address, when there is one. */
  zone: string | undefined;
}

/** A dotted quad without leading zeros (what `node:net` isIPv4 accepts). */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Parses a textual IP address into bytes, or returns null when the text is
 * not an IP address. Only strict forms are taken (dotted quads without
 * leading zeros; RFC 4291 IPv6 with an optional dotted IPv4 tail): the
 * exotic forms (`0x7f.1`, `2130706433`) never reach here because WHATWG URL
 * parsing already rewrites them to dotted quads. No Node API: the props
 * validator runs it in the browser bundle too.
 */
export function parseIp(text: string): ParsedIp | null {
  const ip = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (IPV4.test(ip)) return { family: 4, bytes: parseIPv4(ip), zone: undefined };
  const pct = ip.indexOf('%');
  const zone = pct >= 0 ? ip.slice(pct + 1) : undefined;
  if (zone !== undefined && !/^[A-Za-z0-9_.~-]+$/.test(zone)) return null;
  const bytes = parseIPv6(pct >= 0 ? ip.slice(0, pct) : ip);
  return bytes ? { family: 6, bytes, zone } : null;
}

function parseIPv4(ip: string): Uint8Array {
  return Uint8Array.from(ip.split('.').map(Number));
}

function parseIPv6(ip: string): Uint8Array | null {
  let text = ip.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hextets so one parser suffices.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return null;
    const [a, b, c, d] = parseIPv4(tail);
    text = `${text.slice(0, lastColon + 1)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const hextets = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const value = Number.parseInt(hextets[i]!, 16);
    if (!/^[0-9a-f]{1,4}$/.test(hextets[i]!) || Number.isNaN(value)) return null;
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  return bytes;
}

/** Formats 4 bytes as a dotted quad (used for IPv4 addresses embedded in IPv6 ones). */
export function formatIPv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}
