import { AppError } from '../../errors/index.js';
import { nonceSchema } from './landing-page.schema.js';

export interface LandingPageCspOptions {
  /**
   * Extra origins the poster and the MP4 may come from, e.g. the S3 host when
   * deliverables are answered with a presigned redirect (CSP checks the
   * redirect target too). Each must be `https://host[:port]`.
   */
  mediaOrigins?: readonly string[];
  /**
   * `'header'` (default) adds `frame-ancestors`, which browsers ignore (with a
   * console warning) in a `<meta>` policy.
   */
  delivery?: 'header' | 'meta';
}

const ORIGIN = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/**
 * The Content-Security-Policy of a landing page, for the `Content-Security-Policy`
 * response header (the page also carries the meta form).
 *
 * - Scripts: the page's own nonce (the inline client) and `'self'` (the
 *   template bundle under `/b/`); no inline handlers, no eval.
 * - Styles: the nonce'd `<style>` only; the player sets styles through the
 *   CSSOM, which CSP does not govern.
 * - Images also allow `https:` because templates may show remote images named
 *   in props (year-recap's `heroImageUrl`), which the live player loads directly.
 * - Fetches and beacons go to `'self'` only.
 */
export function landingPageCsp(nonce: string, options: LandingPageCspOptions = {}): string {
  if (!nonceSchema.safeParse(nonce).success) {
    throw new AppError('INVALID_ARGUMENT', 'landingPageCsp(): the nonce must be base64 of at least 16 random bytes');
  }
  const media = options.mediaOrigins ?? [];
  for (const origin of media) {
    if (!ORIGIN.test(origin)) throw new AppError('INVALID_ARGUMENT', `landingPageCsp(): media origin "${origin}" is not https://host[:port]`);
  }
  const extra = media.length > 0 ? ` ${media.join(' ')}` : '';
  const directives = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'self'`,
    `style-src 'nonce-${nonce}'`,
    `img-src 'self' data: blob: https:${extra}`,
    `media-src 'self' blob:${extra}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'self'",
    "form-action 'none'",
    "object-src 'none'",
  ];
  if ((options.delivery ?? 'header') === 'header') directives.push("frame-ancestors 'none'");
  return directives.join('; ');
}
