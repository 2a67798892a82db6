import { z } from 'zod';

/** `true` only inside a template's player bundle (esbuild `define`): props are not validated there (see define-template.ts). */
declare const MASTERCUT_PLAYER_BUNDLE: boolean | undefined;

/** Longest URL accepted in props: long enough for signed CDN URLs, short enough to bound abuse. */
export const REMOTE_IMAGE_URL_MAX_LENGTH = 2048;

function ipv4Refused(a: number, b: number): boolean {
  return (
    a === 0 || // "this network", 0.0.0.0
    a === 10 || // private
    a === 127 || // loopback
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata endpoints live here)
    (a === 172 && b >= 16 && b <= 31) || // private
    (a === 192 && b === 168) || // private
    a >= 224 // multicast, reserved, broadcast
  );
}

/** Why a URL's host is refused, or null. `hostname` comes from WHATWG URL parsing, so IPv4 forms are normalised. */
function refusedHost(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost';
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return ipv4Refused(Number(v4[1]), Number(v4[2])) ? 'a loopback, private or link-local IPv4 address' : null;
  if (host.startsWith('[') && host.endsWith(']')) {
    const v6 = host.slice(1, -1);
    if (v6 === '::' || v6 === '::1') return 'a loopback or unspecified IPv6 address';
    if (/^f[cd]/.test(v6)) return 'a unique-local IPv6 address';
    if (/^fe[89ab]/.test(v6)) return 'a link-local IPv6 address';
    // IPv4-mapped (::ffff:7f00:1) addresses reach the IPv4 host behind them.
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
    if (mapped) {
      const high = parseInt(mapped[1]!, 16);
      if (ipv4Refused(high >> 8, high & 0xff)) return 'an IPv4-mapped private address';
    }
  }
  return null;
}

/**
 * A zod schema for a prop holding a remote image URL: https only, at most 2048
 * characters, no credentials, and no literal loopback, private or link-local
 * address nor `localhost`. This is a first, early refusal with a clear
 * message; the real SSRF guard runs after DNS resolution when the asset is
 * fetched.
 */
export function remoteImageUrl() {
  // In the player bundle the definition is only read, never used to validate (props were checked when the link was made).
  if (typeof MASTERCUT_PLAYER_BUNDLE === 'undefined' || !MASTERCUT_PLAYER_BUNDLE) return checkedRemoteImageUrl();
  return z.string();
}

function checkedRemoteImageUrl() {
  return z
    .string()
    .max(REMOTE_IMAGE_URL_MAX_LENGTH, { message: `Image URL must be at most ${REMOTE_IMAGE_URL_MAX_LENGTH} characters` })
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Image URL is not a valid absolute URL' });
        return;
      }
      if (url.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: `Image URL must use https (got ${url.protocol.replace(/:$/, '')})` });
        return;
      }
      if (url.username !== '' || url.password !== '') {
        ctx.addIssue({ code: 'custom', message: 'Image URL must not contain credentials' });
        return;
      }
      const refused = refusedHost(url.hostname);
      if (refused) ctx.addIssue({ code: 'custom', message: `Image URL must not point to ${refused}` });
    })
    .meta({ format: 'uri', description: 'An https URL of an image' });
}
