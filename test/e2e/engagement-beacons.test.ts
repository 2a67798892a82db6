import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_STREAM_KEY, type CampaignMetrics, type EngagementEvent } from '../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';
import { untilFannedOut } from '../helpers/campaign-fanned-out.js';

// Engagement beacons from a real landing page: a lazy campaign's Live URL is
// opened in Chromium, the template plays to its end (the live player: no
// render worker runs, so the page never swaps sources mid-play), the CTA is
// clicked. Exactly one of each expected event must be stored, all human.

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// A person's browser: the default HeadlessChrome user agent is (rightly) flagged as a bot.
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

let server: EmbeddedRedis;
let redis: Redis;
let dir: string;
let api: WorkerChild & { url: string };
let browser: Browser;
const children: WorkerChild[] = [];
const auth = { authorization: 'Bearer farm-key' };

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-beacons-e2e-'));
  api = await startApiProcess({ redisUrl: server.url, storeRoot: path.join(dir, 'storage') });
  children.push(api);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopFarmProcesses(children);
  redis?.disconnect();
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function storedEvents(campaignId: string): Promise<EngagementEvent[]> {
  const entries = (await redis.xrange(EVENTS_STREAM_KEY, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => JSON.parse(fields[1]!) as EngagementEvent).filter((e) => e.campaignId === campaignId);
}

describe('landing page beacons, in Chromium against the API', () => {
  it('playing to the end and clicking the CTA store exactly the expected events', async () => {
    const created = await fetch(`${api.url}/v1/campaigns`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'year-recap', channels: ['web'], mode: 'lazy', recipients: [{ recipientId: 'ada', firstName: 'Ada', memberTier: 'Gold', nightsStayed: 12, pointsEarned: 3400, topDestination: 'Porto', cta: { label: 'Book' } }] }),
    });
    expect(created.status).toBe(202);
    const status = await untilFannedOut(api.url, ((await created.json()) as { id: string }).id, auth);
    const campaignId = status.id;
    const manifest = await (await fetch(`${api.url}/v1/campaigns/${campaignId}/manifest?format=jsonl`, { headers: auth })).text();
    expect(manifest.trim(), JSON.stringify(status)).not.toBe('');
    const url = (JSON.parse(manifest.trim()) as { channels: { web: { url: string } } }).channels.web.url;
    const pageUrl = url.startsWith('/') ? `${api.url}${url}` : url;

    const context = await browser.newContext({ userAgent: USER_AGENT, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The CTA leads off the farm (hotel.example): the redirect is what counts, not the destination.
    await page.route(/hotel\.example/, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>booked</title>' }));
    await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
    const metrics = async () => (await (await fetch(`${api.url}/v1/campaigns/${campaignId}/metrics`, { headers: auth })).json()) as CampaignMetrics;
    // The 8 s template plays to its end in the live player (autoplay, muted).
    await expect.poll(async () => (await metrics()).overall.events.complete, { timeout: 40_000, interval: 250 }).toBe(1);
    await page.locator('a[data-cta-id="book"]').click();
    await page.waitForURL(/hotel\.example\/book/, { timeout: 10_000 });
    await expect.poll(async () => (await metrics()).overall.events.cta_click, { timeout: 10_000, interval: 200 }).toBe(1);
    // Give late beacons a moment to arrive before counting exactly.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await context.close();

    const events = await storedEvents(campaignId);
    const counts: Record<string, number> = {};
    for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
    expect(counts).toEqual({ delivered: 1, page_view: 1, play: 1, progress_25: 1, progress_50: 1, progress_75: 1, complete: 1, cta_click: 1 });
    expect(events.every((e) => e.bot === false && e.recipientId === 'ada' && e.channel === 'web' && e.templateId === 'year-recap')).toBe(true);
    expect(events.find((e) => e.type === 'cta_click')!.meta).toEqual({ ctaId: 'book' });
    expect(events.find((e) => e.type === 'play')!.meta).toEqual({ source: 'player' });

    const m = await metrics();
    expect(m.overall.funnel).toEqual({ delivered: 1, opened: 0, machineOpened: 0, viewed: 1, played: 1, completed: 1, clicked: 1, shared: 0, completionRate: 1, clickThroughRate: 1 });
    expect(m.timeToFirstResponse.samples).toBe(1);
    expect(m.overall.botEvents).toBe(0);
    expect(errors).toEqual([]);
    // Nothing about the token or the recipient reached the API's log lines for /v1/events.
    expect(api.output()).not.toContain(new URL(pageUrl).pathname.slice(3, 40));
  }, 90_000);
});
