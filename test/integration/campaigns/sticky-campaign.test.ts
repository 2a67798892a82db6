import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../src/api/main.js';
import type { CampaignStatus } from '../../../src/campaigns/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { openLiveToken, parseLiveKeyring, parseSubjectMembers, subjectHash } from '../../../src/live/index.js';
import { QUEUE_PREFIX, queueNames } from '../../../src/queue/index.js';
import { redisKeys } from '../../../src/redis/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';
import { tokenOf } from '../../helpers/live-farm.js';

/**
 * Issue 18: campaigns with `links: sticky` through the real API and a real
 * Redis, no render worker: validation, row accounting (a recipient without a
 * profile is an invalid row, never rendered with defaults), the manifest's
 * sticky links, the masters queued from each recipient's current profile,
 * and refresh on-update re-rendering and re-cutting at campaign priority on
 * a PATCH. The rendered files are checked in test/e2e/sticky-campaign.test.ts.
 */

const API_KEY = 'sticky-campaign-key';
let redis: EmbeddedRedis;
let dir: string;
let api: ApiServer;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-sticky-campaign-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redis.url,
    API_KEYS: API_KEY,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/test',
    LIVE_KEYS: TEST_LIVE_KEYS,
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
  return { status: res.status, text: await res.text() };
}

const profile = (first: string, points: number) => ({
  name: { first },
  loyalty: { tier: 'Silver', nextTier: 'Gold', points, pointsToNextTier: 800, memberSince: 2020 },
});

async function settled(id: string): Promise<CampaignStatus> {
  let status: CampaignStatus | undefined;
  await expect
    .poll(async () => (status = JSON.parse((await call('GET', `/v1/campaigns/${id}`)).text) as CampaignStatus).state, { timeout: 60_000, interval: 200 })
    .not.toBe('ingesting');
  return status!;
}

