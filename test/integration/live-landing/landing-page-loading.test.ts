import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { templates } from '../../../compositions/index.js';
import { decodeRgb, near, pixelAt } from '../../helpers/pixels.js';
import { launchLandingBrowser, violations, WAIT, waitForMotion, waitMode, type LandingBrowser } from './landing-browser.js';
import { startLandingHarness, type LandingHarness } from './landing-harness.js';

/**
 * How the landing page loads: what is on screen before any script, that the
 * player mounting moves nothing, and the lean player bundle's playback path
 * (a <Video>'s footage). The rest of the page: landing-page-browser.test.ts.
 */
let harness: LandingHarness;
let chromium: LandingBrowser;
const openPage: LandingBrowser['openPage'] = (options) => chromium.openPage(options);

beforeAll(async () => {
  harness = await startLandingHarness();
  chromium = await launchLandingBrowser();
});
afterEach(() => chromium.closeContexts());
afterAll(async () => {
  await chromium?.close();
  await harness?.close();
});

describe('Live URL landing page: loading and the lean player bundle', () => {
  it('paints the skeleton before any script runs, and nothing moves when the player mounts', async () => {
    harness.addPage('steady');
    const boxes = (page: Page) =>
      Promise.all(['h1', '#mc-stage', '.actions', '#mc-share'].map(async (selector) => [selector, await page.locator(selector).boundingBox()]));
    // With scripts off, what the browser paints from the markup and the inline stylesheet alone.
    const bare = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    const still = await bare.newPage();
    await still.goto(`${harness.origin}/l/steady`);
    const painted = await boxes(still);
    const shot = await still.locator('#mc-stage').screenshot({ animations: 'disabled' });
    // A PNG's width and height are in its IHDR chunk.
    const size = { width: shot.readUInt32BE(16), height: shot.readUInt32BE(20) };
    const image = await decodeRgb(shot, size);
    // The skeleton's dark gradient fills the stage at its final size: not the page background, not a black box.
    expect(pixelAt(image, 24, 24)).toSatisfy((rgb: [number, number, number]) => near(rgb, [20, 22, 27], 8));
    expect(pixelAt(image, Math.round(size.width / 2) - 80, Math.round(size.height / 2))).toSatisfy((rgb: [number, number, number]) => near(rgb, [30, 33, 41], 8));
    await bare.close();

    // Layout shifts of the page's own elements; the composition moving things as it plays is the video, not a shift of the page.
    const { page, errors } = await openPage({
      initScript: `window.__shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) for (const source of entry.sources) {
            const node = source.node && source.node.nodeType === 1 ? source.node : source.node && source.node.parentElement;
            if (!node || !node.closest('.live')) window.__shifts.push((node ? node.tagName + '.' + node.className : '?') + ' at ' + Math.round(entry.startTime));
          }
        }).observe({ type: 'layout-shift', buffered: true });`,
    });
    await page.goto(`${harness.origin}/l/steady`);
    await waitMode(page, 'live');
    // The player has painted frames after mounting (its greeting moved), and the shifts of those frames were reported.
    const greeting = page.locator('#mc-stage .live div', { hasText: /^Hello, Kenji$/ }).last();
    await waitForMotion(greeting, await greeting.evaluate((el) => (el as HTMLElement).style.transform));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0)))));
    expect(await boxes(page)).toEqual(painted);
    expect(await page.evaluate(() => (window as unknown as { __shifts: string[] }).__shifts)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('plays a template with a <Video> (welcome-clip) in the lean player, footage from the bundle', async () => {
    const clip = templates.find((t) => t.id === 'welcome-clip')!;
    harness.addPage('clip', {
      bundleBase: harness.bundleBases['welcome-clip'],
      props: clip.defaultProps as Record<string, unknown>,
      fps: clip.fps,
      durationInFrames: clip.durationInFrames,
    });
    const { page, errors } = await openPage();
    await page.goto(`${harness.origin}/l/clip`);
    await waitMode(page, 'live');
    // The footage plays through a <video> inside the player, kept on the player's clock.
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('#mc-stage .live video');
      return video !== null && !video.paused && video.currentTime > 0.5;
    }, null, WAIT);
    const footage = await page.locator('#mc-stage .live video').evaluate((v) => ({ src: (v as HTMLVideoElement).currentSrc, muted: (v as HTMLVideoElement).muted }));
    expect(footage.src).toBe(`${harness.origin}${harness.bundleBases['welcome-clip']}static/brand-clip.mp4`);
    expect(footage.muted).toBe(true);
    expect(await page.locator('#mc-stage .live').innerText()).toContain((clip.defaultProps as { firstName: string }).firstName);
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
