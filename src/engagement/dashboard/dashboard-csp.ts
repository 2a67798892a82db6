import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

/** A fresh CSP nonce: base64 of 16 random bytes, one per response. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Content-Security-Policy of dashboard pages.
 *
 * - Scripts: only those carrying the response's nonce (the client bundle is
 *   a separate, nonce'd file); no inline handlers, no eval.
 * - Styles: the nonce'd `<style>` only. Chart.js sizes its canvases through
 *   the CSSOM (`element.style`), which CSP does not govern.
 * - Data: fetched from `'self'` only; forms post to `'self'` only.
 * - `frame-ancestors 'none'`: the page cannot be framed (clickjacking).
 */
export function dashboardCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Headers every dashboard answer carries: no MIME sniffing, no framing (for
 * browsers without CSP level 2 too), referrers only within this origin
 * (campaign ids stay here; `no-referrer` would also make the login form's
 * `Origin` "null", which sameOrigin() refuses), and no caching: pages and
 * data describe a moving campaign and sit behind authentication.
 */
export function setDashboardHeaders(res: Response, cache: 'no-store' | 'immutable' = 'no-store'): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', cache === 'immutable' ? 'private, max-age=31536000, immutable' : 'no-store');
}
