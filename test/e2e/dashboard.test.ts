import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignKeys } from '../../src/campaigns/index.js';
import type { CampaignMetrics } from '../../src/engagement/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { repoRoot } from '../helpers/render-engine.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';
import { dashboardEvents } from '../integration/dashboard/dashboard-harness.js';

const ARTIFACTS = path.join(repoRoot, 'test-artifacts');
const KEY = 'dashboard-e2e-key-0123456789';

let redisServer: EmbeddedRedis;
let redis: Redis;
let storeRoot: string;
let api: (WorkerChild & { url: string }) | undefined;
let browser: Browser;

const call = (pathname: string, init: RequestInit = {}) =>
  fetch(`${api!.url}${pathname}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...(init.headers as Record<string, string>) } });

async function postEvents(events: unknown[]): Promise<void> {
  const res = await call('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
  const body = (await res.json()) as { rejected: unknown[] };
  expect(res.status).toBe(202);
  expect(body.rejected).toEqual([]);
}

// How the dashboard must write each figure, restated here from its spec
// (not imported from the client) so the page is checked against the API.
function expectedText(value: unknown, format: string): string {
  if (value === null || value === undefined) return '—';
  const n = value as number;
  if (format === 'rate') return `${(n * 100).toFixed(1)}%`;
  if (format === 'money') return n.toFixed(2);
  if (format === 'lift') return `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`;
  if (format === 'duration') {
    if (n < 1000) return `${Math.round(n)} ms`;
    if (n < 60_000) return `${(n / 1000).toFixed(1)} s`;
    if (n < 3_600_000) return `${(n / 60_000).toFixed(1)} min`;
    return `${(n / 3_600_000).toFixed(1)} h`;
  }
  expect(format).toBe('count');
  return String(n);
}

function lookup(root: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((value, key) => (value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[key]), root);
}

/** Every `[data-metric]` on the page that differs from the API's own answers (empty when they agree), and the paths seen. */
async function pageAgainstApi(page: Page, campaignId: string): Promise<{ mismatches: string[]; paths: string[] }> {
  const metrics = (await (await call(`/v1/campaigns/${campaignId}/metrics`)).json()) as CampaignMetrics;
  const status = await (await call(`/v1/campaigns/${campaignId}`)).json();
  const shown = await page.$$eval('[data-metric]', (els) => els.map((e) => ({ path: e.getAttribute('data-metric')!, format: e.getAttribute('data-format')!, text: e.textContent!.trim() })));
  const truth = { metrics, status, webhookFailures: { items: [] } };
  const mismatches: string[] = [];
  for (const { path: metricPath, format, text } of shown) {
    const value = lookup(truth, metricPath);
    if (value === undefined) mismatches.push(`${metricPath} is not a figure of the API's answer`);
    else if (text !== expectedText(value, format)) mismatches.push(`${metricPath}: page ${text}, API ${expectedText(value, format)}`);
  }
  return { mismatches, paths: shown.map((s) => s.path) };
}

/**
 * Waits until the page shows exactly the API's figures, and returns the
 * paths seen. The page refreshes on its own, and one refresh may have read
 * the counters while events were still being posted (its conversions
 * already final, its funnel not yet), so the page is given the next
 * refreshes to agree; a figure it never gets right still fails.
 */
async function expectPageEqualsApi(page: Page, campaignId: string): Promise<string[]> {
  let last: { mismatches: string[]; paths: string[] } = { mismatches: [], paths: [] };
  await expect
    .poll(async () => (last = await pageAgainstApi(page, campaignId)).mismatches, { timeout: 15_000, interval: 250 })
    .toEqual([]);
  return last.paths;
}

/**
 * 2,900 recipients of the campaign reached by email: 1,200 then engaged
 * on email and the web, 1,200 on one of them, 500 never; a fifth to a
 * third convert (EUR), a handful in USD. Posted through the API in
 * batches. Returns the number of orders.
 */
