import { AppError } from '../../errors/index.js';
import { escapeHtml, jsonForScriptElement } from '../../http/index.js';
import { landingPageCsp } from './landing-page-csp.js';
import { landingPageStyles } from './landing-page-styles.js';
import { landingPageInputSchema, type LandingClientData, type LandingPageInput } from './landing-page.schema.js';

/** The template's lean player bundle (built next to `bundle.js`; see src/templates/build-player-bundle.ts). */
const PLAYER_FILE = 'player.js';

/**
 * The `Link` response header of a cold page: `player.js` under `bundleBase`
 * (the page's `<base href>`, a root path), modulepreloaded. The browser starts
 * the download from the response's headers, before it parses the HTML; a CDN
 * can also turn it into a 103 Early Hint. Same URL, same fetch as the page's
 * own `<link rel="modulepreload">`, so it is fetched once; `'self'` in the
 * page's `script-src` allows it.
 *
 * @throws AppError('INVALID_ARGUMENT') when `bundleBase` is not a root path ending with "/".
 */
export function playerPreloadLink(bundleBase: string): string {
  if (!landingPageInputSchema.shape.bundleBase.safeParse(bundleBase).success) {
    throw new AppError('INVALID_ARGUMENT', 'playerPreloadLink(): the bundle base must be a root path ending with "/"');
  }
  return `<${bundleBase}${PLAYER_FILE}>; rel=modulepreload`;
}

const ICON_PLAY = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5.14v13.72a1 1 0 0 0 1.52.85l10.6-6.86a1 1 0 0 0 0-1.7L9.52 4.29A1 1 0 0 0 8 5.14z"/></svg>';
const ICON_PAUSE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 5h3.5v14H7zM13.5 5H17v14h-3.5z"/></svg>';
const ICON_SOUND_OFF =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9v6h4l5 4V5L8 9H4zm12.6 3 2.7-2.7-1.3-1.3-2.7 2.7-2.7-2.7-1.3 1.3 2.7 2.7-2.7 2.7 1.3 1.3 2.7-2.7 2.7 2.7 1.3-1.3z"/></svg>';
const ICON_SOUND_ON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9v6h4l5 4V5L8 9H4zm11.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM13 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';
const ICON_SHARE =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18 16.1c-.8 0-1.5.3-2 .8l-7.1-4.2c.1-.2.1-.5.1-.7s0-.5-.1-.7L16 7.2a3 3 0 1 0-1-2.2c0 .2 0 .5.1.7L8 9.8a3 3 0 1 0 0 4.4l7.1 4.2-.1.6a3 3 0 1 0 3-2.9z"/></svg>';
const ICON_DOWNLOAD = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M11 4h2v8.2l3.3-3.3 1.4 1.4L12 16l-5.7-5.7 1.4-1.4 3.3 3.3zM5 18h14v2H5z"/></svg>';

/**
 * The landing page of a Live URL, as one HTML string. It needs the compiled
 * client script (see `buildLandingClient()`), which is inlined with the
 * response's nonce; the template's player bundle (`player.js`) comes from
 * `bundleBase`, which is also the page's `<base href>` so the bundle's
 * `static/...` files resolve. The same policy must be sent as a header:
 * `landingPageCsp(input.nonce)`.
 *
 * Loading: the stylesheet is inline and the stage has its final size from
 * the start (aspect-ratio), so the poster or, on a cold link, a skeleton is
 * painted before any script runs and nothing moves when the player mounts.
 * A cold page modulepreloads `player.js` from its `<head>` (and its response
 * from a `Link` header: `playerPreloadLink()`), so the download overlaps the
 * HTML and the client.
 *
 * Untrusted data (title, labels, URLs) is HTML-escaped; the props travel as
 * JSON in a data block and are rendered by React as text nodes.
 *
 * @throws AppError('INVALID_ARGUMENT') when the input fails its schema.
 */
