import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_STREAM_KEY, type CampaignMetrics, type EngagementEvent } from '../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';
import { untilFannedOut } from '../helpers/campaign-fanned-out.js';

// A conversion from the brand's confirmation page, in Chromium, after a
// click-through from a Live URL: the landing page's CTA redirects to the
// brand (hotel.example, which sends the visitor on to its shop: an HTTP
// server of the test's on loopback, like the farm, since Chromium keeps
// public pages off loopback addresses) with a click reference; the
// brand's confirmation page loads the farm's pixel with the order. The
// order must be credited to the recipient and the channel of the link,
// once, however often the page is reloaded; a forged reference counts nothing.

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

let server: EmbeddedRedis;
let redis: Redis;
let dir: string;
let api: WorkerChild & { url: string };
let browser: Browser;
let shop: http.Server;
let shopUrl = '';
const auth = { authorization: 'Bearer farm-key' };

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-pixel-e2e-'));
  api = await startApiProcess({ redisUrl: server.url, storeRoot: path.join(dir, 'storage') });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  shop = http.createServer(brandShop(api.url));
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  shop?.close();
  if (api) await stopFarmProcesses([api]);
  redis?.disconnect();
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The brand's shop. `/book` keeps the click reference the way a shop keeps
 * an ad click id (here in sessionStorage) and moves on to checkout;
 * `/confirm` is the order confirmation page with the farm's pixel.
 */
function brandShop(farm: string): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (url.pathname === '/book') {
      return html(`<title>book</title><script>sessionStorage.setItem('mc_click', new URLSearchParams(location.search).get('mc_click') || ''); location.href = '/confirm?order=' + encodeURIComponent(${JSON.stringify('HX-2041')});</script>`);
    }
    if (url.pathname === '/confirm') {
      const click = url.searchParams.get('forge') ?? '';
      return html(`<title>confirming</title><p>Thank you for your booking.</p><script>
          const click = ${JSON.stringify(click)} || sessionStorage.getItem('mc_click');
          const order = new URLSearchParams(location.search).get('order');
          const img = new Image(1, 1);
          img.onload = () => { document.title = 'pixel:ok'; };
          img.onerror = () => { document.title = 'pixel:refused'; };
          img.src = ${JSON.stringify(`${farm}/v1/conversions/pixel.gif`)} + '?click=' + encodeURIComponent(click) + '&order=' + encodeURIComponent(order) + '&value=389.50&currency=EUR';
          document.body.append(img);
        </script>`);
    }
    res.writeHead(404).end('no such page');
  };
}

describe('conversion pixel, in Chromium after a click-through from a Live URL', () => {
  it('credits the order to the link’s recipient and channel once; a forged reference counts nothing', async () => {
    const created = await fetch(`${api.url}/v1/campaigns`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'year-recap', channels: ['web'], mode: 'lazy', recipients: [{ recipientId: 'ada', firstName: 'Ada', memberTier: 'Gold', nightsStayed: 12, pointsEarned: 3400, topDestination: 'Porto', cta: { label: 'Book' } }] }),
    });
    expect(created.status).toBe(202);
    const campaignId = ((await created.json()) as { id: string }).id;
    await untilFannedOut(api.url, campaignId, auth);
    const manifest = await (await fetch(`${api.url}/v1/campaigns/${campaignId}/manifest?format=jsonl`, { headers: auth })).text();
    const url = (JSON.parse(manifest.trim()) as { channels: { web: { url: string } } }).channels.web.url;
    const pageUrl = url.startsWith('/') ? `${api.url}${url}` : url;
    const metrics = async () => (await (await fetch(`${api.url}/v1/campaigns/${campaignId}/metrics`, { headers: auth })).json()) as CampaignMetrics;

    const context = await browser.newContext({ userAgent: USER_AGENT, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The brand's public address sends the visitor on to its shop, query string and all.
    await page.route(/hotel\.example/, (route) => {
      const from = new URL(route.request().url());
      return route.fulfill({ status: 302, headers: { location: `${shopUrl}${from.pathname}${from.search}` } });
    });
    await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
    await expect.poll(async () => (await metrics()).overall.events.page_view, { timeout: 20_000, interval: 250 }).toBe(1);
    await page.locator('a[data-cta-id="book"]').click();
    await page.waitForURL(/\/confirm\?order=/, { timeout: 15_000 });
    await page.waitForFunction(() => document.title.startsWith('pixel:'), undefined, { timeout: 15_000 });
    expect(await page.title()).toBe('pixel:ok');
    // The click reference reached the brand in the redirect, and nothing else of the link did.
    const kept = await page.evaluate(() => sessionStorage.getItem('mc_click'));
    expect(kept).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // Reloading the confirmation page fires the pixel again: the same order counts once.
    await page.reload();
    await page.waitForFunction(() => document.title.startsWith('pixel:'), undefined, { timeout: 15_000 });
    expect(await page.title()).toBe('pixel:ok');
    // A forged reference (another order) is refused by the farm.
    await page.goto(`${shopUrl}/confirm?order=HX-9999&forge=AAAAAAAAAAAAAAAAAAAAAA`);
    await page.waitForFunction(() => document.title.startsWith('pixel:'), undefined, { timeout: 15_000 });
    expect(await page.title()).toBe('pixel:refused');
    await context.close();

    await expect.poll(async () => (await metrics()).conversions.total, { timeout: 10_000, interval: 200 }).toBe(1);
    const m = await metrics();
    expect(m.conversions).toMatchObject({ total: 1, attributed: 1, attributedConverters: 1, revenue: { EUR: { total: 389.5, attributed: 389.5 } }, lastTouch: { web: { conversions: 1, revenue: { EUR: 389.5 } } } });
    const entries = (await redis.xrange(EVENTS_STREAM_KEY, '-', '+')) as [string, string[]][];
    const conversions = entries.map(([, fields]) => JSON.parse(fields[1]!) as EngagementEvent).filter((e) => e.type === 'conversion');
    expect(conversions).toHaveLength(1);
    expect(conversions[0]).toMatchObject({ campaignId, recipientId: 'ada', channel: 'web', templateId: 'year-recap', orderId: 'HX-2041', value: 389.5, currency: 'EUR', bot: false, meta: { source: 'pixel' } });
    expect(errors).toEqual([]);
  }, 90_000);
});
