import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../src/campaigns/index.js';
import { sha256 } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startFarmProcess, startTranscodeProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';

/**
 * Issue 18 acceptance, end to end (API, render, transcode and webhook
 * processes, real Redis, Chromium and ffmpeg): a profile; a prerender
 * campaign for email, web and sms with sticky links, refresh on-update; the
 * web link shows version 1 (page and MP4); a PATCH; the email GIF and the
 * SMS MP4 of version 2 are cut before anyone opens a link; the same web link
 * then shows version 2 (page, poster and MP4); the CRM's receiver gets
 * recipient.updated and render.refreshed.
 */

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
const children: WorkerChild[] = [];
interface SpineEvent {
  type: string;
  recipientId: string;
  channel?: string;
  campaignId?: string;
  meta: { version: number; renderKey?: string };
}
const received: SpineEvent[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    const message = JSON.parse(body) as { type: string; events: SpineEvent[] };
    if (message.type === 'spine.batch') received.push(...message.events);
    res.writeHead(204).end();
  });
});

const call = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { authorization: 'Bearer farm-key', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
};

/** What a landing page shows: its profile version, props and the (pinned) asset URLs it names. */
async function openPage(url: string) {
  const res = await call('GET', url);
  expect(res.status).toBe(200);
  const data = /<script type="application\/json" id="mc-landing-data">([\s\S]*?)<\/script>/.exec(res.body.toString())!;
  return {
    version: res.headers.get('x-mastercut-profile-version'),
    ...(JSON.parse(data[1]!) as { props: Record<string, unknown>; videoUrl: string; posterUrl?: string }),
  };
}

/** A stored file at a URL once there (a cold request streams; the stored file is what is compared). */
async function stored(url: string, timeoutMs = 300_000): Promise<{ body: Buffer; version: string | null }> {
  let got: { body: Buffer; version: string | null } | undefined;
  await expect
    .poll(
      async () => {
        const res = await call('GET', url);
        if (res.status !== 200 || res.headers.get('x-mastercut-stream') === 'live') return false;
        got = { body: res.body, version: res.headers.get('x-mastercut-profile-version') };
        return true;
      },
      { timeout: timeoutMs, interval: 1_000 },
    )
    .toBe(true);
  return got!;
}

const deliverableFiles = async () => (await readdir(path.join(dir, 'storage/deliverables')).catch(() => [])).length;
const renderStarts = () => children[1]!.output().match(/"msg":"render started"/g)?.length ?? 0;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-sticky-campaign-e2e-'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // A loopback plain-http receiver: allowed for this test only.
  const env = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' };
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), args: ['--eviction-check', 'warn'], env };
  api = await startApiProcess({ ...common, args: [] });
  children.push(api, startWorkerProcess(common), startTranscodeProcess(common), startFarmProcess('workers/webhooks.ts', common));
  await Promise.all(children.slice(1).map((c) => untilReady(c)));
}, 180_000);

