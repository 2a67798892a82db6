/**
 * Cold opens for bench/live.ts: a Live link nobody opened before, its MP4
 * fetched raw (time to first body byte and to the last one), and its
 * landing page opened in Chromium (time to a playing live player, the
 * JavaScript it needed, and, traced, its main-thread CPU).
 */
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { PAGE_TRACE_CATEGORIES, pageCpu, type PageCpu } from './live-page-cpu.js';

export interface ColdVideo {
  status: number;
  /** True when the answer was the live stream of the render (X-Mastercut-Stream: live). */
  streamed: boolean;
  firstByteMs: number;
  completeMs: number;
  bytes: number;
}

/** GETs a cold `video.mp4` on a fresh connection and times its first and last body bytes. */
export function fetchColdVideo(url: string): Promise<ColdVideo> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { agent: false }, (res) => {
      let firstByteMs = Number.NaN;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstByteMs = performance.now() - started;
        bytes += chunk.length;
      });
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          streamed: res.headers['x-mastercut-stream'] === 'live',
          firstByteMs,
          completeMs: performance.now() - started,
          bytes,
        }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error('cold video timed out')));
  });
}

/** Which player bundle the landing page loads: the lean `player.js` (the page as served) or the full `bundle.js` it loaded until now. */
export type PageBundle = 'player.js' | 'bundle.js';

export interface ColdPage {
  /** Navigation start to the first byte of the HTML. */
  htmlMs: number;
  /** Navigation start to the last byte of the player bundle, and its size (decoded: minified, not compressed). */
  bundleMs: number;
  bundleKB: number;
  /** Navigation start to the player's first frame (the first animation frame with the composition drawn in the live player). */
  liveMs: number;
  /** Navigation start to the live player's frame counter advancing (the frame after it committed frame 1 or later; see PLAYABLE_PROBE). */
  playableMs: number;
  /** Navigation start to the first frame whose composition differs from the first one drawn (what a viewer first sees move; template-dependent). */
  changedMs: number;
  /** What the stage showed when it first played: `live` (the template in the page) or `video` (the MP4 was ready). */
  mode: string;
  /** JavaScript the page had before its first frame, in bytes: the inline client and script files (minified, as served). */
  jsBytes: { inline: number; files: number };
  /** Navigation start to the first paint (the skeleton). */
  firstPaintMs: number;
  /**
   * Where the time went, each from the navigation start: the HTML's request
   * sent and its last byte, the document parsed (inline client run), and
   * `player.js`'s fetch started and its first byte.
   */
  breakdown: { htmlRequestMs: number; htmlEndMs: number; parsedMs: number; bundleStartMs: number; bundleFirstByteMs: number };
  /** Layout shift score of the page's own elements (the composition's animation aside) until it played. */
  layoutShift: number;
  /** Main-thread CPU until the first frame; only for a traced open. */
  cpu?: PageCpu;
}

/**
 * The console message the probe logs once the page plays. The bench waits
 * for it instead of polling the page with \`waitForFunction\`: each poll is
 * a CDP evaluation on the page's main thread, and the first one injects
 * Playwright's utility script (tens of ms of CPU there, mostly the lazy set-up
 * of globals it enumerates), which the traced opens counted as the page's own
 * CPU before its first frame.
 */
const PLAYING_SIGNAL = 'mastercut-bench:playing';

/**
 * Runs from the page's first script on: every animation frame, looks at the
 * stage. `live` is the first frame in which the live player has drawn the
 * composition (its frame element has children: the player's empty stage
 * alone is not a frame); `playable` the first frame after the player's frame
 * counter advanced past frame 0, which the stage marks with `data-playing`
 * (the moment the page itself counts as playing and releases its beacons;
 * the live analogue of a `<video>`'s `currentTime > 0`); `changed` the first
 * frame whose composition DOM differs from the first one drawn: the first
 * change a viewer can see, which depends on the template (year-recap's first
 * five frames are the same still backdrop). Until 2026-12-07 `playing` was
 * the first DOM change after the stage switched to `live`, which was in fact
 * the player's first commit (React committed it a task after the mount,
 * so the first `live` frame showed an empty stage), not an advancing frame.
 * Times are `performance.now()`, whose origin is the navigation start, read
 * at the start of the probe's callback (the frame after the commit: never
 * earlier than the screen). Layout shifts of nodes inside the player are the
 * video itself and are not counted.
 */
const PLAYABLE_PROBE = `
  window.__mcProbe = { live: null, playable: null, changed: null, mode: null, shift: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const page = entry.sources.some((s) => { const n = s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement); return n && !n.closest('.live'); });
      if (page && window.__mcProbe.playable === null) window.__mcProbe.shift += entry.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
  (() => {
    let first = null;
    const done = () => console.debug(${JSON.stringify(PLAYING_SIGNAL)});
    const tick = () => {
      const probe = window.__mcProbe;
      const now = performance.now();
      const stage = document.getElementById('mc-stage');
      const mode = stage && stage.dataset.mode;
      if (mode === 'video') {
        const video = stage.querySelector('video');
        if (video && video.currentTime > 0) { probe.mode = 'video'; probe.live = probe.live ?? now; probe.playable = probe.playable ?? now; probe.changed = probe.changed ?? now; return done(); }
      } else if (mode === 'live') {
        const layer = stage.querySelector('.live');
        const frameEl = layer && layer.firstElementChild && layer.firstElementChild.firstElementChild;
        if (frameEl && frameEl.childElementCount > 0) {
          const html = layer.innerHTML;
          if (probe.live === null) { probe.live = now; first = html; }
          if (probe.playable === null && 'playing' in stage.dataset) { probe.mode = 'live'; probe.playable = now; }
          if (probe.changed === null && html !== first) probe.changed = now;
          if (probe.playable !== null && probe.changed !== null) return done();
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })();
`;