async function postPopulation(campaignId: string, t0: number): Promise<number> {
  let state = 20_261_206;
  const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  const events: Record<string, unknown>[] = [];
  let orders = 0;
  for (let i = 0; i < 2900; i++) {
    const recipientId = `p${String(i).padStart(4, '0')}`;
    const base = { campaignId, recipientId, templateId: 'loyalty-tier' };
    const channels = i < 1200 ? ['email', 'web'] : i < 2400 ? [i % 2 ? 'email' : 'web'] : [];
    events.push({ ...base, id: `pop-${recipientId}-d`, type: 'delivered', channel: 'email', ts: t0 });
    channels.forEach((channel, k) => events.push({ ...base, id: `pop-${recipientId}-v${k}`, type: 'page_view', channel, ts: t0 + (10 + k) * 60_000 }));
    const p = i < 1200 ? 0.3 : i < 2400 ? 0.22 : 0.1;
    if (random() < p) {
      orders++;
      events.push({ ...base, type: 'conversion', orderId: `ord-${recipientId}`, value: Math.round(-Math.log(1 - random()) * (i < 1200 ? 85 : i < 2400 ? 80 : 70) * 100) / 100, currency: 'EUR', ts: t0 + 30 * 60_000 });
    }
    if (i % 331 === 0) {
      orders++;
      events.push({ ...base, type: 'conversion', orderId: `usd-${recipientId}`, value: 25, currency: 'USD', ts: t0 + 40 * 60_000 });
    }
  }
  for (let i = 0; i < events.length; i += 200) await postEvents(events.slice(i, i + 200));
  return orders;
}

/** Share of a canvas's pixels that are painted (not transparent). */
const paintedShare = (page: Page, id: string) =>
  page.$eval(`#${id}`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
    return c.width * c.height > 0 ? painted / (c.width * c.height) : 0;
  });