afterAll(async () => {
  await stopFarmProcesses(children);
  receiver.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('a sticky prerender campaign against a farm (issue 18 acceptance)', () => {
  it('shows version 1, re-cuts every channel on a PATCH before any open, then the same link shows version 2', async () => {
    const hook = await call('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm`,
      events: ['recipient.updated', 'render.refreshed'],
    });
    expect(hook.status, hook.body.toString()).toBe(201);
    const loyalty = { tier: 'Silver', nextTier: 'Gold', points: 1200, pointsToNextTier: 800, memberSince: 2020 };
    expect((await call('PUT', '/v1/recipients/spine-ada', { name: { first: 'Ada' }, loyalty })).status).toBe(200);

    const created = await call('POST', '/v1/campaigns', {
      templateId: 'loyalty-tier',
      channels: 'email,web,sms',
      links: 'sticky',
      refresh: 'on-update',
      recipients: [{ recipientId: 'spine-ada' }],
    });
    expect(created.status, created.body.toString()).toBe(202);
    const { id } = JSON.parse(created.body.toString()) as CampaignStatus;
    const status = async () => JSON.parse((await call('GET', `/v1/campaigns/${id}`)).body.toString()) as CampaignStatus;
    // Done means every channel's deliverables are cut.
    await expect.poll(async () => (await status()).state, { timeout: 400_000, interval: 1_000 }).toBe('done');
    expect((await status()).counts).toMatchObject({ valid: 1, renders: 2, rendered: 2, failed: 0 });
    const cutForV1 = await deliverableFiles();
    expect(cutForV1).toBeGreaterThan(0);

    const [header, row] = (await call('GET', `/v1/campaigns/${id}/manifest`)).body.toString().trim().split('\n');
    const cell = Object.fromEntries(row!.split(',').map((value, i) => [header!.split(',')[i]!, value]));
    const webLink = cell.web_url!;

    // Version 1 in the page and in the MP4, served from what the campaign rendered (no new render).
    const startsBeforeOpen = renderStarts();
    const v1 = await openPage(webLink);
    expect(v1.version).toBe('1');
    expect(v1.props).toMatchObject({ firstName: 'Ada', points: 1200 });
    const v1Video = await stored(`${webLink}/video.mp4`);
    expect(v1Video.version).toBe('1');
    expect(renderStarts()).toBe(startsBeforeOpen);

    // The PATCH: recipient.updated, then each channel's master re-rendered and its deliverables re-cut, with no open.
    expect((await call('PATCH', '/v1/recipients/spine-ada', { name: { first: 'Adeline' }, loyalty: { points: 1300 } })).status).toBe(200);
    await expect
      .poll(() => received.filter((e) => e.recipientId === 'spine-ada' && e.meta.version === 2).map((e) => `${e.type}:${e.channel ?? ''}:${e.campaignId ?? ''}`).sort(), {
        timeout: 120_000,
        interval: 500,
      })
      .toEqual(['recipient.updated::', `render.refreshed:email:${id}`, `render.refreshed:sms:${id}`, `render.refreshed:web:${id}`]);
    // Every deliverable of version 2 (email poster and GIF, web poster, SMS MP4...) is cut from the new masters before anyone asks.
    await expect.poll(deliverableFiles, { timeout: 400_000, interval: 1_000 }).toBe(2 * cutForV1);
    const startsBeforeV2 = renderStarts();

    // The email GIF and the SMS MP4 of version 2: served at once from the store (cut before this open).
    const gif = await call('GET', `${cell.email_url}/preview.gif`);
    expect(gif.status).toBe(200);
    expect(gif.headers.get('content-type')).toBe('image/gif');
    expect(gif.headers.get('x-mastercut-profile-version')).toBe('2');
    const sms = await call('GET', `${cell.sms_url}/video.mp4`);
    expect(sms.status).toBe(200);
    expect(sms.headers.get('x-mastercut-stream')).toBeNull();
    expect(sms.headers.get('x-mastercut-profile-version')).toBe('2');

    // The same web link: version 2 in the page, the poster and the MP4 (within the resolver's short memo).
    await expect.poll(async () => (await openPage(webLink)).version, { timeout: 60_000, interval: 250 }).toBe('2');
    const v2 = await openPage(webLink);
    expect(v2.props).toMatchObject({ firstName: 'Adeline', points: 1300 });
    const v2Video = await stored(`${webLink}/video.mp4`, 60_000);
    expect(v2Video.version).toBe('2');
    expect(sha256(v2Video.body)).not.toBe(sha256(v1Video.body));
    const poster = await stored(`${webLink}/poster.jpg`, 60_000);
    expect(poster.version).toBe('2');
    // Nothing rendered on these opens: on-update made it all before.
    expect(renderStarts()).toBe(startsBeforeV2);
    // The first page's pinned MP4 still shows version 1.
    expect(sha256((await stored(v1.videoUrl, 60_000)).body)).toBe(sha256(v1Video.body));
  }, 900_000);
});
