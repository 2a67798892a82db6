import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX, queueNames } from '../../../src/queue/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { openLiveToken, parseLiveKeyring } from '../../../src/live/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';
import { tokenOf } from '../../helpers/live-farm.js';

/**
 * Issue 18 item 2 (sticky links) through the real API and a real Redis, no
 * render worker: what a sticky link's page shows and refuses. The rendered
 * MP4 of each version is checked in test/e2e/sticky-links.test.ts.
 */

const API_KEY = 'sticky-key';
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-sticky-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
    // The webhook endpoint of the refresh test listens nowhere: only the queued messages are checked.
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  api = await startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

const profile = (first: string, points: number) => ({
  name: { first },
  loyalty: { tier: 'Silver', nextTier: 'Gold', points: String(points), pointsToNextTier: 800, memberSince: 2020 },
});

async function stickyLink(recipientId: string, channel = 'web', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/v1/live-links', { templateId: 'loyalty-tier', channels: [channel], recipientId, campaignId: 'spine', ...extra });
  expect(res.status).toBe(201);
  return (JSON.parse(res.text) as { links: { url: string }[] }).links[0]!.url;
}

/** The landing page's data block: the props it plays and the asset URLs it names. */
async function page(url: string) {
  const res = await call('GET', url);
  const data = /<script type="application\/json" id="mc-landing-data">([\s\S]*?)<\/script>/.exec(res.text);
  return {
    status: res.status,
    code: res.status >= 400 ? (JSON.parse(res.text) as { code: string }).code : undefined,
    version: res.headers.get('x-mastercut-profile-version'),
    data: data ? (JSON.parse(data[1]!) as { props: Record<string, unknown>; videoUrl: string; posterUrl: string; statusUrl: string }) : undefined,
  };
}

