import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { campaignMetricsSchema, createEventIngest, engagementKeys, EVENTS_STREAM_KEY, type CampaignMetrics } from '../../../src/engagement/index.js';
import { createProfileStore } from '../../../src/recipients/index.js';
import { redisKeys } from '../../../src/redis/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';
import { tokenOf } from '../../helpers/live-farm.js';

/**
 * Issue 18 item 4 ("Measure it") through the real API and a real Redis:
 * events record the profile version they showed (a landing page's beacons
 * only the version its pin keeps), the profile store keeps each
 * recipient's version history, and the campaign metrics compare the two:
 * version consistency and data latency per channel. Times are injected
 * (the profile store's clock, the events' ts), never waited for.
 */

const API_KEY = 'versions-key';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
let server: EmbeddedRedis;
let redis: Redis;
let dir: string;
let api: ApiServer;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-versions-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: server.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
  });
  api = await startApiServer(config, { port: 0, host: '127.0.0.1', fastPath: false, logger: pino({ level: 'silent' }) });
}, 60_000);

afterAll(async () => {
  await api?.close();
  redis?.disconnect();
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { 'user-agent': CHROME, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function metricsOf(campaignId: string): Promise<CampaignMetrics> {
  const res = await call('GET', `/v1/campaigns/${campaignId}/metrics`);
  expect(res.status).toBe(200);
  return campaignMetricsSchema.parse(JSON.parse(res.text));
}

const profile = (first: string, points: number) => ({
  name: { first },
  loyalty: { tier: 'Silver', nextTier: 'Gold', points: String(points), pointsToNextTier: 800, memberSince: 2020 },
});

/** Stored events of one recipient (the stream holds every accepted event). */
async function storedEvents(recipientId: string) {
  return ((await redis.xrange(EVENTS_STREAM_KEY, '-', '+')) as [string, string[]][])
    .map(([, fields]) => JSON.parse(fields[1]!) as { type: string; recipientId: string; meta: Record<string, unknown> })
    .filter((e) => e.recipientId === recipientId);
}

describe('profile version metrics', () => {
  it('scores each shown version against the version current at that moment, and measures each channel latency to an update', async () => {
    const campaignId = 'cmp-versions';
    // The profile store's clock is injected: v1 an hour ago, v2 50 minutes ago.
    const t0 = Date.now() - 3_600_000;
    let clock = t0;
    const store = createProfileStore(redis, { maxBytes: 16 * 1024, now: () => new Date(clock) });
    expect((await store.put('vera', profile('Vera', 100))).version).toBe(1);

    const shown = (id: string, channel: string, version: number, at: number) => ({
      id: `shown-event-${id}`,
      type: 'page_view',
      campaignId,
      recipientId: 'vera',
      channel,
      templateId: 'loyalty-tier',
      ts: at,
      meta: { profileVersion: version },
    });
    const post = async (events: unknown[]) => {
      const res = await call('POST', '/v1/events', { events });
      expect(res.status).toBe(202);
      expect(JSON.parse(res.text)).toMatchObject({ accepted: events.length, rejected: [] });
    };
    // Both channels show v1 while it is current; one event predates the kept history (not judged).
    await post([shown('e1', 'email', 1, t0 + 60_000), shown('s1', 'sms', 1, t0 + 120_000), shown('e2', 'email', 1, t0 + 300_000), shown('s0', 'sms', 1, t0 - 1_000)]);

    clock = t0 + 600_000;
    const v2 = await store.patch('vera', { loyalty: { points: '200' } });
    expect(v2).toMatchObject({ version: 2, updatedAt: new Date(t0 + 600_000).toISOString() });
    expect(await store.history('vera')).toEqual([
      { version: 1, updatedAt: new Date(t0).toISOString() },
      { version: 2, updatedAt: new Date(t0 + 600_000).toISOString() },
    ]);

    // Email shows v2 45 s after the update (and again later); SMS still shows v1 after it.
    await post([shown('e3', 'email', 2, t0 + 645_000), shown('e4', 'email', 2, t0 + 700_000), shown('s2', 'sms', 1, t0 + 900_000)]);

    const m = await metricsOf(campaignId);
    expect(m.versionConsistency).toEqual({
      eventsCompared: 6,
      consistent: 5,
      score: 5 / 6,
      channels: {
        email: { eventsCompared: 4, consistent: 4, score: 1 },
        sms: { eventsCompared: 2, consistent: 1, score: 0.5 },
      },
    });
    expect(m.versionConsistency.score!).toBeLessThan(1);
    // SMS never showed v2: no sample for it.
    expect(m.dataLatency).toEqual({ email: { samples: 1, p50Ms: 45_000, p90Ms: 45_000 } });
    // The props-hash score between channels is still there (no delivered events with a props hash here).
    expect(m.consistency.recipientsCompared).toBe(0);
  });

  it('records on beacons only the version their page pin keeps, and an erasure removes the history and what was shown', async () => {
    const campaignId = 'cmp-beacons';
    expect((await call('PUT', '/v1/recipients/bea', profile('Bea', 5))).status).toBe(200);
    expect((await call('PUT', '/v1/recipients/eve', profile('Eve', 7))).status).toBe(200);
    const link = async (recipientId: string) => {
      const res = await call('POST', '/v1/live-links', { templateId: 'loyalty-tier', channels: ['web'], recipientId, campaignId });
      expect(res.status).toBe(201);
      return (JSON.parse(res.text) as { links: { url: string }[] }).links[0]!.url;
    };
    const pageData = async (url: string) => {
      const res = await call('GET', url);
      expect(res.status).toBe(200);
      const data = JSON.parse(/<script type="application\/json" id="mc-landing-data">([\s\S]*?)<\/script>/.exec(res.text)![1]!) as { eventsToken: string; eventsPin: string };
      return { version: res.headers.get('x-mastercut-profile-version'), ...data };
    };
    const beaUrl = await link('bea');
    const first = await pageData(beaUrl);
    expect(first.version).toBe('1');
    expect(first.eventsToken).toBe(tokenOf(beaUrl));
    expect(first.eventsPin).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const evePin = (await pageData(await link('eve'))).eventsPin;

    expect((await call('PATCH', '/v1/recipients/bea', { loyalty: { points: '6' } })).status).toBe(200);
    // The resolver memoises an open briefly: poll until a fresh page shows v2.
    await expect.poll(async () => (await pageData(beaUrl)).version, { timeout: 30_000, interval: 250 }).toBe('2');
    const second = await pageData(beaUrl);
    expect(second.eventsPin).not.toBe(first.eventsPin);

    // Beacons as the page sends them (text/plain, no API key). Each claims a version of its own: never believed.
    const beacon = async (id: string, type: string, pin?: string) => {
      const res = await call('POST', '/v1/events', { token: first.eventsToken, ...(pin ? { pin } : {}), id, type, meta: { profileVersion: 99 } }, { 'content-type': 'text/plain' });
      expect(res.status).toBe(202);
      expect(JSON.parse(res.text)).toMatchObject({ accepted: 1 });
    };
    await beacon('beacon-old-page-play', 'play', first.eventsPin);
    await beacon('beacon-new-page-view', 'page_view', second.eventsPin);
    await beacon('beacon-no-pin-share', 'share');
    await beacon('beacon-eve-pin-play', 'progress_25', evePin);
    await beacon('beacon-made-up-pin', 'progress_50', 'AAAAAAAAAAAAAAAAAAAAAA');

    const versions = Object.fromEntries((await storedEvents('bea')).map((e) => [e.type, e.meta.profileVersion]));
    expect(versions).toEqual({ play: 1, page_view: 2, share: undefined, progress_25: undefined, progress_50: undefined });

    // The old page's play showed v1 after v2 was written: not the current version; the new page's view was.
    const m = await metricsOf(campaignId);
    expect(m.versionConsistency.channels.web).toEqual({ eventsCompared: 2, consistent: 1, score: 0.5 });
    expect(m.dataLatency.web!.samples).toBe(1);
    expect(m.dataLatency.web!.p50Ms).toBeGreaterThanOrEqual(0);

    const history = redisKeys.recipientHistory('bea');
    expect(await redis.llen(history)).toBe(2);
    expect(await redis.hget(engagementKeys(campaignId).profileVersions, 'web|bea')).not.toBeNull();
    expect((await call('DELETE', '/v1/subjects/bea')).status).toBe(200);
    expect(await redis.exists(history)).toBe(0);
    expect(await redis.hget(engagementKeys(campaignId).profileVersions, 'web|bea')).toBeNull();
    expect((await metricsOf(campaignId)).versionConsistency.eventsCompared).toBe(0);
  });

  it('keeps each version earliest showing once the per-recipient list is full', async () => {
    const ingest = createEventIngest({ redis }, { perRecipientCap: 3 });
    let n = 0;
    const show = (version: number, ts: number) => ({
      id: `capped-event-${n++}`,
      type: 'play',
      campaignId: 'cmp-capped',
      recipientId: 'cap',
      channel: 'web',
      templateId: 'loyalty-tier',
      ts,
      meta: { profileVersion: version },
    });
    const stored = async () => redis.hget(engagementKeys('cmp-capped').profileVersions, 'web|cap');
    await ingest.ingest([show(1, 1000), show(1, 2000), show(1, 3000)], { trusted: true, source: 'api' });
    expect(await stored()).toBe('1,1000;1,2000;1,3000');
    // Full: a new version takes the latest entry of a version listed twice.
    await ingest.ingest([show(2, 5000)], { trusted: true, source: 'api' });
    expect(await stored()).toBe('1,1000;1,2000;2,5000');
    // An earlier showing of a listed version takes its place; a later one changes nothing.
    await ingest.ingest([show(2, 4000), show(2, 9000)], { trusted: true, source: 'api' });
    expect(await stored()).toBe('1,1000;1,2000;2,4000');
    await ingest.ingest([show(3, 6000), show(4, 8000)], { trusted: true, source: 'api' });
    // v3 took v1's later entry; v4 found no version listed twice: the earliest showings of v1..v3 stay.
    expect(await stored()).toBe('1,1000;3,6000;2,4000');
    // An event without a version (or a made-up one) records nothing.
    await ingest.ingest([{ ...show(1, 100), meta: {} }, { ...show(1, 100), meta: { profileVersion: 'x' } }, { ...show(1, 100), meta: { profileVersion: 1.5 } }], { trusted: true, source: 'api' });
    expect(await stored()).toBe('1,1000;3,6000;2,4000');
  });
});
