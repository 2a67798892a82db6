import { escapeHtml, jsonForScriptElement } from '../http/index.js';
import { landingPageStyles } from '../live/index.js';
import type { ZeroKnowledgePageData } from './zk-page-data.js';

const ICON_PLAY = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5.14v13.72a1 1 0 0 0 1.52.85l10.6-6.86a1 1 0 0 0 0-1.7L9.52 4.29A1 1 0 0 0 8 5.14z"/></svg>';
const ICON_PAUSE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 5h3.5v14H7zM13.5 5H17v14h-3.5z"/></svg>';
const ICON_SOUND_OFF =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9v6h4l5 4V5L8 9H4zm12.6 3 2.7-2.7-1.3-1.3-2.7 2.7-2.7-2.7-1.3 1.3 2.7 2.7-2.7 2.7 1.3 1.3 2.7-2.7 2.7 2.7 1.3-1.3z"/></svg>';
const ICON_SOUND_ON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 9v6h4l5 4V5L8 9H4zm11.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4zM13 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z"/></svg>';
const ICON_DOWNLOAD = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M11 4h2v8.2l3.3-3.3 1.4 1.4L12 16l-5.7-5.7 1.4-1.4 3.3 3.3zM5 18h14v2H5z"/></svg>';

/** What this page adds to the landing page's stylesheet: the message line, the progress bar, the note. */
const ZK_STYLES = `
.zk-msg{margin:0;max-width:60ch;text-align:center;color:#f1c27d;overflow-wrap:anywhere}
.zk-note{margin:0;max-width:60ch;text-align:center;color:#8d93a0;font-size:.875rem}
.zk-progress{width:min(100%,420px);height:6px;accent-color:#f4f5f7}
.zk-offscreen{position:fixed;left:-100000px;top:0;pointer-events:none}
.stage[data-mode=error]::after{content:none}
`;

export interface ZeroKnowledgePageInput {
  /** The template's title: the page names no person. */
  title: string;
  /** `/b/<templateId>/<version>/`: the page's `<base href>`, so `player.js` and its `static/` files resolve. */
  bundleBase: string;
  data: ZeroKnowledgePageData;
  /** The response's CSP nonce. */
  nonce: string;
}

/**
 * The zero-knowledge page as one HTML string. It carries nothing personal:
 * the title is the template's, the data is the link's clear header. The
 * client (inlined with the nonce) reads the sealed props from the page's
 * own path and the key from its fragment, decrypts with WebCrypto and plays
 * the template with `player.js`; "Download" makes the MP4 in the browser.
 * The stage has its final size before any script (no layout shift), like
 * the landing page whose stylesheet it shares. Send
 * `zeroKnowledgePageCsp(nonce)` with it.
 */
export function renderZeroKnowledgePage(input: ZeroKnowledgePageInput, clientScript: string): string {
  const e = escapeHtml;
  const nonce = e(input.nonce);
  const { data } = input;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<meta name="theme-color" content="#0c0d10">
<base href="${e(input.bundleBase)}">
<title>${e(input.title)}</title>
<link rel="modulepreload" href="${e(data.player)}">
<style nonce="${nonce}">${landingPageStyles(data.width, data.height)}${ZK_STYLES}</style>
</head>
<body>
<main class="page">
<header class="head"><h1>${e(input.title)}</h1></header>
<section class="stage" id="zk-stage" data-mode="loading" aria-label="Video">
<div class="ctl" id="zk-controls" hidden>
<button id="zk-toggle" type="button" aria-label="Play or pause"><span class="ic-play">${ICON_PLAY}</span><span class="ic-pause">${ICON_PAUSE}</span></button>
<button id="zk-sound" type="button" aria-label="Sound on or off" hidden><span class="ic-off">${ICON_SOUND_OFF}</span><span class="ic-on">${ICON_SOUND_ON}</span></button>
</div>
</section>
<p class="zk-msg" id="zk-msg" role="status" aria-live="polite" hidden></p>
<progress class="zk-progress" id="zk-progress" max="1" value="0" hidden></progress>
<nav class="actions" aria-label="Actions">
<button class="btn primary" id="zk-download" type="button" hidden>${ICON_DOWNLOAD}Download MP4</button>
</nav>
<p class="zk-note">Made for you in this browser: the server that sent this page never sees what the video says.</p>
</main>
<script type="application/json" id="zk-data">${jsonForScriptElement(data)}</script>
<script nonce="${nonce}">${clientScript}</script>
</body>
</html>
`;
}
