import { readFile } from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Template } from '../../../src/composition/index.js';
import { findChromium } from '../../../src/encode/index.js';
import { BUNDLE_ORIGIN, bundleUrl, type BundleRef } from '../../../src/render/index.js';
import { createTemplateRegistry } from '../../../src/templates/index.js';
import playerProbe from '../../fixtures/compositions/player-probe/index.js';
import { fixturesDir, repoRoot } from '../../helpers/render-engine.js';

let browser: Browser;
let bundle: BundleRef;
const requested: string[] = [];

beforeAll(async () => {
  const registry = createTemplateRegistry({ templates: [playerProbe as unknown as Template], compositionsDir: fixturesDir, cacheDir: path.join(repoRoot, '.cache/test') });
  bundle = await registry.bundle('player-probe');
  browser = await puppeteer.launch({
    executablePath: (await findChromium()).path,
    headless: 'shell',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
});

/**
 * A page with the player-probe fixture's live player in a 200x100 stage (its
 * composition is 400x200), from the full bundle (`window.__mastercutPlayer`)
 * or from the lean `player.js` the landing page imports (its default export),
 * on an empty page that loads nothing else.
 */
async function openPlayer(file: 'bundle.js' | 'player.js'): Promise<Page> {
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(BUNDLE_ORIGIN)) return void request.abort();
    requested.push(new URL(url).pathname);
    if (url.endsWith('/empty.html')) return void request.respond({ status: 200, body: '<!doctype html><body></body>', contentType: 'text/html' });
    const file = path.join(bundle.dir, new URL(url).pathname.split('/').slice(3).join('/'));
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.svg') ? 'image/svg+xml' : 'text/javascript';
    void readFile(file).then(
      (body) => request.respond({ status: 200, body, contentType: type }),
      () => request.respond({ status: 404 }),
    );
  });
  const stage = `const stage = document.createElement('div');
    stage.id = 'stage';
    stage.style.cssText = 'position:fixed;left:0;top:0;width:200px;height:100px';
    document.body.appendChild(stage);`;
  if (file === 'bundle.js') {
    await page.goto(bundleUrl(bundle));
    await page.waitForFunction('!!window.__mastercutPlayer');
    await page.evaluate(`${stage} window.__mastercutPlayer.createPlayer(stage, {});`);
  } else {
    await page.goto(bundleUrl(bundle, 'empty.html'));
    // A string, so that the test runner does not rewrite the page's import().
    await page.evaluate(`(async () => { ${stage} (await import('${bundleUrl(bundle, 'player.js')}')).default.createPlayer(stage, {}); })()`);
  }
  return page;
}

describe.each(['bundle.js', 'player.js'] as const)('live player from %s', (file) => {
  it('gives useCurrentScale() its fit, and follows a resize', async () => {
    const page = await openPlayer(file);
    await page.waitForFunction(() => document.getElementById('scale')?.textContent === 'scale=0.5');
    await page.evaluate(() => void (document.getElementById('stage')!.style.width = '100px'));
    await page.waitForFunction(() => document.getElementById('scale')?.textContent === 'scale=0.25');
  });

  it('shows the prefetched copy of an image as soon as it is ready, while paused', async () => {
    requested.length = 0;
    const page = await openPlayer(file);
    await page.waitForFunction(() => (document.getElementById('dot') as HTMLImageElement | null)?.src.startsWith('blob:'), { timeout: 10_000 });
    const shown = await page.evaluate(() => {
      const img = document.getElementById('dot') as HTMLImageElement;
      return img.decode().then(() => img.naturalWidth);
    });
    expect(shown).toBe(20);
    // prefetch() downloaded it (the first render may also have asked for the file before the copy was ready).
    expect(requested.filter((p) => p.endsWith('/static/dot.svg')).length).toBeGreaterThanOrEqual(1);
    // The lean bundle is all the page loaded: no render bundle, no page API.
    if (file === 'player.js') {
      expect(requested.filter((p) => p.endsWith('.js')).map((p) => p.split('/').pop())).toEqual(['player.js']);
      expect(await page.evaluate('typeof window.__mastercut + typeof window.__mastercutPlayer')).toBe('undefinedundefined');
    }
  });
});
