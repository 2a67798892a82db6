import { z } from 'zod';
import { isForbiddenAddress, parseIp } from '../net/index.js';

/** `true` only inside a template's player bundle (esbuild `define`): props are not validated there (see define-template.ts). */
declare const MASTERCUT_PLAYER_BUNDLE: boolean | undefined;

/** Longest URL accepted in props: long enough for signed CDN URLs, short enough to bound abuse. */
export const REMOTE_IMAGE_URL_MAX_LENGTH = 2048;

/** Why a URL's host is refused, or null. `hostname` comes from WHATWG URL parsing, so IPv4 forms are normalised. */
function refusedHost(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost';
  // The fetcher's own table: a literal it would refuse is refused here, before any render starts.
  if (!parseIp(host)) return null;
  const reason = isForbiddenAddress(host);
  return reason === null ? null : `a non-public address (${reason})`;
}

/**
 * A zod schema for a prop holding a remote image URL: https only, at most 2048
 * characters, no credentials, no `localhost`, and no literal IP address that
 * the fetcher refuses (the same table: private, loopback, link-local,
 * special-purpose, and IPv6 forms embedding one of those, such as
 * IPv4-compatible, NAT64 and 6to4). This is an early refusal with a clear
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
