import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/encode/index.js';
import { repoRoot } from '../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, untilReady, type WorkerChild, stopFarmProcesses } from '../helpers/worker-process.js';

// The landing page of a Live URL against a whole farm (API, render worker,
// transcode worker) and a real Chromium: instant play on a cold cache, the
// swap to the rendered MP4, the MP4 served with Range, and the CTA redirect.
// `reference` (5 s, the quickest render) plays and swaps; `year-recap` has the CTA.

const ARTIFACTS = path.join(repoRoot, 'test-artifacts/live-landing-e2e');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
let browser: Browser;
/** `/l/<token>` of a cold `reference` link, and of a `year-recap` one (memberTier Gold). */
let reference: string;
let recap: string;
const children: WorkerChild[] = [];
const contexts: BrowserContext[] = [];

const get = (url: string, init?: RequestInit) => fetch(`${api.url}${url}`, { redirect: 'manual', ...init });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Waits are on states and events the page reaches; the timeouts are only a last resort, set for
// a busy 2-core machine where the player, the decoder and the render all run late.
const WAIT = { timeout: 30_000 } as const;
const mode = (page: Page) => page.locator('#mc-stage').getAttribute('data-mode');
const waitMode = (page: Page, wanted: string, timeout: number) =>
  page.waitForFunction((m) => document.getElementById('mc-stage')?.dataset.mode === m, wanted, { timeout, polling: 100 });
const videoState = (page: Page, selector = '#mc-stage > video') =>
  page.locator(selector).evaluate((v: HTMLVideoElement) => ({
    src: v.src,
    time: v.currentTime,
    paused: v.paused,
    readyState: v.readyState,
    duration: v.duration,
    pending: v.classList.contains('pending'),
  }));

