/**
 * Takes the README's studio screenshots (docs/images/studio-*.png) against a
 * real studio over this project's templates, in chromium-headless-shell.
 *
 *   npx tsx scripts/studio-screenshots.ts
 */
import { execFile } from 'node:child_process';
import { mkdir, rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { compositionsDir, createRenderEngine } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { findChromium } from '../src/encode/index.js';
import { startStudio } from '../src/studio/index.js';

const out = path.resolve(import.meta.dirname, '../docs/images');
await mkdir(out, { recursive: true });
const config = loadConfig();
const studio = await startStudio({ config, compositionsDir, createEngine: (registry) => createRenderEngine(config, { registry }), port: 0 });
const browser = await puppeteer.launch({
  executablePath: (await findChromium()).path,
  headless: 'shell',
  pipe: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1500, height: 760 });
  await page.goto(`${studio.url}#welcome-clip`);
  await page.waitForFunction('document.documentElement.dataset.ready === "true"', { timeout: 60_000 });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));
  const setFrame = (frame: number) =>
    page.evaluate((f) => {
      const scrubber = document.getElementById('scrubber') as HTMLInputElement;
      scrubber.value = String(f);
      scrubber.dispatchEvent(new Event('input'));
    }, frame);

  await page.select('#examples', 'Kenji');
  await page.waitForFunction('document.documentElement.dataset.valid === "true"');
  await setFrame(150);
  await settle();
  await page.screenshot({ path: path.join(out, 'studio.png') });

  await page.$eval('#prop-welcomePoints', (el) => {
    (el as HTMLInputElement).value = '2000000';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction('document.documentElement.dataset.valid === "false"');
  await page.screenshot({ path: path.join(out, 'studio-props-error.png') });

  await page.select('#examples', 'Kenji');
  await page.waitForFunction('document.documentElement.dataset.valid === "true"');
  await page.click('.variant[data-variant="square"] span');
  await page.click('#render');
  await page.waitForFunction('document.documentElement.dataset.render === "done"', { timeout: 300_000 });
  await settle();
  await page.screenshot({ path: path.join(out, 'studio-render.png') });
  const files = ['studio.png', 'studio-props-error.png', 'studio-render.png'];
  // 256-colour PNGs: a third of the size, and the UI looks the same.
  for (const file of files) {
    const full = path.join(out, file);
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-y', '-i', full, '-vf', 'split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=none', `${full}.tmp.png`]);
    await rename(`${full}.tmp.png`, full);
  }
  console.log(`wrote ${files.map((f) => path.join('docs/images', f)).join(', ')}`);
} finally {
  await browser.close();
  await studio.close();
}