beforeAll(async () => {
  redisServer = await startTestRedis();
  redis = new Redis(redisServer.url);
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-dashboard-e2e-'));
  api = await startApiProcess({
    redisUrl: redisServer.url,
    storeRoot,
    env: { API_KEYS: KEY, DASHBOARD_REFRESH_MS: '1000', METRICS_PORT: '0' },
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (api) await stopFarmProcesses([api]);
  redis?.disconnect();
  await redisServer?.destroy();
  await rm(storeRoot, { recursive: true, force: true });
});

describe('campaign dashboard in Chromium', () => {
  it('logs in through the form, draws every chart from real data, shows the API numbers, refreshes while rendering and stops when done', async () => {
    // A real campaign (no render worker: it stays "rendering") and real events through the ingestion API.
    const created = await call('/v1/campaigns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        templateId: 'loyalty-tier',
        channels: ['email', 'web', 'sms'],
        mode: 'prerender',
        recipients: ['r01', 'r02', 'r03', 'r04', 'r05', 'r06'].map((recipientId, i) => ({
          recipientId,
          firstName: `Name${i}`,
          currentTier: 'Silver',
          nextTier: 'Gold',
          points: 100 * (i + 1),
          pointsToNextTier: 900,
          memberSince: 2015 + i,
        })),
      }),
    });
    expect(created.status).toBe(202);
    const campaignId = ((await created.json()) as { id: string }).id;
    const t0 = Date.now() - 3_600_000;
    await postEvents(dashboardEvents(campaignId, t0));

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    const cspViolations: string[] = [];
    const collectCsp = async () => cspViolations.push(...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.splice(0))));

    // Not logged in: the dashboard sends the browser to the form, which brings it back.
    const dashboardUrl = `${api!.url}/dashboard/campaigns/${campaignId}`;
    await page.goto(dashboardUrl);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await collectCsp();
    await page.fill('#apiKey', KEY);
    await Promise.all([page.waitForURL(dashboardUrl), page.click('button[type=submit]')]);
    const cookies = await context.cookies();
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }))).toEqual([
      { name: 'mc_dashboard', httpOnly: true, sameSite: 'Strict', path: '/dashboard' },
    ]);
    await page.waitForSelector('html[data-ready="true"]');

    for (const id of ['mc-funnel-chart', 'mc-channel-chart', 'mc-ttfr-chart']) {
      await page.waitForFunction((canvasId) => (document.getElementById(canvasId) as HTMLCanvasElement).width > 0, id);
      expect(await paintedShare(page, id), id).toBeGreaterThan(0.01);
    }
    const paths = await expectPageEqualsApi(page, campaignId);
    const required = [
      'status.progress',
      'status.counts.renders',
      'metrics.overall.funnel.delivered',
      'metrics.overall.funnel.shared',
      'metrics.overall.funnel.completionRate',
      'metrics.overall.funnel.clickThroughRate',
      'metrics.overall.botEvents',
      ...['email', 'web', 'sms'].flatMap((c) => ['delivered', 'opened', 'viewed', 'played', 'completed', 'clicked', 'shared'].map((s) => `metrics.channels.${c}.funnel.${s}`)),
      'metrics.crossChannel.rate',
      'metrics.crossChannel.engagedRecipients',
      'metrics.crossChannel.multiChannelRecipients',
      'metrics.timeToFirstResponse.samples',
      'metrics.timeToFirstResponse.p50Ms',
      'metrics.timeToFirstResponse.p90Ms',
      'metrics.timeToFirstResponse.histogram.0.count',
      'metrics.consistency.score',
      'metrics.consistency.driftedTotal',
      'webhookFailures.items.length',
    ];
    for (const p of required) expect(paths, p).toContain(p);
    expect(await page.$$eval('[data-drifted]', (els) => els.map((e) => e.textContent))).toEqual(['r03']);
    expect(await page.textContent('#mc-state')).toBe('rendering');
    expect(await page.textContent('#mc-updated')).toMatch(/^updated \d+s ago$/);

    // New events while the campaign renders: the page picks them up by itself.
    const viewedBefore = Number(await page.textContent('[data-metric="metrics.overall.funnel.viewed"]'));
    await postEvents([
      { id: `late-${campaignId.slice(4)}-1`, type: 'page_view', campaignId, recipientId: 'r06', channel: 'web', templateId: 'loyalty-tier', ts: t0 + 50 * 60_000, meta: {} },
    ]);
    await page.waitForFunction(
      (want) => document.querySelector('[data-metric="metrics.overall.funnel.viewed"]')?.textContent === want,
      String(viewedBefore + 1),
      { timeout: 15_000 },
    );
    await expectPageEqualsApi(page, campaignId);

    // Downstream value: a population's conversions in two currencies fill the LTV panel.
    const orders = await postPopulation(campaignId, t0);
    await page.waitForFunction((want) => document.querySelector('[data-metric="metrics.conversions.total"]')?.textContent === want, String(orders), { timeout: 20_000 });
    const ltvPaths = await expectPageEqualsApi(page, campaignId);
    for (const p of ['multiChannel', 'singleChannel', 'neverEngaged'].flatMap((c) => ['recipients', 'converters', 'conversionRate', 'revenue', 'meanPerRecipient', 'ci95.low', 'ci95.high'].map((f) => `metrics.ltv.currencies.EUR.cohorts.${c}.${f}`))) {
      expect(ltvPaths, p).toContain(p);
    }
    for (const p of ['metrics.ltv.currencies.EUR.lift.value', 'metrics.ltv.currencies.EUR.lift.ci95.low', 'metrics.conversions.attributed', 'metrics.conversions.lastTouch.web.conversions']) expect(ltvPaths, p).toContain(p);
    expect(await paintedShare(page, 'mc-ltv-chart')).toBeGreaterThan(0.01);
    expect(await page.$$eval('[data-flag]', (els) => els.length)).toBe(0);
    await page.locator('#mc-ltv').screenshot({ path: path.join(ARTIFACTS, 'dashboard-ltv.png') });
    // The few USD orders: every cohort too small to say anything confident, flagged as such, with no interval.
    await page.selectOption('#mc-ltv-currency', 'USD');
    expect(await page.$$eval('[data-flag]', (els) => els.map((e) => e.getAttribute('data-flag')))).toEqual(['multiChannel', 'singleChannel', 'neverEngaged']);
    await expectPageEqualsApi(page, campaignId);
    const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), await page.getAttribute('#mc-ltv-csv', 'href'));
    expect(csv.split('\r\n')[0]).toMatch(/^campaign_id,window_days,currency,cohort/);
    await page.selectOption('#mc-ltv-currency', 'EUR');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect((await stat(path.join(ARTIFACTS, 'dashboard.png'))).size).toBeGreaterThan(10_000);

    // The session goes away (logged out in another tab): the next refresh stops and offers the form, which brings the page back.
    await context.clearCookies();
    await page.waitForSelector('html[data-stopped="unauthorized"]', { timeout: 15_000 });
    const unauthorized = consoleErrors.splice(0);
    // The browser itself logs the refused fetch; nothing else may have gone wrong.
    expect(unauthorized.length).toBeLessThanOrEqual(1);
    for (const line of unauthorized) expect(line).toMatch(/status of 401/);
    expect(await page.textContent('#mc-notice')).toBe('Your session has ended. Log in again');
    await Promise.all([page.waitForURL(/\/dashboard\/login\?next=/), page.click('#mc-notice a')]);
    await page.fill('#apiKey', KEY);
    await Promise.all([page.waitForURL(dashboardUrl), page.click('button[type=submit]')]);
    await page.waitForSelector('html[data-ready="true"]');
    await collectCsp();

    // Done (the way the campaign hooks finish a campaign): the page says so and stops polling.
    await redis.hset(campaignKeys(campaignId).meta, { state: 'done', finishedAt: String(Date.now()) });
    await page.waitForSelector('html[data-finished="true"]', { timeout: 15_000 });
    expect(await page.textContent('#mc-state')).toBe('done');
    const dataRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/data')) dataRequests.push(r.url());
    });
    await page.waitForTimeout(3_000); // three refresh periods
    expect(dataRequests).toEqual([]);

    await collectCsp();
    expect(cspViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
