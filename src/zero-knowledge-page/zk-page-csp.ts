/**
 * The Content-Security-Policy of a zero-knowledge page: stricter than a Live
 * landing page's, because this page must make no request the server could
 * learn personal data from, and none to anyone else.
 *
 * - Scripts: the inline client (its nonce) and the template's `player.js`
 *   (`'self'`, under `/b/`); no eval, no inline handlers.
 * - Images, fonts, media: `'self'` plus `data:`/`blob:`, which the in-browser
 *   MP4 needs (each frame is an SVG `data:` image; the file is a `blob:`).
 *   No `https:`: a remote image named in props would be a third-party
 *   request, and minting refuses remote URLs anyway.
 * - Fetches and beacons: `'self'` only.
 * - No frames, forms, plugins or embedding; `<base>` only to this origin.
 */
export function zeroKnowledgePageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'self'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'self'",
    "form-action 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
