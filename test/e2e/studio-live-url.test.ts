import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compositionsDir, createRenderEngine } from '../../src/pipeline/index.js';
import { loadConfig } from '../../src/config/index.js';
import { findChromium } from '../../src/encode/index.js';
import { startStudio, type Studio } from '../../src/studio/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { repoRoot } from '../helpers/render-engine.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
let studio: Studio;
let browser: Browser;

const studioConfig = (farm: Record<string, string>) =>
  loadConfig({ ...process.env, MASTERCUT_CACHE_DIR: path.join(repoRoot, '.cache/test'), MASTERCUT_OUT_DIR: path.join(dir, 'out'), ...farm });
const start = (config: ReturnType<typeof loadConfig>) =>
  startStudio({ config, compositionsDir, createEngine: (registry) => createRenderEngine(config, { registry, poolSize: 1 }), port: 0 });

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-studio-farm-'));
  api = await startApiProcess({ redisUrl: redis.url, storeRoot: path.join(dir, 'storage') });
  studio = await start(studioConfig({ STUDIO_FARM_URL: api.url, STUDIO_FARM_API_KEY: 'farm-key' }));
  browser = await puppeteer.launch({
    executablePath: (await findChromium()).path,
    headless: 'shell',
    pipe: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  if (api) await stopFarmProcesses([api]);
  await redis?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('studio with a farm configured', () => {
  it('copies a sealed Live URL of the current props that opens on the farm', async () => {
    const page = await browser.newPage();
    await page.goto(`${studio.url}#loyalty-tier`);
    await page.waitForFunction('document.documentElement.dataset.ready === "true"', { timeout: 60_000 });
    expect(await page.$eval('#live', (el) => (el as HTMLElement).hidden)).toBe(false);
    await page.$eval('#prop-firstName', (el) => {
      (el as HTMLInputElement).value = 'Kenji';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction('document.documentElement.dataset.valid === "true"');
    await page.click('#copy-live-url');
    await page.waitForFunction('document.getElementById("live-url").value.startsWith("http")', { timeout: 30_000 });
    const url = await page.$eval('#live-url', (el) => (el as HTMLInputElement).value);
    expect(url.startsWith(`${api.url}/l/v1.`)).toBe(true);
    // Sealed: no personal data in the URL.
    expect(url).not.toContain('Kenji');
    const landing = await fetch(url);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('loyalty-tier');
  });

  it('passes the farm’s refusal on, refuses other host names, and hides the action without a farm', async () => {
    const refused = await fetch(`${studio.url}api/live-url`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'loyalty-tier', props: { points: -5 } }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/INVALID_PROPS/);

    // Reached under another host name (DNS rebinding): refused.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const port = new URL(studio.url).port;
      request({ host: '127.0.0.1', port, path: '/api/templates', headers: { host: `evil.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(status).toBe(400);

    const bare = await start(studioConfig({ STUDIO_FARM_URL: '', STUDIO_FARM_API_KEY: '' }));
    try {
      expect(await (await fetch(`${bare.url}api/config`)).json()).toEqual({ farm: null });
      const res = await fetch(`${bare.url}api/live-url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"templateId":"loyalty-tier"}' });
      expect(res.status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