describe('campaigns with sticky links', () => {
  it('refuses what cannot make sticky links, with a 400 that names the problem', async () => {
    const recipients = [{ recipientId: 'any' }];
    const noMapping = await call('POST', '/v1/campaigns', { templateId: 'reference', channels: 'web', links: 'sticky', recipients });
    expect(noMapping.status).toBe(400);
    expect(JSON.parse(noMapping.text).issues).toEqual([{ path: 'links', message: expect.stringContaining('profileMapping') }]);
    const sealedRefresh = await call('POST', '/v1/campaigns', { templateId: 'loyalty-tier', channels: 'web', refresh: 'on-update', recipients });
    expect(sealedRefresh.status).toBe(400);
    expect(JSON.parse(sealedRefresh.text).issues).toEqual([{ path: 'refresh', message: expect.stringContaining('sticky') }]);
    const badMode = await call('POST', '/v1/campaigns', { templateId: 'loyalty-tier', channels: 'web', links: 'sticky', refresh: 'sometimes', recipients });
    expect(badMode.status).toBe(400);
    expect(JSON.parse(badMode.text).issues[0].path).toBe('refresh');
  });

  it('renders each recipient current profile, reports recipients without a usable profile by line, and lists sticky links', async () => {
    expect((await call('PUT', '/v1/recipients/sc-ada', profile('Ada', 1200))).status).toBe(200);
    expect((await call('PUT', '/v1/recipients/sc-ada', profile('Ada', 1250))).status).toBe(200); // version 2
    expect((await call('PUT', '/v1/recipients/sc-bob', { name: { first: 'Bob' } })).status).toBe(200); // lacks loyalty.*
    const created = await call('POST', '/v1/campaigns', {
      templateId: 'loyalty-tier',
      channels: 'email,web,sms',
      links: 'sticky',
      refresh: 'on-update',
      // Rows may carry only the recipient; a column other than the id is not read in sticky mode.
      recipients: [{ recipientId: 'sc-ada', firstName: 'Ignored' }, { recipientId: 'sc-none' }, { recipientId: 'sc-bob' }],
    });
    expect(created.status, created.text).toBe(202);
    const { id } = JSON.parse(created.text) as CampaignStatus;
    const status = await settled(id);
    expect(status).toMatchObject({ links: 'sticky', refresh: 'on-update', state: 'rendering' });
    // Landscape (email, web) and portrait (sms): two masters for the one valid recipient.
    expect(status.counts).toMatchObject({ total: 3, valid: 1, invalid: 2, renders: 2 });
    const errors = JSON.parse((await call('GET', `/v1/campaigns/${id}/errors`)).text) as { errors: { line: number; reason: string; issues?: { path: string }[] }[] };
    expect(errors.errors).toEqual([
      { line: 2, reason: expect.stringContaining('no profile') },
      { line: 3, reason: expect.stringContaining('profile incomplete'), issues: expect.arrayContaining([expect.objectContaining({ path: 'points' })]) },
    ]);
    expect(errors.errors.map((e) => JSON.stringify(e)).join()).not.toContain('sc-');

    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueNames.render, { connection, prefix: QUEUE_PREFIX });
    const campaignMasters = async () =>
      (await queue.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']))
        .filter((j) => j?.data?.campaignId === id && j.data.priorityClass === 'campaign')
        .map((j) => `${j.data.variant}:${(j.data.props as { firstName: string; points: number }).points}`)
        .sort();
    try {
      // The current version's props (1250), not the row's columns.
      expect(await campaignMasters()).toEqual(['landscape:1250', 'portrait:1250']);
      const manifest = (await call('GET', `/v1/campaigns/${id}/manifest`)).text.trim().split('\n');
      expect(manifest[0]).toBe(
        ['recipientId', ...['email', 'web', 'sms'].flatMap((c) => [`${c}_url`, `${c}_video_url`, `${c}_poster_url`, `${c}_preview_url`])].join(','),
      );
      expect(manifest).toHaveLength(2);
      const cells = manifest[1]!.split(',');
      expect(cells[0]).toBe('sc-ada');
      const keyring = parseLiveKeyring({ keys: TEST_LIVE_KEYS });
      const web = openLiveToken(keyring, tokenOf(cells[5]!));
      // A sticky link: names the recipient and the campaign, carries no props.
      expect(web).toMatchObject({ templateId: 'loyalty-tier', channel: 'web', recipientId: 'sc-ada', campaignId: id, refresh: 'on-update' });
      expect(web.props).toBeUndefined();
      expect(web.propsRef).toBeUndefined();
      expect(manifest.join('\n')).not.toContain('Ada');
      // Its links are recorded for refresh, with their deliverables to re-cut.
      expect((await connection.smembers(redisKeys.stickyOnUpdate('sc-ada'))).sort()).toEqual(
        ['email', 'sms', 'web'].map((channel) => `loyalty-tier|${channel}|${id}|cut`),
      );

      // A PATCH re-renders both masters at campaign priority at once, before any open.
      expect((await call('PATCH', '/v1/recipients/sc-ada', { loyalty: { points: 1300 } })).status).toBe(200);
      await expect.poll(campaignMasters, { timeout: 30_000, interval: 250 }).toEqual(['landscape:1250', 'landscape:1300', 'portrait:1250', 'portrait:1300']);
      // The deliverables re-cut from the new masters are recorded under the recipient, so an erasure finds them.
      const recorded = parseSubjectMembers(await connection.smembers(redisKeys.subject(subjectHash('sc-ada'))));
      const newMasters = (await queue.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']))
        .filter((j) => j?.data?.campaignId === id && (j.data.props as { points: number }).points === 1300)
        .map((j) => j.id);
      expect(recorded.renderKeys).toEqual(expect.arrayContaining(newMasters));
      expect(recorded.deliverableKeys.length).toBeGreaterThanOrEqual(4); // email poster + GIF, web poster, sms MP4 at least
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('a lazy sticky campaign renders nothing and stores no props', async () => {
    expect((await call('PUT', '/v1/recipients/sc-lazy', profile('Lea', 5))).status).toBe(200);
    const created = await call('POST', '/v1/campaigns', { templateId: 'loyalty-tier', channels: 'web', mode: 'lazy', links: 'sticky', recipients: [{ recipientId: 'sc-lazy' }] });
    expect(created.status, created.text).toBe(202);
    const { id } = JSON.parse(created.text) as CampaignStatus;
    await expect.poll(async () => (await settled(id)).state, { timeout: 30_000 }).toBe('done');
    expect((await settled(id)).counts).toMatchObject({ total: 1, valid: 1, renders: 0 });
    const row = (await call('GET', `/v1/campaigns/${id}/manifest`)).text.trim().split('\n')[1]!.split(',');
    const payload = openLiveToken(parseLiveKeyring({ keys: TEST_LIVE_KEYS }), tokenOf(row[1]!));
    expect(payload).toMatchObject({ recipientId: 'sc-lazy', campaignId: id });
    expect(payload.refresh).toBeUndefined(); // on-open: the default
    expect(payload.propsRef).toBeUndefined();
  });
});