async function createLink(templateId: string, props: Record<string, unknown>): Promise<string> {
  const res = await get('/v1/live-links', {
    method: 'POST',
    headers: { authorization: 'Bearer farm-key', 'content-type': 'application/json' },
    body: JSON.stringify({ templateId, channels: ['web'], props, recipientId: `landing-e2e-${templateId}` }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { links: { url: string }[] }).links[0]!.url;
}

/** A fresh context whose page errors are collected. */
async function openPage(viewport: { width: number; height: number }, mobile = false): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: mobile ? 2 : 1, isMobile: mobile, hasTouch: mobile });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-landing-e2e-'));
  // No grace period: a render still running at the end is dropped, not waited for.
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), args: ['--grace-ms', '0'] };
  api = await startApiProcess({ ...common, args: [] });
  children.push(api, startWorkerProcess(common), startTranscodeProcess(common));
  const [launched] = await Promise.all([
    findChromium().then((found) => chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS })),
    ...children.slice(1).map((c) => untilReady(c)),
    mkdir(ARTIFACTS, { recursive: true }),
  ]);
  browser = launched as Browser;
  reference = await createLink('reference', { name: 'Ada Lovelace', points: 1815 });
  recap = await createLink('year-recap', { firstName: 'Ada', memberTier: 'Gold' });
}, 120_000);

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('Live URL landing page against a farm, in Chromium', () => {
  it('plays the template at once on a cold cache, then swaps to the rendered MP4 without a reload', async () => {
    expect(await (await get(`${reference}/status`)).json()).toEqual({ ready: false });
    const { page, errors } = await openPage({ width: 1280, height: 800 });
    const documents: string[] = [];
    page.on('request', (r) => void (r.resourceType() === 'document' && documents.push(r.url())));
    // The live player needs the template's lean player bundle, which the page modulepreloads and its client imports.
    const bundle = page.waitForResponse((r) => r.url().endsWith('/player.js'), WAIT);

    const opened = Date.now();
    // Not 'load': the poster <img> of a cold page waits for the render.
    const response = await page.goto(`${api.url}${reference}`, { waitUntil: 'domcontentloaded' });
    expect(response!.status()).toBe(200);
    // The server rendered the page before the MP4 existed.
    const data = await page.evaluate(() => JSON.parse(document.getElementById('mc-landing-data')!.textContent!) as { videoReady: boolean });
    expect(data.videoReady).toBe(false);
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const served = await bundle;
    expect(served.url()).toMatch(new RegExp(`^${api.url}/b/reference/[0-9a-f]{8,64}/player\\.js$`));
    expect(served.status(), `GET ${new URL(served.url()).pathname} (createBundleRoutes)`).toBe(200);
    // The download starts from the page's headers, before its HTML is parsed (same URL as the <link> in the page).
    expect(response!.headers()['link']).toBe(`<${new URL(served.url()).pathname}>; rel=modulepreload`);
    await waitMode(page, 'live', WAIT.timeout);
    const greeting = page.locator('#mc-stage .live div', { hasText: /^Hello, Ada Lovelace$/ }).last();
    await greeting.waitFor({ state: 'visible', ...WAIT });
    // Reported, not asserted: how fast it plays is bench/live.ts's business, not a test's.
    console.log(`cold landing page: template playing with the customer's name ${Date.now() - opened} ms after navigation`);
    expect(await page.locator('#mc-stage video').count()).toBe(0);
    expect(await get(`${reference}/status`).then((r) => r.json())).toEqual({ ready: false });
    // The live player's frame advances: the greeting moves from one moment to the next.
    const before = await greeting.evaluate((el) => (el as HTMLElement).style.transform);
    await greeting.evaluate(
      (el, b) => new Promise<void>((resolve) => {
        const check = () => ((el as HTMLElement).style.transform !== b ? resolve() : requestAnimationFrame(check));
        check();
      }),
      before,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'desktop-live.png') });

    // The render may outlast the 5 s template: the viewer presses replay whenever
    // the live player reaches its end, so the MP4 takes over from a playing player.
    const deadline = Date.now() + 150_000;
    const toggle = page.locator('#mc-toggle');
    while ((await mode(page)) !== 'video' && Date.now() < deadline) {
      if ((await mode(page)) === 'live' && !(await toggle.getAttribute('class'))?.includes('is-playing')) await toggle.click().catch(() => undefined);
      await sleep(150);
    }
    expect(await mode(page)).toBe('video');
    const swapped = await videoState(page);
    console.log(`cold landing page: swapped to the MP4 ${Date.now() - opened} ms after navigation (${swapped.paused ? 'paused at 0' : 'playing'})`);
    expect(swapped.src).toBe(`${api.url}${reference}/video.mp4`);
    expect(swapped.pending).toBe(false);
    expect(swapped.readyState).toBeGreaterThanOrEqual(2);
    expect(swapped.duration).toBeCloseTo(5, 0);
    expect(await page.locator('#mc-stage .live').count()).toBe(0);
    if (swapped.paused) {
      // The player had just ended between two replays: by design the MP4 then waits at 0 (create-stage.ts).
      expect(swapped.time).toBe(0);
      await page.locator('#mc-stage > video').evaluate((v: HTMLVideoElement) => v.play());
    }
    // The MP4 plays on: 0.3 s further, or to its end when the swap came later than that before it.
    const played = await page
      .waitForFunction(
        (t0) => {
          const v = document.querySelector<HTMLVideoElement>('#mc-stage > video')!;
          return (v.currentTime >= t0 + 0.3 || (v.ended && v.currentTime > t0)) && { time: v.currentTime, ended: v.ended, paused: v.paused };
        },
        swapped.time,
        { ...WAIT, polling: 50 },
      )
      .then((handle) => handle.jsonValue() as Promise<{ time: number; ended: boolean; paused: boolean }>);
    expect(played.time).toBeGreaterThan(swapped.time);
    if (!played.ended) expect(played.paused).toBe(false);
    // Same document all along: no reload, one navigation.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(documents).toEqual([`${api.url}${reference}`]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'desktop-video.png') });
    const loaded = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
    // Reported, not asserted: the poster <img> of a cold page holds the load event until the poster is cut.
    console.log(`cold landing page: load event ${loaded > 0 ? `${Math.round(loaded)} ms after navigation start` : 'not fired yet'} at the swap`);
    expect(errors).toEqual([]);
  }, 240_000);

  it('serves the cached MP4 with Range and 304, and Chromium plays and seeks it over Range requests', async () => {
    await expect.poll(async () => (await get(`${reference}/status`).then((r) => r.json())).ready, { timeout: 60_000, interval: 250 }).toBe(true);
    const url = `${reference}/video.mp4`;
    const full = await get(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    const etag = full.headers.get('etag')!;
    const bytes = Buffer.from(await full.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(1000);

    const ranged = await get(url, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-99/${bytes.length}`);
    expect(ranged.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(0, 100))).toBe(true);
    expect((await get(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // The page of a rendered MP4 preloads no player bundle.
    const warmPage = await get(reference);
    expect(warmPage.status).toBe(200);
    expect(await warmPage.text()).toContain('"videoReady":true');
    expect(warmPage.headers.get('link')).toBeNull();

    const { page, errors } = await openPage({ width: 1280, height: 800 });
    const media: Promise<{ range?: string; status?: number; contentRange?: string }>[] = [];
    page.on('request', (request) => {
      if (request.url() !== `${api.url}${url}`) return;
      media.push(
        (async () => {
          const headers = await request.allHeaders();
          const response = await request.response().catch(() => null);
          return { range: headers.range, status: response?.status(), contentRange: (await response?.headerValue('content-range')) ?? undefined };
        })(),
      );
    });
    await page.setContent(`<video id="v" muted playsinline preload="auto" src="${api.url}${url}"></video>`);
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).readyState >= 2, null, WAIT);
    await page.locator('#v').evaluate((v: HTMLVideoElement) => v.play());
    await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime > 0.3, null, { ...WAIT, polling: 50 });
    const seeked = await page.locator('#v').evaluate(
      (v: HTMLVideoElement) =>
        new Promise<number>((resolve) => {
          v.pause();
          v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
          v.currentTime = 4;
        }),
    );
    expect(seeked).toBeCloseTo(4, 1);
    expect((await videoState(page, '#v')).readyState).toBeGreaterThanOrEqual(2);

    const seen = await Promise.all(media);
    console.log(`Chromium media requests: ${JSON.stringify(seen)}`);
    const partial = seen.filter((m) => m.range !== undefined && m.status === 206);
    expect(partial.length).toBeGreaterThanOrEqual(1);
    for (const m of partial) expect(m.contentRange).toMatch(new RegExp(`^bytes \\d+-\\d+/${bytes.length}$`));
    expect(errors).toEqual([]);
  });

  it('sends a CTA click to the declared URL filled with the props', async () => {
    const { page, errors } = await openPage({ width: 390, height: 844 }, true);
    // page.route is not called for the hops of a redirect (a documented Playwright limit), so the
    // hotel is answered at the CDP level, where the redirected request pauses like any other.
    const landed: string[] = [];
    const cdp = await page.context().newCDPSession(page);
    cdp.on('Fetch.requestPaused', (event: { requestId: string; request: { url: string } }) => {
      landed.push(event.request.url);
      const body = Buffer.from('<!doctype html><title>Hotel</title><h1>Booked</h1>').toString('base64');
      void cdp.send('Fetch.fulfillRequest', { requestId: event.requestId, responseCode: 200, responseHeaders: [{ name: 'content-type', value: 'text/html' }], body });
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: 'https://hotel.example/*', requestStage: 'Request' }] });

    await page.goto(`${api.url}${recap}`, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.getElementById('mc-stage')?.dataset.mode !== 'loading', null, WAIT);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-live.png') });

    const cta = page.locator('a[data-cta-id="book"]');
    expect(await cta.getAttribute('href')).toBe(`${recap}/cta/book`);
    const hop = page.waitForRequest('https://hotel.example/**', WAIT);
    await cta.tap();
    await page.waitForURL('https://hotel.example/**', WAIT);
    expect(page.url()).toBe('https://hotel.example/book?tier=Gold');
    expect(landed).toEqual(['https://hotel.example/book?tier=Gold']);
    // Reached through the farm's 302, not a link straight to the hotel.
    expect((await hop).redirectedFrom()?.url()).toBe(`${api.url}${recap}/cta/book`);
    expect(await page.locator('h1').textContent()).toBe('Booked');
    expect(errors).toEqual([]);
  });
});
