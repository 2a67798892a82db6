import { isIP } from 'node:net';

/** Default EVENTS_SCANNER_CIDRS: Google's crawler and Microsoft Exchange Online Protection (Safe Links). */
export const DEFAULT_SCANNER_CIDRS: readonly string[] = ['66.249.64.0/19', '40.92.0.0/15', '40.107.0.0/16', '52.100.0.0/14', '104.47.0.0/17'];

/** Why a CIDR (`40.92.0.0/15`, `2001:db8::/32`) is unusable, or null. */
export function describeBadCidr(cidr: string): string | null {
  const [address, bits, extra] = cidr.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return 'expected an address/prefix such as 40.92.0.0/15';
  const max = family === 4 ? 32 : 128;
  if (bits === undefined || !/^\d+$/.test(bits) || Number(bits) > max) return `the prefix must be 0-${max}`;
  return null;
}
