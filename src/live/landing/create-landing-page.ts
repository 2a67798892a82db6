import { buildLandingClient } from './build-landing-client.js';
import { landingPageCsp, type LandingPageCspOptions } from './landing-page-csp.js';
import type { LandingPageInput } from './landing-page.schema.js';
import { playerPreloadLink, renderLandingPage } from './render-landing-page.js';

export interface LandingPage {
  /** The page's HTML; see renderLandingPage(). */
  render(input: LandingPageInput): string;
  /** The `Content-Security-Policy` header value to send with the page rendered with `nonce`. */
  csp(nonce: string): string;
  /** The `Link` header to send with a cold page (`videoReady: false`) whose `<base href>` is `bundleBase`; see playerPreloadLink(). */
  preloadLink(bundleBase: string): string;
  /** The compiled client script, inlined in every page (exposed for size checks). */
  readonly clientScript: string;
}

/**
 * The landing page renderer with its client compiled once (call at startup).
 * Per response: make a fresh nonce (`randomBytes(16).toString('base64')`),
 * `render({ ..., nonce })`, and send `csp(nonce)` as the
 * `Content-Security-Policy` header (and, on a cold page, `preloadLink(bundleBase)`
 * as the `Link` header).
 */
export async function createLandingPage(options: { csp?: Omit<LandingPageCspOptions, 'delivery'> } = {}): Promise<LandingPage> {
  const clientScript = await buildLandingClient();
  return {
    clientScript,
    render: (input) => renderLandingPage(input, clientScript),
    csp: (nonce) => landingPageCsp(nonce, { ...options.csp, delivery: 'header' }),
    preloadLink: playerPreloadLink,
  };
}
