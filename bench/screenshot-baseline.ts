import { readFile } from 'node:fs/promises';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { RenderEngine } from '../src/pipeline/index.js';
import type { Config } from '../src/config/index.js';
import { buildEncodeArgs, startFfmpeg } from '../src/encode/index.js';
import { BUNDLE_ORIGIN, bundleUrl } from '../src/render/index.js';

/**
 * The plain way to render a web page to video, for comparison: one tab of
 * ordinary headless Chromium, seek then Page.captureScreenshot per frame, in
 * a loop, into the same ffmpeg settings as the real renderer.
 */
export async function runScreenshotBaseline(options: { engine: RenderEngine; config: Readonly<Config>; out: string }) {
  const { engine, config } = options;
  const template = engine.registry.get('reference');
  const bundle = await engine.registry.bundle('reference');
  const browser = await puppeteer.launch({
    executablePath: engine.chromiumPath,
    headless: 'shell',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 720 });
    await page.setRequestInterception(true);
    page.on('request', async (request) => {
      const url = request.url();
      if (!url.startsWith(BUNDLE_ORIGIN)) return void request.abort();
      const relative = new URL(url).pathname.split('/').slice(3).join('/');
      const body = await readFile(path.join(bundle.dir, relative));
      await request.respond({ status: 200, body, contentType: relative.endsWith('.html') ? 'text/html' : 'text/javascript' });
    });
    await page.goto(bundleUrl(bundle));
    await page.waitForFunction('!!window.__mastercut');
    const props = engine.registry.validateProps(template, {});
    await page.evaluate((p) => (window as never as { __mastercut: { mount(o: unknown): Promise<unknown> } }).__mastercut.mount(p), {
      variant: 'landscape',
      props,
      delayRenderTimeoutMs: 10_000,
    });
    const session = await page.createCDPSession();
    const ffmpeg = await startFfmpeg(
      buildEncodeArgs({
        format: 'mp4', fps: 30, width: 1280, height: 720, inputCodec: 'mjpeg', outPath: options.out,
        durationInFrames: template.durationInFrames, crf: config.encode.crf, preset: config.encode.preset,
      }),
      { ffmpegPath: engine.ffmpegPath },
    );
    const started = Date.now();
    for (let frame = 0; frame < template.durationInFrames; frame++) {
      await session.send('Runtime.evaluate', { expression: `window.__mastercut.seek(${frame})`, awaitPromise: true });
      const { data } = await session.send('Page.captureScreenshot', { format: 'jpeg', quality: config.render.jpegQuality });
      await ffmpeg.write(Buffer.from(data, 'base64'));
    }
    await ffmpeg.end();
    const ms = Date.now() - started;
    return { fps: (template.durationInFrames * 1000) / ms, ms };
  } finally {
    await browser.close();
  }
}
