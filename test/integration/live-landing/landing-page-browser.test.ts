import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { templates } from '../../../compositions/index.js';
import { repoRoot } from '../../helpers/render-engine.js';
import { launchLandingBrowser, stageMode as mode, violations, WAIT, waitForMotion, waitMode, type LandingBrowser } from './landing-browser.js';
import { startLandingHarness, type LandingHarness } from './landing-harness.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts/live-landing');

let harness: LandingHarness;
let chromium: LandingBrowser;
const openPage: LandingBrowser['openPage'] = (options) => chromium.openPage(options);

/** Requests for a template bundle file since `from` (an index into harness.requests). */
const bundleFiles = (from: number) => harness.requests.slice(from).filter((p) => /\/(bundle|player)\.js$/.test(p)).map((p) => p.split('/').pop());
/** Waits until the page's beacons of `type` reached the harness `count` times. */
const waitForBeacons = (name: string, type: string, count = 1) =>
  expect.poll(() => harness.events(name).filter((e) => e.type === type).length, { ...WAIT, interval: 50 }).toBeGreaterThanOrEqual(count);
/**
 * Waits until the stage's video played on by `seconds` from `from`, or to its
 * end when less than that was left; returns its state then.
 */
const waitForPlayback = (page: Page, from: number, seconds: number) =>
  page
    .waitForFunction(
      ([t0, dt]) => {
        const v = document.querySelector<HTMLVideoElement>('#mc-stage > video')!;
        return (v.currentTime >= t0 + dt || (v.ended && v.currentTime > t0)) && { time: v.currentTime, ended: v.ended, paused: v.paused };
      },
      [from, seconds] as const,
      { ...WAIT, polling: 50 },
    )
    .then((handle) => handle.jsonValue() as Promise<{ time: number; ended: boolean; paused: boolean }>);
const videoState = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('#mc-stage > video')!;
    return { time: v.currentTime, paused: v.paused, muted: v.muted, src: v.getAttribute('src'), poster: v.getAttribute('poster'), pending: v.classList.contains('pending') };
  });

beforeAll(async () => {
  harness = await startLandingHarness();
  chromium = await launchLandingBrowser();
  await mkdir(ARTIFACTS, { recursive: true });
});
afterEach(() => chromium.closeContexts());
afterAll(async () => {
  await chromium?.close();
  await harness?.close();
});