export function renderLandingPage(input: LandingPageInput, clientScript: string): string {
  const parsed = landingPageInputSchema.safeParse(input);
  if (!parsed.success) {
    // Field paths only: values may carry personal data.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('INVALID_ARGUMENT', `renderLandingPage(): invalid input at ${fields.join(', ')}`, { details: { fields } });
  }
  const page = parsed.data;
  if (/<\/script|<!--/i.test(clientScript)) {
    throw new AppError('INVALID_ARGUMENT', 'renderLandingPage(): the client script would end its <script> element early');
  }
  const e = escapeHtml;
  const nonce = e(page.nonce);
  const description = page.description ?? '';
  const data: LandingClientData = {
    title: page.title,
    player: PLAYER_FILE,
    props: page.props,
    variant: page.variant,
    width: page.width,
    height: page.height,
    fps: page.fps,
    durationInFrames: page.durationInFrames,
    posterUrl: page.posterUrl,
    videoUrl: page.videoUrl,
    statusUrl: page.statusUrl,
    videoReady: page.videoReady,
    shareUrl: page.shareUrl,
    eventsUrl: page.eventsUrl,
    eventsToken: page.eventsToken,
    eventsPin: page.eventsPin,
  };
  const ctas = page.ctas
    // The first CTA leads; the others, like Share, are secondary.
    .map((cta, i) => `<a class="btn ${i === 0 ? 'primary' : 'secondary'}" href="${e(cta.href)}" rel="noopener noreferrer" data-cta-id="${e(cta.id)}">${e(cta.label)}</a>`)
    .join('\n');
  const meta = (attr: 'name' | 'property', key: string, value: string): string => `<meta ${attr}="${key}" content="${e(value)}">`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(landingPageCsp(page.nonce, { delivery: 'meta' }))}">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<meta name="theme-color" content="#0c0d10">
<base href="${e(page.bundleBase)}">
<title>${e(page.title)}</title>
${description ? meta('name', 'description', description) : ''}
${meta('property', 'og:type', 'video.other')}
${meta('property', 'og:title', page.title)}
${description ? meta('property', 'og:description', description) : ''}
${meta('property', 'og:url', page.ogUrl)}
${meta('property', 'og:image', page.ogImageUrl)}
${meta('property', 'og:image:alt', page.title)}
${meta('name', 'twitter:card', 'summary_large_image')}
${meta('name', 'twitter:title', page.title)}
${description ? meta('name', 'twitter:description', description) : ''}
${meta('name', 'twitter:image', page.ogImageUrl)}
${page.videoReady ? '' : `<link rel="modulepreload" href="${PLAYER_FILE}">`}
<style nonce="${nonce}">${landingPageStyles(page.width, page.height)}</style>
</head>
<body>
<main class="page">
<header class="head"><h1>${e(page.title)}</h1>${description ? `<p class="desc">${e(description)}</p>` : ''}</header>
<section class="stage" id="mc-stage" data-mode="loading" aria-label="Video">
${
  // On a cold link the poster is made after the render: requesting it now would
  // hold the page's load event for the whole render, while the player plays anyway.
  page.videoReady
    ? `<img class="poster" id="mc-poster" src="${e(page.posterUrl)}" alt="" fetchpriority="high">`
    : `<img class="poster" id="mc-poster" data-src="${e(page.posterUrl)}" alt="">`
}
<button class="bigplay" id="mc-bigplay" type="button" aria-label="Play video" hidden>${ICON_PLAY}</button>
<div class="ctl" id="mc-controls" hidden>
<button id="mc-toggle" type="button" aria-label="Play or pause"><span class="ic-play">${ICON_PLAY}</span><span class="ic-pause">${ICON_PAUSE}</span></button>
<button id="mc-sound" type="button" aria-label="Sound on or off" hidden><span class="ic-off">${ICON_SOUND_OFF}</span><span class="ic-on">${ICON_SOUND_ON}</span></button>
</div>
</section>
<nav class="actions" aria-label="Actions">
${ctas}
<button class="btn secondary" id="mc-share" type="button">${ICON_SHARE}Share</button>
<a class="btn secondary" id="mc-download" href="${e(page.videoUrl)}" download${page.videoReady ? '' : ' hidden'}>${ICON_DOWNLOAD}Download</a>
</nav>
<p class="toast" id="mc-toast" role="status" aria-live="polite"></p>
</main>
<script type="application/json" id="mc-landing-data">${jsonForScriptElement(data)}</script>
<script nonce="${nonce}">${clientScript}</script>
</body>
</html>
`;
}
