import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderEngine } from '../../src/pipeline/index.js';
import { loadConfig } from '../../src/config/index.js';
import { findChromium, probe } from '../../src/encode/index.js';
import { startStudio, type Studio } from '../../src/studio/index.js';
import { decodeRgb, near, pixelAt, type RgbImage } from '../helpers/pixels.js';
import { repoRoot } from '../helpers/render-engine.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts');
type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const BLUE: Rgb = [0, 0, 255];

let dir: string;
let compositions: string;
let studio: Studio;
let browser: Browser;
let page: Page;

/** A template written for this test, so that the test can save changes to it. */
const demoSource = (runtime: string, background: string) => `import { z } from 'zod';
import { AbsoluteFill, defineTemplate, useCurrentFrame } from '${runtime}';

const BACKGROUND = '${background}';

function Demo({ name, color }: { name: string; color: 'red' | 'blue' | 'green' }) {
  const frame = useCurrentFrame();
  return (
    <AbsoluteFill style={{ background: BACKGROUND }}>
      <div style={{ position: 'absolute', left: 0, top: 0, width: '50%', height: '50%', background: color }} />
      <div style={{ position: 'absolute', right: 4, top: 4, color: '#fff', font: '12px sans-serif' }}>{name + ' ' + frame}</div>
    </AbsoluteFill>
  );
}

export default defineTemplate({
  id: 'studio-demo',
  title: 'Studio demo',
  schema: z.object({ name: z.string().min(1).max(12), color: z.enum(['red', 'blue', 'green']) }),
  defaultProps: { name: 'Ada', color: 'red' },
  fps: 30,
  durationInFrames: 60,
  variants: { landscape: { width: 320, height: 180 }, square: { width: 180, height: 180 } },
  component: Demo,
});
`;

async function writeDemo(background: string): Promise<void> {
  const file = path.join(compositions, 'studio-demo', 'index.tsx');
  const runtime = path.relative(path.dirname(file), path.join(repoRoot, 'src/composition/index.js'));
  await writeFile(file, demoSource(runtime, background));
}

const data = (name: string) => page.evaluate((key) => document.documentElement.dataset[key], name);
const until = (fn: string, timeout = 30_000) => page.waitForFunction(fn, { timeout });

/** The pixels of one variant's player, as shown on the page. */
async function shoot(variant: string): Promise<RgbImage> {
  const box = await page.$eval(`iframe[data-variant="${variant}"]`, (el) => {
    const r = el.getBoundingClientRect();
    return { x: Math.ceil(r.x) + 2, y: Math.ceil(r.y) + 2, width: Math.floor(r.width) - 4, height: Math.floor(r.height) - 4 };
  });
  const png = Buffer.from(await page.screenshot({ clip: box, type: 'png' }));
  return decodeRgb(png, { width: box.width, height: box.height });
}