describe('Live URL landing page in Chromium', () => {
  it('plays the template at once, swaps to the MP4 when it is ready and reports each quartile once', async () => {
    const input = harness.addPage('flip');
    const { page, errors } = await openPage();
    const seen = harness.requests.length;
    await page.goto(`${harness.origin}/l/flip`);
    // In-page clock: milliseconds from navigation start to the live player mounted.
    const playable = await (await page.waitForFunction(() => document.getElementById('mc-stage')?.dataset.mode === 'live' && performance.now(), null, WAIT)).jsonValue();
    console.log(`landing page playable ${Math.round(Number(playable))} ms after navigation start (first page of a fresh browser, bundle not cached)`);

    // The composition runs: its greeting moves from frame to frame, with the customer's name.
    const greeting = page.locator('#mc-stage .live div', { hasText: /^Hello, Kenji$/ }).last();
    await expect(greeting.isVisible()).resolves.toBe(true);
    const before = await greeting.evaluate((el) => (el as HTMLElement).style.transform);
    await waitForMotion(greeting, before);
    expect(await page.locator('#mc-poster').isHidden()).toBe(true);
    expect(await page.locator('#mc-download').isHidden()).toBe(true);
    expect(await page.locator('#mc-stage video').count()).toBe(0);
    // The lean player bundle only: no render bundle, no render-mode page API, no global player.
    expect(bundleFiles(seen)).toEqual(['player.js']);
    expect(await page.evaluate(() => [typeof window.__mastercut, typeof window.__mastercutPlayer])).toEqual(['undefined', 'undefined']);

    // The player reached its first quartile (1.25 s) before the MP4 is ready, so the MP4 takes over mid-play.
    await waitForBeacons('flip', 'progress_25');
    harness.setReady('flip');
    await waitMode(page, 'video');
    const swapped = await videoState(page);
    expect(await page.locator('#mc-stage .live').count()).toBe(0);
    expect(swapped.src).toBe(input.videoUrl);
    expect(swapped.poster).toBe(input.posterUrl);
    expect(swapped.pending).toBe(false);
    // The player was past 1.25 s when the status flipped: the MP4 took over from there, still playing.
    expect(swapped.time).toBeGreaterThan(1);
    expect(swapped.paused).toBe(false);
    const played = await waitForPlayback(page, swapped.time, 0.2);
    expect(played.time).toBeGreaterThan(swapped.time);
    expect(await page.locator('#mc-download').getAttribute('href')).toBe(input.videoUrl);
    expect(await page.locator('#mc-download').isVisible()).toBe(true);

    await waitForBeacons('flip', 'complete');
    const events = harness.events('flip');
    expect(events[0]?.type).toBe('page_view');
    const count = (type: string) => events.filter((e) => e.type === type).length;
    // The MP4 continuing the live player is not a second play, nor a second 25%.
    expect(count('play')).toBe(1);
    expect(events.find((e) => e.type === 'play')?.meta).toEqual({ source: 'player' });
    for (const type of ['progress_25', 'progress_50', 'progress_75', 'complete']) expect(count(type)).toBe(1);
    expect(events.find((e) => e.type === 'complete')?.meta).toEqual({ source: 'video' });
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('shows the MP4 at once, without loading the bundle, when it is already rendered', async () => {
    harness.addPage('warm', { videoReady: true });
    const { page, errors } = await openPage();
    const before = harness.requests.length;
    await page.goto(`${harness.origin}/l/warm`);
    expect(await mode(page)).toBe('video');
    await page.waitForFunction(() => (document.querySelector('#mc-stage > video') as HTMLVideoElement | null)?.currentTime! > 0.3, null, WAIT);
    const state = await videoState(page);
    expect(state.muted).toBe(true);
    expect(state.paused).toBe(false);
    expect(bundleFiles(before)).toEqual([]);
    expect(await page.locator('#mc-download').isVisible()).toBe(true);
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('falls back to the poster with a play button that loads the MP4 when the bundle fails', async () => {
    harness.addPage('broken', { bundleBase: '/b/reference/0000000000000000/' });
    const { page, errors } = await openPage();
    await page.goto(`${harness.origin}/l/broken`);
    await waitMode(page, 'poster');
    expect(await page.locator('#mc-poster').isVisible()).toBe(true);
    expect(await page.locator('#mc-controls').isHidden()).toBe(true);
    const play = page.locator('#mc-bigplay');
    expect(await play.isVisible()).toBe(true);
    await play.click();
    expect(await mode(page)).toBe('video');
    await page.waitForFunction(() => (document.querySelector('#mc-stage > video') as HTMLVideoElement).currentTime > 0.3, null, WAIT);
    // Started by a click: with sound.
    expect((await videoState(page)).muted).toBe(false);
    expect(await play.isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('holds its beacons until the page plays (nothing beside player.js and the first frame)', async () => {
    harness.addPage('held');
    const { page, errors } = await openPage();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/player.js', async (route) => {
      await gate;
      await route.continue();
    });
    await page.goto(`${harness.origin}/l/held`);
    // Loaded and parsed, player.js held back: nothing plays, so nothing is sent yet.
    await page.waitForLoadState('domcontentloaded');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await mode(page)).toBe('loading');
    expect(harness.events('held')).toEqual([]);
    const playingMark = () => page.evaluate(() => 'playing' in document.getElementById('mc-stage')!.dataset);
    expect(await playingMark()).toBe(false);
    release();
    await waitMode(page, 'live');
    await waitForBeacons('held', 'page_view');
    // The stage marks the moment the frame advanced, the moment the beacons were released (bench/live.ts times it).
    expect(await playingMark()).toBe(true);
    expect(harness.events('held')[0]?.type).toBe('page_view');
    expect(errors).toEqual([]);
  });

  it('links each CTA to its href, reports the click, and shares with the share sheet or the clipboard', async () => {
    const input = harness.addPage('share');
    const { page } = await openPage({ initScript: 'Object.defineProperty(Navigator.prototype, "share", { value: undefined, configurable: true });' });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.origin });
    await page.goto(`${harness.origin}/l/share`);
    await waitMode(page, 'live');

    const links = await page.locator('a[data-cta-id]').evaluateAll((as) =>
      as.map((a) => ({ id: (a as HTMLAnchorElement).dataset.ctaId, href: a.getAttribute('href'), resolved: (a as HTMLAnchorElement).href, text: a.textContent })),
    );
    expect(links).toEqual(
      input.ctas.map((c) => ({ id: c.id, href: c.href, resolved: `${harness.origin}${c.href}`, text: c.label })),
    );
    for (const button of await page.locator('.actions .btn:visible').all()) {
      expect((await button.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    }

    await page.locator('#mc-share').click();
    await expect.poll(() => page.locator('#mc-toast').textContent(), WAIT).toBe('Link copied');
    expect(await page.locator('#mc-toast').isVisible()).toBe(true);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(input.shareUrl);
    await expect.poll(() => harness.events('share').find((e) => e.type === 'share')?.meta, WAIT).toEqual({ method: 'clipboard' });

    await page.locator('a[data-cta-id="book"]').click();
    await page.waitForURL(`${harness.origin}/go/book`, WAIT);
    await expect.poll(() => harness.events('share').find((e) => e.type === 'cta_click')?.meta, WAIT).toEqual({ ctaId: 'book' });

    // Where the system share sheet exists it is used instead.
    harness.addPage('native');
    const native = await openPage({
      initScript: 'navigator.share = async (data) => { window.__shared = data; };',
    });
    await native.page.goto(`${harness.origin}/l/native`);
    await native.page.locator('#mc-share').click();
    await expect.poll(() => native.page.evaluate(() => (window as unknown as { __shared?: ShareData }).__shared), WAIT).toEqual({
      title: 'Your year with us, Kenji',
      url: `${harness.origin}/l/native`,
    });
    await expect.poll(() => harness.events('native').find((e) => e.type === 'share')?.meta, WAIT).toEqual({ method: 'native' });
  });

  it('names its token and, for a sticky link, its pin in every beacon (the server records the version that pin keeps)', async () => {
    const pin = 'Pin_of-version-1xxxxxx';
    harness.addPage('pinned', { eventsToken: 'tok-pinned', eventsPin: pin });
    harness.addPage('unpinned', { eventsToken: 'tok-unpinned' });
    for (const name of ['pinned', 'unpinned']) {
      const { page } = await openPage();
      await page.goto(`${harness.origin}/l/${name}`);
      await waitForBeacons(name, 'page_view');
    }
    expect(harness.events('pinned').find((e) => e.type === 'page_view')).toMatchObject({ token: 'tok-pinned', pin });
    const unpinned = harness.events('unpinned').find((e) => e.type === 'page_view')!;
    expect(unpinned.token).toBe('tok-unpinned');
    expect(unpinned.pin).toBeUndefined();
  });

  it('renders script and onerror payloads in props, title and labels as literal text', async () => {
    const name = '<img src=x onerror=__pwned=1>';
    const note = '</script><script>window.__pwned=2</script><!-- \u2028\u2029 "\'&';
    const title = '</title><script>window.__pwned=3</script>';
    harness.addPage('xss', {
      title,
      description: '"><img src=x onerror="window.__pwned=4">',
      props: { name, points: 7, note },
      ctas: [{ id: 'x"><script>window.__pwned=5</script>', label: '<b onmouseover=__pwned=6>Go</b>', href: '/go/x?a=1&b="><script>' }],
    });
    const { page, errors } = await openPage();
    await page.goto(`${harness.origin}/l/xss`);
    await waitMode(page, 'live');
    await page.locator('a[data-cta-id]').hover();

    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('#mc-stage .live').innerText()).toContain(`Hello, ${name}`);
    expect(await page.locator('#mc-stage .live img').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe(title);
    expect(await page.title()).toBe(title);
    expect(await page.locator('.desc').textContent()).toBe('"><img src=x onerror="window.__pwned=4">');
    expect(await page.locator('a[data-cta-id]').textContent()).toBe('<b onmouseover=__pwned=6>Go</b>');
    expect(await page.locator('a[data-cta-id]').getAttribute('href')).toBe('/go/x?a=1&b="><script>');
    expect(await page.locator('a[data-cta-id]').getAttribute('data-cta-id')).toBe('x"><script>window.__pwned=5</script>');
    // The data block gives the props back exactly, U+2028/2029 included.
    const data = await page.evaluate(() => JSON.parse(document.getElementById('mc-landing-data')!.textContent!));
    expect(data.props).toEqual({ name, points: 7, note });
    // The two scripts of the markup (data, client; the player is an imported module): nothing was injected.
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('img').count()).toBe(1);
    // Escaping did the work, not CSP: nothing was even attempted.
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('sends a strict CSP that the browser enforces, and Open Graph tags with the poster', async () => {
    const input = harness.addPage('meta');
    const { page } = await openPage();
    const response = await page.goto(`${harness.origin}/l/meta`);
    const sent = harness.lastPage('meta')!;
    const header = response!.headers()['content-security-policy'];
    expect(header).toBe(sent.csp);
    expect(header).toContain(`script-src 'nonce-${sent.nonce}' 'self'`);
    expect(header).toContain("connect-src 'self'");
    expect(header).toContain("frame-ancestors 'none'");
    const metaCsp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(metaCsp).toContain(`'nonce-${sent.nonce}'`);
    expect(metaCsp).not.toContain('frame-ancestors');

    const og = (key: string) => page.locator(`meta[property="${key}"], meta[name="${key}"]`).getAttribute('content');
    expect(await og('og:image')).toBe(input.ogImageUrl);
    expect(await og('twitter:image')).toBe(input.ogImageUrl);
    expect(await og('twitter:card')).toBe('summary_large_image');
    expect(await og('og:title')).toBe(input.title);
    expect(await og('og:url')).toBe(input.ogUrl);
    expect(await og('og:description')).toBe(input.description);

    await waitMode(page, 'live');
    // An inline script without the nonce, an inline handler and a foreign fetch are all refused.
    await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.appendChild(s);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__handler = 1');
      img.src = '/nope.png';
      document.body.appendChild(img);
      await fetch('http://example.invalid/x').catch(() => undefined);
    });
    // Each refusal is reported as its own event: wait for all three.
    const kinds = async () => (await violations(page)).map((v) => v.split(' ')[0]);
    await expect.poll(kinds, WAIT).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr', 'connect-src']));
    expect(await page.evaluate(() => [(window as unknown as { __inline?: number }).__inline, (window as unknown as { __handler?: number }).__handler])).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('plays year-recap in portrait by its size, and the sound button turns its soundtrack on where it was', async () => {
    const recap = templates.find((t) => t.id === 'year-recap')!;
    harness.addPage('recap', {
      bundleBase: harness.bundleBases['year-recap'],
      props: recap.defaultProps as Record<string, unknown>,
      width: 720,
      height: 1280,
      fps: recap.fps,
      durationInFrames: recap.durationInFrames,
    });
    // Records what media elements are asked to play (the player's soundtrack element is not in the DOM).
    const { page, errors } = await openPage({
      viewport: { width: 390, height: 844 },
      mobile: true,
      initScript: `window.__plays = []; const play = HTMLMediaElement.prototype.play;
        HTMLMediaElement.prototype.play = function () { window.__plays.push({ muted: this.muted, src: this.src }); return play.call(this); };`,
    });
    await page.goto(`${harness.origin}/l/recap`);
    await waitMode(page, 'live');
    const frame = (await page.locator('#mc-stage .live > div > div').boundingBox())!;
    expect(frame.width / frame.height).toBeCloseTo(720 / 1280, 2);
    const stage = (await page.locator('#mc-stage').boundingBox())!;
    expect(stage.y + stage.height).toBeLessThanOrEqual(844);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-portrait.png') });

    const sound = page.locator('#mc-sound');
    expect(await sound.isVisible()).toBe(true);
    const plays = () => page.evaluate(() => (window as unknown as { __plays: { muted: boolean; src: string }[] }).__plays);
    // Muted autoplay: the soundtrack runs silently from the start, from the bundle's static files.
    await expect.poll(async () => (await plays()).some((p) => p.muted && p.src.endsWith(`${harness.bundleBases['year-recap']}static/music.m4a`)), WAIT).toBe(true);
    await sound.click();
    expect(await sound.getAttribute('class')).toContain('is-on');
    await expect.poll(async () => (await plays()).some((p) => !p.muted && p.src.endsWith('/static/music.m4a')), WAIT).toBe(true);
    expect(await page.locator('#mc-stage .live').count()).toBe(1);
    expect(await mode(page)).toBe('live');
    // Pause and play again from the control.
    const toggle = page.locator('#mc-toggle');
    expect(await toggle.getAttribute('class')).toContain('is-playing');
    await toggle.click();
    expect(await toggle.getAttribute('class')).not.toContain('is-playing');
    await toggle.click();
    expect(await toggle.getAttribute('class')).toContain('is-playing');
    // Resuming after a pause is a play; turning the sound on (a new player taking over) is not.
    // Beacons arrive in their own time: wait for the first quartile (2 s of play) and both plays.
    await waitForBeacons('recap', 'progress_25');
    await waitForBeacons('recap', 'play', 2);
    expect(harness.events('recap').filter((e) => e.type === 'play')).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  for (const device of [
    { name: 'phone', viewport: { width: 390, height: 844 }, mobile: true },
    { name: 'desktop', viewport: { width: 1280, height: 800 }, mobile: false },
  ]) {
    it(`fits a ${device.name} (${device.viewport.width}x${device.viewport.height}) and keeps the video's aspect ratio`, async () => {
      harness.addPage(`layout-${device.name}`);
      const { page } = await openPage({ viewport: device.viewport, mobile: device.mobile });
      await page.goto(`${harness.origin}/l/layout-${device.name}`);
      await waitMode(page, 'live');
      await page.screenshot({ path: path.join(ARTIFACTS, `${device.name}.png`) });

      const stage = (await page.locator('#mc-stage').boundingBox())!;
      expect(stage.x).toBeGreaterThanOrEqual(0);
      expect(stage.x + stage.width).toBeLessThanOrEqual(device.viewport.width);
      expect(stage.width / stage.height).toBeCloseTo(1280 / 720, 1);
      expect(stage.y + stage.height).toBeLessThanOrEqual(device.viewport.height);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(device.viewport.width);
      if (device.mobile) expect(stage.width).toBeGreaterThan(device.viewport.width - 40);
      // The composition is scaled into the stage, not cropped.
      const frame = (await page.locator('#mc-stage .live > div > div').boundingBox())!;
      expect(frame.width).toBeCloseTo(stage.width, 0);
      for (const button of await page.locator('.actions .btn:visible').all()) {
        const box = (await button.boundingBox())!;
        expect(box.height).toBeGreaterThanOrEqual(44);
        expect(box.x + box.width).toBeLessThanOrEqual(device.viewport.width);
      }
    });
  }
});
