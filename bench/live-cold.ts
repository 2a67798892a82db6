/**
 * Cold opens for bench/live.ts: a Live link nobody opened before, its MP4
 * fetched raw (time to first body byte and to the last one), and its
 * landing page opened in Chromium (time to a playing live player).
 */
import http from 'node:http';
import type { Browser } from 'playwright-core';

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

export interface ColdPage {
  /** Navigation start to the first byte of the HTML. */
  htmlMs: number;
  /** Navigation start to the last byte of the template bundle (`bundle.js`), and its size on the wire. */
  bundleMs: number;
  bundleKB: number;
  /** Navigation start to the stage switching to the live player. */
  liveMs: number;
  /** Navigation start to the live player's first frame advancing. */
  playableMs: number;
  /** What the stage showed when it first played: `live` (the template in the page) or `video` (the MP4 was ready). */
  mode: string;
}

/**
 * Runs from the page's first script on: every animation frame, looks at the
 * stage. `live` is when the landing client mounted the live player; the
 * player draws the composition's DOM, so the first frame after that whose
 * DOM differs is the frame counter advancing: the page is playing. Times
 * are `performance.now()`, whose origin is the navigation start.
 */
const PLAYABLE_PROBE = `
  window.__mcProbe = { live: null, playable: null, mode: null };
  (() => {
    let first = null;
    const tick = () => {
      const probe = window.__mcProbe;
      const stage = document.getElementById('mc-stage');
      const mode = stage && stage.dataset.mode;
      if (mode === 'video') {
        const video = stage.querySelector('video');
        if (video && video.currentTime > 0) { probe.mode = 'video'; probe.live = probe.live ?? performance.now(); probe.playable = performance.now(); return; }
      } else if (mode === 'live') {
        const layer = stage.querySelector('.live');
        const html = layer ? layer.innerHTML : '';
        if (probe.live === null) { probe.live = performance.now(); first = html; }
        else if (html !== first) { probe.mode = 'live'; probe.playable = performance.now(); return; }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })();
`;

/** Opens `url` in a fresh browser context (empty cache, as a first-time visitor) and times it until playable. */
export async function openColdPage(browser: Browser, url: string): Promise<ColdPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(PLAYABLE_PROBE);
    const page = await context.newPage();
    // 'commit': the load event waits for the poster image, which waits for the render.
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as { __mcProbe?: { playable: number | null } }).__mcProbe?.playable != null, null, {
      timeout: 30_000,
      polling: 50,
    });
    return await page.evaluate(() => {
      const probe = (window as unknown as { __mcProbe: { live: number; playable: number; mode: string } }).__mcProbe;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const bundle = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/bundle.js')) as PerformanceResourceTiming | undefined;
      return {
        htmlMs: nav.responseStart,
        bundleMs: bundle?.responseEnd ?? Number.NaN,
        bundleKB: (bundle?.transferSize ?? Number.NaN) / 1024,
        liveMs: probe.live,
        playableMs: probe.playable,
        mode: probe.mode,
      };
    });
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
