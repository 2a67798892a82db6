import { readFile } from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../../src/pipeline/index.js';
import { findChromium } from '../../../src/encode/index.js';
import { BUNDLE_ORIGIN, bundleUrl } from '../../../src/render/index.js';
import { repoRoot } from '../../helpers/render-engine.js';

let browser: Browser;
let page: Page;

/** The live player runs in an ordinary page (no begin-frame control): requestAnimationFrame drives it. */
beforeAll(async () => {
  const registry = createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/test') });
  const bundle = await registry.bundle('reference');
  browser = await puppeteer.launch({
    executablePath: (await findChromium()).path,
    headless: 'shell',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 800, height: 600 });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(BUNDLE_ORIGIN)) return void request.abort();
    const file = path.join(bundle.dir, new URL(url).pathname.split('/').slice(3).join('/'));
    void readFile(file).then(
      (body) => request.respond({ status: 200, body, contentType: file.endsWith('.html') ? 'text/html' : 'text/javascript' }),
      () => request.respond({ status: 404 }),
    );
  });
  await page.goto(bundleUrl(bundle));
  await page.waitForFunction('!!window.__mastercutPlayer');
});
afterAll(async () => {
  await browser?.close();
});

describe('live player in a browser page', () => {
  it('plays in real time, pauses, seeks and reports quartiles', async () => {
    const drawnAtOnce = await page.evaluate(() => {
      const w = window as unknown as {
        __events: string[];
        __player: unknown;
        __mastercutPlayer: { createPlayer(el: HTMLElement, o: object): unknown };
      };
      const stage = document.createElement('div');
      stage.style.cssText = 'position:fixed;left:0;top:0;width:640px;height:360px';
      document.body.appendChild(stage);
      w.__events = [];
      w.__player = w.__mastercutPlayer.createPlayer(stage, {
        props: { name: 'Kenji', points: 500 },
        autoplay: true,
        muted: true,
        onEvent: (type: string) => w.__events.push(type),
      });
      // The first frame is committed inside createPlayer(): the next paint shows the composition, not an empty stage.
      return stage.textContent?.includes('Hello, Kenji') ?? false;
    });
    expect(drawnAtOnce).toBe(true);
    const frame = () => page.evaluate(() => (window as unknown as { __player: { getFrame(): number } }).__player.getFrame());
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const playing = await frame();
    // About 30 frames a second; generous bounds for a loaded 2-core machine.
    expect(playing).toBeGreaterThan(10);
    expect(playing).toBeLessThan(60);
    expect(await page.evaluate(() => document.body.innerText)).toContain('Hello, Kenji');

    await page.evaluate(() => (window as unknown as { __player: { pause(): void } }).__player.pause());
    const paused = await frame();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await frame()).toBe(paused);

    await page.evaluate(() => (window as unknown as { __player: { seek(f: number): void; play(): void } }).__player.seek(120));
    expect(await frame()).toBe(120);
    await page.evaluate(() => (window as unknown as { __player: { play(): void } }).__player.play());
    await page.waitForFunction(() => (window as unknown as { __events: string[] }).__events.includes('complete'), { timeout: 10_000 });
    const events = await page.evaluate(() => (window as unknown as { __events: string[] }).__events);
    expect(events[0]).toBe('play');
    expect(events).toContain('pause');
    expect(events).toContain('progress_75');
    // The scaled composition fits the 640x360 stage.
    const box = await page.evaluate(() => {
      const el = [...document.querySelectorAll('div')].find((d) => d.innerText.startsWith('Hello'));
      return el?.getBoundingClientRect().right ?? 0;
    });
    expect(box).toBeLessThanOrEqual(640);
  });
});

/**
 * The template's fonts start once the frame counter has advanced (a playing
 * player) or after the first frame (a paused one): before, they started after
 * the first frame and their work fell between it and frame 1 (bench/live.ts).
 * `year-recap` has fonts; each FontFace records the player's frame when made.
 */
describe('live player fonts', () => {
  let fontPage: Page;
  beforeAll(async () => {
    const registry = createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/test') });
    const bundle = await registry.bundle('year-recap');
    fontPage = await browser.newPage();
    await fontPage.setRequestInterception(true);
    fontPage.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(BUNDLE_ORIGIN)) return void request.abort();
      const file = path.join(bundle.dir, new URL(url).pathname.split('/').slice(3).join('/'));
      void readFile(file).then(
        (body) => request.respond({ status: 200, body, contentType: file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' }),
        () => request.respond({ status: 404 }),
      );
    });
    await fontPage.evaluateOnNewDocument(() => {
      const w = window as unknown as { __frame: number; __fontFrames: number[] };
      w.__frame = -1;
      w.__fontFrames = [];
      const Original = window.FontFace;
      window.FontFace = function (...args: ConstructorParameters<typeof FontFace>) {
        w.__fontFrames.push(w.__frame);
        return new Original(...args);
      } as unknown as typeof FontFace;
    });
    await fontPage.goto(bundleUrl(bundle));
    await fontPage.waitForFunction('!!window.__mastercutPlayer');
  });

  const start = (autoplay: boolean) =>
    fontPage.evaluate((autoplay) => {
      const w = window as unknown as {
        __frame: number;
        __fontFrames: number[];
        __player?: { destroy(): void };
        __mastercutPlayer: { createPlayer(el: HTMLElement, o: object): { destroy(): void } };
      };
      w.__player?.destroy();
      w.__fontFrames = [];
      w.__frame = -1;
      const stage = document.createElement('div');
      stage.style.cssText = 'position:fixed;left:0;top:0;width:640px;height:360px';
      document.body.replaceChildren(stage);
      w.__player = w.__mastercutPlayer.createPlayer(stage, { autoplay, muted: true, onFrame: (frame: number) => (w.__frame = frame) });
      // Nothing was started inside the mount.
      return w.__fontFrames.length;
    }, autoplay);
  const fontFrames = () => fontPage.evaluate(() => (window as unknown as { __fontFrames: number[] }).__fontFrames);

  it('a playing player starts them after frame 1', async () => {
    expect(await start(true)).toBe(0);
    await fontPage.waitForFunction(() => (window as unknown as { __fontFrames: number[] }).__fontFrames.length > 0, { timeout: 10_000 });
    expect(Math.min(...(await fontFrames()))).toBeGreaterThanOrEqual(1);
  });

  it('a paused player starts them after its first frame', async () => {
    expect(await start(false)).toBe(0);
    await fontPage.waitForFunction(() => (window as unknown as { __fontFrames: number[] }).__fontFrames.length > 0, { timeout: 10_000 });
    expect(await fontFrames()).toEqual((await fontFrames()).map(() => 0));
  });
});
