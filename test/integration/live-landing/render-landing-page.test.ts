import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { jsonForScriptElement } from '../../../src/http/index.js';
import {
  buildLandingClient,
  landingPageCsp,
  playerPreloadLink,
  renderLandingPage,
  type LandingPageInput,
} from '../../../src/live/landing/index.js';

let client: string;
beforeAll(async () => {
  client = await buildLandingClient();
});

const nonce = randomBytes(16).toString('base64');
const base: LandingPageInput = {
  title: 'Hello',
  bundleBase: '/b/reference/0123456789abcdef/',
  props: { name: 'Kenji' },
  width: 1280,
  height: 720,
  fps: 30,
  durationInFrames: 150,
  posterUrl: '/l/tok/poster.jpg',
  videoUrl: '/l/tok/video.mp4',
  statusUrl: '/l/tok/status',
  ctas: [{ id: 'book', label: 'Book', href: '/l/tok/cta/book' }],
  shareUrl: 'https://v.example/l/tok',
  ogImageUrl: 'https://v.example/l/tok/poster.jpg',
  ogUrl: 'https://v.example/l/tok',
  nonce,
};

/** The text between `<script type="application/json" ...>` and the first `</script`. */
function dataBlock(html: string): string {
  const start = html.indexOf('<script type="application/json" id="mc-landing-data">');
  const open = html.indexOf('>', start) + 1;
  return html.slice(open, html.toLowerCase().indexOf('</script', open));
}

describe('renderLandingPage (no browser)', () => {
  it('compiles a small client that can be inlined', () => {
    expect(client.length).toBeGreaterThan(1_000);
    // Inlined in every page: keep it small.
    expect(client.length).toBeLessThan(12_000);
    expect(client).not.toMatch(/<\/script|<!--/i);
  });

  it('keeps hostile props inside the JSON data block and gives them back intact', () => {
    const props = { name: '</script><script>alert(1)</script>', note: '<!-- <script> \u2028\u2029 </SCRIPT >', n: 1 };
    const html = renderLandingPage({ ...base, props }, client);
    const block = dataBlock(html);
    expect(block).not.toMatch(/[<>\u2028\u2029]/);
    expect(JSON.parse(block).props).toEqual(props);
    expect(jsonForScriptElement('a&b<c>')).toBe('"a\\u0026b\\u003cc\\u003e"');
    expect(JSON.parse(jsonForScriptElement('\u2028</script>'))).toBe('\u2028</script>');
  });

  it('escapes every text and attribute it writes', () => {
    const html = renderLandingPage(
      {
        ...base,
        title: '<script>x</script>"\'',
        description: '"><img onerror=x>',
        ctas: [{ id: '"x', label: '<b>Go</b>', href: '/go?a=1&b="2"' }],
      },
      client,
    );
    expect(html).toContain('<title>&lt;script&gt;x&lt;/script&gt;&quot;&#39;</title>');
    expect(html).toContain('content="&quot;&gt;&lt;img onerror=x&gt;"');
    expect(html).toContain('href="/go?a=1&amp;b=&quot;2&quot;"');
    expect(html).toContain('data-cta-id="&quot;x"');
    expect(html).toContain('>&lt;b&gt;Go&lt;/b&gt;</a>');
    expect(html).not.toContain('<img onerror');
    // Exactly the two scripts of the template: data and client, the client with the nonce.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    const markup = html.replace(client, '');
    // An attribute is a name followed by `="`; escaped values and texts never hold a bare `"`.
    expect(markup).not.toMatch(/\s(on[a-z]+|style)="/i);
  });

  it('sets the bundle as <base href> and carries OG tags and the meta CSP', () => {
    const html = renderLandingPage(base, client);
    expect(html).toContain('<base href="/b/reference/0123456789abcdef/">');
    expect(html).toContain('<meta property="og:image" content="https://v.example/l/tok/poster.jpg">');
    expect(html).toContain('<meta name="twitter:image" content="https://v.example/l/tok/poster.jpg">');
    // The lean player bundle, fetched while the HTML is parsed (relative to <base href>).
    expect(html).toContain('<link rel="modulepreload" href="player.js">');
    expect(html).not.toContain('bundle.js');
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBe(landingPageCsp(nonce, { delivery: 'meta' }).replace(/'/g, '&#39;'));
    // A page for a rendered MP4 does not preload the bundle it will not use.
    expect(renderLandingPage({ ...base, videoReady: true }, client)).not.toContain('modulepreload');
  });

  it('names the player bundle under <base href> in the Link header of a cold page, and refuses other bases', () => {
    expect(playerPreloadLink(base.bundleBase)).toBe('</b/reference/0123456789abcdef/player.js>; rel=modulepreload');
    for (const bad of ['b/reference/1/', '//evil.example/', '/b/reference/1', '/b/a>; rel=preload/', '/b/x\r\nSet-Cookie: a/']) {
      let code: string | undefined;
      try {
        playerPreloadLink(bad);
      } catch (err) {
        code = isAppError(err) ? err.code : 'other';
      }
      expect(code, bad).toBe('INVALID_ARGUMENT');
    }
  });

  it('refuses URLs that would escape the page or run script, and weak nonces', () => {
    const refused: Partial<LandingPageInput>[] = [
      { ctas: [{ id: 'a', label: 'A', href: 'javascript:alert(1)' }] },
      { ctas: [{ id: 'a', label: 'A', href: '//evil.example/' }] },
      { videoUrl: 'video.mp4' },
      { posterUrl: 'data:image/png;base64,AAAA' },
      { bundleBase: '//evil.example/b/' },
      { bundleBase: '/b/x/1' },
      { ogImageUrl: '/l/tok/poster.jpg' },
      { nonce: 'short' },
      { nonce: 'abc"def><script>0123456789' },
    ];
    for (const bad of refused) {
      let error: unknown;
      try {
        renderLandingPage({ ...base, ...bad }, client);
      } catch (e) {
        error = e;
      }
      expect(isAppError(error, 'INVALID_ARGUMENT'), JSON.stringify(bad)).toBe(true);
    }
    expect(() => renderLandingPage(base, 'var a = "</script>";')).toThrow(/end its <script>/);
  });

  it('builds the header policy with optional media origins', () => {
    expect(landingPageCsp(nonce)).toBe(
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}' 'self'`,
        `style-src 'nonce-${nonce}'`,
        "img-src 'self' data: blob: https:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    expect(landingPageCsp(nonce, { mediaOrigins: ['https://bucket.s3.example:9000'] })).toContain(
      "media-src 'self' blob: https://bucket.s3.example:9000",
    );
    expect(() => landingPageCsp(nonce, { mediaOrigins: ["https://x; script-src 'unsafe-inline'"] })).toThrow();
  });
});