/** Polls a variant's pixel at (fx, fy) of its size until it is near `colour`. */
async function untilPixel(variant: string, fx: number, fy: number, colour: Rgb, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Rgb = [0, 0, 0];
  while (Date.now() < deadline) {
    const image = await shoot(variant);
    last = pixelAt(image, Math.floor(image.width * fx), Math.floor(image.height * fy));
    if (near(last, colour, 40)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${variant} at (${fx}, ${fy}) stayed ${last.join(',')}, expected ${colour.join(',')}`);
}

beforeAll(async () => {
  // Inside the repository: the studio's Node bundle of the templates resolves react and zod from node_modules.
  await mkdir(path.join(repoRoot, '.cache/test'), { recursive: true });
  dir = await mkdtemp(path.join(repoRoot, '.cache/test/studio-'));
  compositions = path.join(dir, 'compositions');
  await mkdir(path.join(compositions, 'studio-demo'), { recursive: true });
  await writeFile(path.join(compositions, 'index.ts'), "import demo from './studio-demo/index.js';\n\nexport const templates = [demo];\n");
  await writeFile(path.join(compositions, 'studio-demo', 'examples.json'), JSON.stringify({ 'Blue Bob': { name: 'Bob', color: 'blue' } }));
  await writeDemo('#202020');
  const config = loadConfig({ ...process.env, MASTERCUT_CACHE_DIR: path.join(dir, 'cache'), MASTERCUT_OUT_DIR: path.join(dir, 'out'), STUDIO_FARM_URL: '', STUDIO_FARM_API_KEY: '' });
  studio = await startStudio({ config, compositionsDir: compositions, createEngine: (registry) => createRenderEngine(config, { registry, poolSize: 1 }), port: 0 });
  browser = await puppeteer.launch({
    executablePath: (await findChromium()).path,
    headless: 'shell',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mastercut studio in Chromium', () => {
  it('lists the templates and plays every variant side by side at the scrubbed frame', async () => {
    await page.goto(studio.url);
    await until('document.documentElement.dataset.ready === "true"');
    expect(await page.$$eval('#templates button', (els) => els.map((e) => e.getAttribute('data-template')))).toEqual(['studio-demo']);
    expect(await page.$$eval('#stage .variant', (els) => els.map((e) => e.getAttribute('data-variant')))).toEqual(['landscape', 'square']);
    expect(await page.$eval('#prop-name', (el) => (el as HTMLInputElement).value)).toBe('Ada');

    await page.evaluate(() => {
      const scrubber = document.getElementById('scrubber') as HTMLInputElement;
      scrubber.value = '20';
      scrubber.dispatchEvent(new Event('input'));
    });
    expect(await data('frame')).toBe('20');
    await page.click('#next');
    await page.click('#next');
    await page.click('#prev');
    expect(await page.$eval('#frame', (el) => el.textContent)).toBe('21');
    await untilPixel('landscape', 0.25, 0.25, RED);
    await untilPixel('square', 0.25, 0.25, RED);
  });

  it('redraws the frame when a prop changes, and shows inline errors without redrawing', async () => {
    await page.select('#prop-color', '"blue"');
    await untilPixel('landscape', 0.25, 0.25, BLUE);
    await untilPixel('square', 0.25, 0.25, BLUE);

    await page.$eval('#prop-name', (el) => {
      (el as HTMLInputElement).value = '';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await until('document.documentElement.dataset.valid === "false"');
    expect(await page.$eval('[data-error-for="name"]', (el) => el.textContent)).toMatch(/>=1|at least|too small/i);
    expect(await page.$eval('[data-field="name"]', (el) => el.getAttribute('data-invalid'))).toBe('true');
    await untilPixel('landscape', 0.25, 0.25, BLUE);

    await page.select('#examples', 'Blue Bob');
    await until('document.documentElement.dataset.valid === "true"');
    expect(await page.$eval('#prop-name', (el) => (el as HTMLInputElement).value)).toBe('Bob');
    expect(await page.$eval('[data-error-for="name"]', (el) => el.textContent)).toBe('');

    // The current props stored as a named example, next to the template.
    await page.type('#example-name', 'Bob again');
    await page.click('#save-example');
    await page.waitForFunction('document.getElementById("examples").value === "Bob again"');
    const stored = JSON.parse(await readFile(path.join(compositions, 'studio-demo', 'examples.json'), 'utf8')) as Record<string, unknown>;
    expect(stored['Bob again']).toEqual({ name: 'Bob', color: 'blue' });
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-props.png') });
  });

  it('switches the active variant and renders it through the local engine', async () => {
    await page.click('.variant[data-variant="square"]');
    expect(await data('active')).toBe('square');
    expect(await page.$eval('#render-variant', (el) => el.textContent)).toBe('square');
    await page.click('#render');
    await until('document.documentElement.dataset.render === "done"', 120_000);
    const href = await page.$eval('#download', (el) => (el as HTMLAnchorElement).href);
    const res = await fetch(href);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?studio-demo-square-.*\.mp4"?$/);
    const file = path.join(dir, 'downloaded.mp4');
    await writeFile(file, Buffer.from(await res.arrayBuffer()));
    const info = await probe(file, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'h264', width: 180, height: 180, frames: 60 });
    const { readRgb } = await import('../helpers/pixels.js');
    expect(near(pixelAt(await readRgb(file, { width: 180, height: 180 }, 30), 45, 45), BLUE, 40)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'studio-render.png') });
  });

  it('reloads on save keeping the frame and the props, and shows a build error until it is fixed', async () => {
    const version = await data('version');
    expect(await data('frame')).toBe('21');
    await writeDemo('#20a020');
    await until(`document.documentElement.dataset.version !== ${JSON.stringify(version)} && document.documentElement.dataset.ready === "true"`, 60_000);
    await untilPixel('square', 0.75, 0.75, [32, 160, 32]);
    await untilPixel('square', 0.25, 0.25, BLUE);
    expect(await data('frame')).toBe('21');
    expect(await data('active')).toBe('square');
    expect(await page.$eval('#prop-name', (el) => (el as HTMLInputElement).value)).toBe('Bob');

    const good = await readFile(path.join(compositions, 'studio-demo', 'index.tsx'), 'utf8');
    await writeFile(path.join(compositions, 'studio-demo', 'index.tsx'), `${good}\nexport const broken = ;\n`);
    await until('document.documentElement.dataset.buildError === "true"', 60_000);
    expect(await page.$eval('#build-error', (el) => el.textContent)).toContain('index.tsx');
    await writeFile(path.join(compositions, 'studio-demo', 'index.tsx'), good);
    await until('document.getElementById("build-error").hidden === true', 60_000);
  });
});