/**
 * What the page measured, read once it plays (a string: the bench runs under
 * tsx, whose helpers do not exist in the page). Script files count when they
 * had arrived by the first frame; sizes are decoded (minified, not compressed).
 */
const pageFigures = (bundleFile: PageBundle) => `(() => {
  const probe = window.__mcProbe;
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const bundle = resources.find((e) => e.name.endsWith('/${bundleFile}'));
  const encoder = new TextEncoder();
  let inline = 0;
  for (const s of document.scripts) if (!s.src && s.type !== 'application/json') inline += encoder.encode(s.text).length;
  let files = 0;
  for (const e of resources) if (/\\.m?js$/.test(new URL(e.name).pathname) && e.responseEnd <= probe.live) files += e.decodedBodySize;
  const paint = performance.getEntriesByName('first-paint')[0];
  return {
    htmlMs: nav.responseStart,
    bundleMs: bundle ? bundle.responseEnd : NaN,
    bundleKB: bundle ? bundle.decodedBodySize / 1024 : NaN,
    liveMs: probe.live,
    playableMs: probe.playable,
    changedMs: probe.changed,
    mode: probe.mode,
    jsBytes: { inline, files },
    firstPaintMs: paint ? paint.startTime : NaN,
    layoutShift: probe.shift,
    breakdown: {
      htmlRequestMs: nav.requestStart,
      htmlEndMs: nav.responseEnd,
      parsedMs: nav.domInteractive,
      bundleStartMs: bundle ? bundle.startTime : NaN,
      bundleFirstByteMs: bundle ? bundle.responseStart : NaN,
    },
  };
})()`;

export interface OpenColdPageOptions {
  bundle: PageBundle;
  /** Trace the page (Chromium tracing: costs a little time) and report its main-thread CPU. */
  trace?: boolean;
  /** Given the raw trace of a traced open (bench/live-trace.ts prints its timeline). */
  onTrace?: (trace: Buffer) => void;
}

/**
 * Opens `url` in a fresh browser context (empty cache, as a first-time
 * visitor) and times it until playable. The page's HTML goes through
 * Playwright's router in both variants (same cost); for `bundle.js` its three
 * mentions of `player.js` (the `Link` header's and the page's modulepreload,
 * and the client's data) are swapped for the full bundle, which the client
 * imports the same way.
 */
export async function openColdPage(browser: Browser, url: string, options: OpenColdPageOptions): Promise<ColdPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(PLAYABLE_PROBE);
    const page = await context.newPage();
    let routeError: Error | undefined;
    await page.route(url, async (route) => {
      const response = await route.fetch();
      let body = await response.text();
      const headers = response.headers();
      if (options.bundle === 'bundle.js') {
        body = body.replace('<link rel="modulepreload" href="player.js">', '<link rel="modulepreload" href="bundle.js">').replace('"player":"player.js"', '"player":"bundle.js"');
        // The response's own preload (Link: <.../player.js>; rel=modulepreload) names the same bundle.
        const link = headers.link?.replace(/\/player\.js>/, '/bundle.js>');
        if (body.split('bundle.js').length !== 3 || !link?.includes('/bundle.js>')) {
          routeError = new Error('the landing page no longer names player.js where bench/live-cold.ts expects it');
          return route.abort();
        }
        headers.link = link;
      }
      await route.fulfill({ response, body, headers });
    });
    // Listening from before the navigation: nothing runs in the page until it plays (see PLAYING_SIGNAL).
    const playing = page.waitForEvent('console', { predicate: (message) => message.text() === PLAYING_SIGNAL, timeout: 30_000 });
    playing.catch(() => undefined);
    if (options.trace) await browser.startTracing(page, { categories: PAGE_TRACE_CATEGORIES });
    // 'commit': the load event waits for the poster image, which waits for the render.
    await page.goto(url, { waitUntil: 'commit' }).catch((error: unknown) => {
      throw routeError ?? error;
    });
    await playing;
    const trace = options.trace ? await browser.stopTracing() : undefined;
    if (trace) options.onTrace?.(trace);
    const result = (await page.evaluate(pageFigures(options.bundle))) as Omit<ColdPage, 'cpu'>;
    return trace ? { ...result, cpu: pageCpu(trace, url, result.liveMs, options.bundle) } : result;
  } finally {
    await context.close();
  }
}

/** Waits until a link's `/status` says the MP4 is stored (so the next cold open runs on an idle farm). */
export async function waitUntilReady(linkUrl: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${linkUrl}/status`);
    if (res.ok && ((await res.json()) as { ready: boolean }).ready) return;
    if (Date.now() > deadline) throw new Error('the cold render did not finish');
    await new Promise((r) => setTimeout(r, 200));
  }
}