describe('sticky links', () => {
  it('carry no props; each open shows the current profile, and the page pins its assets to the version it shows', async () => {
    expect((await call('PUT', '/v1/recipients/ada', profile('Ada', 1200))).status).toBe(200);
    const url = await stickyLink('ada');
    const payload = openLiveToken(parseLiveKeyring({ keys: TEST_LIVE_KEYS }), tokenOf(url));
    expect(payload).toMatchObject({ templateId: 'loyalty-tier', recipientId: 'ada', campaignId: 'spine' });
    expect(payload.props).toBeUndefined();
    expect(url).not.toContain('Ada');

    const v1 = await page(url);
    expect(v1.status).toBe(200);
    expect(v1.version).toBe('1');
    // Mapped through profileMapping, the CSV-style "1200" read as the number the schema wants.
    expect(v1.data!.props).toMatchObject({ firstName: 'Ada', points: 1200, currentTier: 'Silver' });
    const pinned = v1.data!.videoUrl;
    expect(pinned).toMatch(new RegExp(`^${url}/p/[A-Za-z0-9_-]{22}/video\\.mp4$`));
    expect(v1.data!.posterUrl).toBe(pinned.replace('video.mp4', 'poster.jpg'));

    expect((await call('PATCH', '/v1/recipients/ada', { name: { first: 'Adeline' }, loyalty: { points: 1300 } })).status).toBe(200);
    // The link is the same; the open after the change shows version 2 (within the resolver's short memo).
    await expect.poll(async () => (await page(url)).version, { timeout: 30_000, interval: 250 }).toBe('2');
    const v2 = await page(url);
    expect(v2.data!.props).toMatchObject({ firstName: 'Adeline', points: 1300 });
    expect(v2.data!.videoUrl).not.toBe(pinned);

    // The first page's pinned URLs still name version 1 (its status answers through the pin).
    const oldStatus = await call('GET', pinned.replace('video.mp4', 'status'));
    expect(oldStatus.status).toBe(200);
    // An open pixel of the old page records the version it showed (no worker here: the poster never comes, the event does).
    const left = new AbortController();
    void fetch(`${api.url}${v1.data!.posterUrl}`, { signal: left.signal }).catch(() => undefined);
    const events = new Redis(redis.url);
    try {
      const impressions = async () =>
        ((await events.xrange('{mastercut}:events', '-', '+')) as [string, string[]][])
          .map(([, fields]) => JSON.parse(fields[1]!) as { type: string; recipientId: string; meta: Record<string, unknown> })
          .filter((e) => e.type === 'impression' && e.recipientId === 'ada');
      await expect.poll(async () => (await impressions()).map((e) => e.meta.profileVersion), { timeout: 30_000, interval: 250 }).toEqual([1]);
    } finally {
      left.abort();
      events.disconnect();
    }
    // Another recipient's pin never opens under this link: pins are owned by their recipient.
    await call('PUT', '/v1/recipients/bea', profile('Bea', 5));
    const bea = await page(await stickyLink('bea'));
    const beaPin = /\/p\/([A-Za-z0-9_-]{22})\//.exec(bea.data!.videoUrl)![1]!;
    const stolen = await call('GET', `${url}/p/${beaPin}/status`);
    expect(stolen.status).toBe(404);
    expect(JSON.parse(stolen.text).code).toBe('PROFILE_VERSION_GONE');
  });

  it('never renders defaults for a real recipient: no profile is 404, an incomplete one 409 naming the fields', async () => {
    const missing = await page(await stickyLink('nobody-yet'));
    expect(missing.status).toBe(404);
    expect(missing.code).toBe('RECIPIENT_PROFILE_MISSING');
    const res = await call('GET', `${await stickyLink('nobody-yet')}/video.mp4`);
    expect(res.status).toBe(404);

    await call('PUT', '/v1/recipients/half', { name: { first: 'Half' }, loyalty: { tier: 'Silver' } });
    const incomplete = await call('GET', await stickyLink('half'));
    expect(incomplete.status).toBe(409);
    const body = JSON.parse(incomplete.text) as { code: string; issues: { path: string; message: string }[] };
    expect(body.code).toBe('PROFILE_INCOMPLETE');
    expect(body.issues.map((i) => i.path)).toEqual(['nextTier', 'points', 'pointsToNextTier', 'memberSince']);
    expect(incomplete.text).not.toContain('Half');

    // Once the profile exists, the same link opens.
    await call('PUT', '/v1/recipients/nobody-yet', profile('Late', 1));
    const late = await stickyLink('nobody-yet');
    await expect.poll(async () => (await page(late)).status, { timeout: 30_000, interval: 250 }).toBe(200);
  });

  it('refuses a sticky link for a template that maps no profile, or a recipient id profiles cannot have', async () => {
    const unmapped = await call('POST', '/v1/live-links', { templateId: 'welcome-clip', channels: ['web'], recipientId: 'ada' });
    expect(unmapped.status).toBe(400);
    expect(unmapped.text).toContain('profileMapping');
    const badId = await call('POST', '/v1/live-links', { templateId: 'loyalty-tier', channels: ['web'], recipientId: 'ada@example.com' });
    expect(badId.status).toBe(400);
  });

  it('refresh never keeps what the first open showed; on-update re-renders at campaign priority as soon as the profile changes', async () => {
    await call('PUT', '/v1/recipients/modes', profile('Mona', 10));
    const never = await stickyLink('modes', 'web', { refresh: 'never' });
    const onUpdate = await stickyLink('modes', 'web', { refresh: 'on-update', campaignId: 'spine-u' });
    const onOpen = await stickyLink('modes');
    expect((await page(never)).data!.props).toMatchObject({ firstName: 'Mona' });
    expect((await page(onOpen)).version).toBe('1');
    const hook = await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/spine', events: ['recipient.updated', 'render.refreshed'] });
    expect(hook.status).toBe(201);
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueNames.render, { connection, prefix: QUEUE_PREFIX });
    const webhooks = new Queue(queueNames.webhooks, { connection, prefix: QUEUE_PREFIX });
    const spineEvents = async () =>
      (await webhooks.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']))
        .flatMap((j) => (j?.data?.events ?? []) as { type: string; recipientId: string; campaignId?: string; meta: Record<string, unknown> }[])
        .filter((e) => e.recipientId === 'modes')
        .map((e) => ({ type: e.type, campaignId: e.campaignId, version: e.meta.version }))
        .sort((a, b) => a.type.localeCompare(b.type));
    try {
      const campaignJobs = async () =>
        (await queue.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']))
          .filter((j) => j?.data?.campaignId === 'spine-u' && j.data.priorityClass === 'campaign')
          .map((j) => (j.data.props as { firstName: string }).firstName);
      expect(await campaignJobs()).toEqual([]);
      expect((await call('PATCH', '/v1/recipients/modes', { name: { first: 'Moana' } })).status).toBe(200);
      // At once, without any open: the on-update link's new master is queued at campaign priority.
      await expect.poll(campaignJobs, { timeout: 30_000, interval: 250 }).toEqual(['Moana']);
      // The webhook endpoint gets both data-spine events (queued for the webhooks worker).
      await expect.poll(spineEvents, { timeout: 30_000, interval: 250 }).toEqual([
        { type: 'recipient.updated', campaignId: undefined, version: 2 },
        { type: 'render.refreshed', campaignId: 'spine-u', version: 2 },
      ]);
    } finally {
      await webhooks.close();
      await queue.close();
      connection.disconnect();
    }
    await expect.poll(async () => (await page(onOpen)).version, { timeout: 30_000, interval: 250 }).toBe('2');
    expect((await page(onUpdate)).data!.props).toMatchObject({ firstName: 'Moana' });
    // The never link was opened first, so its memo is older than the on-open link's: this is a fresh open.
    const kept = await page(never);
    expect(kept.version).toBe('1');
    expect(kept.data!.props).toMatchObject({ firstName: 'Mona' });
    // refresh is for sticky links only.
    const sealed = await call('POST', '/v1/live-links', { templateId: 'loyalty-tier', channels: ['web'], props: { firstName: 'A', currentTier: 'Silver', nextTier: 'Gold', points: 1, pointsToNextTier: 1, memberSince: 2020 }, refresh: 'never' });
    expect(sealed.status).toBe(400);
  });

  it('answers 410 once the recipient is erased (profile, pins and link)', async () => {
    await call('PUT', '/v1/recipients/gone', profile('Gone', 3));
    const url = await stickyLink('gone');
    const before = await page(url);
    expect(before.status).toBe(200);
    const erased = await call('DELETE', '/v1/subjects/gone');
    expect(erased.status).toBe(200);
    expect(JSON.parse(erased.text).counts).toMatchObject({ profiles: 1 });
    expect((await call('GET', url)).status).toBe(410);
    expect((await call('GET', before.data!.videoUrl)).status).toBe(410);
    expect((await call('GET', '/v1/recipients/gone')).status).toBe(404);
  });
});
