import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { findChromium } from '../../../src/encode/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// An air-gapped farm: the queue dashboard must load and work with nothing
// but the API itself. Chromium is given no route off this machine; every
// request elsewhere is refused and recorded, as are failed requests and
// console errors.

const ADMIN_KEY = 'admin-key-offline-3c9d';
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;
let browser: Browser;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-admin-browser-'));
  const config = loadConfig({
    REDIS_URL: redis.url,
    ADMIN_API_KEYS: ADMIN_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: path.join(dir, 'cache'),
  });
  api = await startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
  browser = await chromium.launch({
    executablePath: (await findChromium()).path,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('queue dashboard (Bull Board) without the internet', () => {
  it('loads, lists the queues and asks nothing of any other host: no failed request, no console error', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: ADMIN_KEY } });
    const page = await context.newPage();
    const origin = new URL(api.url).origin;
    const external: string[] = [];
    const failed: string[] = [];
    const consoleErrors: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      external.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    const response = await page.goto(`${api.url}/admin/queues`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    // The board rendered the farm's queues (its data comes from its own API, behind the same login).
    for (const queue of ['render', 'transcode', 'webhooks']) {
      await page.getByText(queue, { exact: true }).first().waitFor({ state: 'visible', timeout: 30_000 });
    }
    await page.waitForLoadState('networkidle', { timeout: 30_000 });
    await context.close();

    expect(external).toEqual([]);
    expect(failed).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
