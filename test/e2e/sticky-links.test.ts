import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/encode/index.js';
import { createLiveLinks, sha256 } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';

/**
 * Issue 18 (the data spine), end to end: a profile, one sticky web link, a
 * real render worker (Chromium + ffmpeg). The MP4 a sticky open serves is
 * compared with the MP4 of a sealed-props link carrying the mapped props
 * (same props, same render key, same file): version 1 before the PATCH,
 * version 2 after, from the same link.
 */

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
const children: WorkerChild[] = [];

const call = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: { authorization: 'Bearer farm-key', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
};

/** The props a landing page plays and the (pinned) MP4 URL it names. */
async function openPage(url: string) {
  const res = await call('GET', url);
  expect(res.status).toBe(200);
  const data = /<script type="application\/json" id="mc-landing-data">([\s\S]*?)<\/script>/.exec(res.body.toString())!;
  return { version: res.headers.get('x-mastercut-profile-version'), ...(JSON.parse(data[1]!) as { props: Record<string, unknown>; videoUrl: string }) };
}

/** The MP4 at a URL once rendered (a cold request streams; the stored file is what is compared). */
async function storedVideo(url: string): Promise<Buffer> {
  let body: Buffer | undefined;
  await expect
    .poll(
      async () => {
        const res = await call('GET', url);
        if (res.status !== 200 || res.headers.get('x-mastercut-stream') === 'live') return false;
        body = res.body;
        return true;
      },
      { timeout: 240_000, interval: 1_000 },
    )
    .toBe(true);
  return body!;
}

const loyalty = { tier: 'Silver', nextTier: 'Gold', points: 1200, pointsToNextTier: 800, memberSince: 2020 };

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-sticky-e2e-'));
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), args: ['--eviction-check', 'warn'] };
  api = await startApiProcess({ ...common, args: [] });
  children.push(api, startWorkerProcess(common));
  await untilReady(children[1]!);
}, 120_000);

afterAll(async () => {
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('a sticky link against a farm (API and render processes)', () => {
  it('shows version 1, then the new data after a PATCH, from the same link; a change to an unmapped field is a cache hit', async () => {
    expect((await call('PUT', '/v1/recipients/e2e-ada', { name: { first: 'Ada' }, loyalty, email: 'ada@example.com' })).status).toBe(200);
    const [link] = await createLiveLinks(api.url, { templateId: 'loyalty-tier', channels: ['web'], recipientId: 'e2e-ada' });

    const v1 = await openPage(link!.url);
    expect(v1.version).toBe('1');
    expect(v1.props).toMatchObject({ firstName: 'Ada', points: 1200 });
    const v1Video = await storedVideo(v1.videoUrl);
    const file = path.join(dir, 'v1.mp4');
    await writeFile(file, v1Video);
    expect((await probe(file, { countFrames: true })).video).toMatchObject({ codec: 'h264', width: 1280, height: 720, frames: 180 });
    // The same props through a sealed link: the same render key, so the very same stored file.
    const [sealed1] = await createLiveLinks(api.url, { templateId: 'loyalty-tier', channels: ['web'], props: v1.props });
    expect(sha256(await storedVideo(sealed1!.assets.video))).toBe(sha256(v1Video));

    // A change to a field the template does not map: a new profile version, the same props, a cache hit.
    expect((await call('PATCH', '/v1/recipients/e2e-ada', { email: 'ada@example.org' })).status).toBe(200);
    await expect.poll(async () => (await openPage(link!.url)).version, { timeout: 30_000, interval: 250 }).toBe('2');
    const unmapped = await call('GET', link!.assets.video);
    expect(unmapped.status).toBe(200);
    expect(unmapped.headers.get('x-mastercut-stream')).toBeNull();
    expect(sha256(unmapped.body)).toBe(sha256(v1Video));

    // A mapped change: the same link renders anew and shows it.
    expect((await call('PATCH', '/v1/recipients/e2e-ada', { name: { first: 'Adeline' }, loyalty: { points: 1300 } })).status).toBe(200);
    await expect.poll(async () => (await openPage(link!.url)).version, { timeout: 30_000, interval: 250 }).toBe('3');
    const v3 = await openPage(link!.url);
    expect(v3.props).toMatchObject({ firstName: 'Adeline', points: 1300 });
    const v3Video = await storedVideo(link!.assets.video);
    expect(sha256(v3Video)).not.toBe(sha256(v1Video));
    const [sealed3] = await createLiveLinks(api.url, { templateId: 'loyalty-tier', channels: ['web'], props: v3.props });
    expect(sha256(await storedVideo(sealed3!.assets.video))).toBe(sha256(v3Video));
    // The first page's pinned MP4 still shows version 1.
    expect(sha256(await storedVideo(v1.videoUrl))).toBe(sha256(v1Video));

    // Erasure: the profile, the pins and the renders go; the link answers 410.
    expect((await call('DELETE', '/v1/subjects/e2e-ada')).status).toBe(200);
    expect((await call('GET', link!.url)).status).toBe(410);
    expect((await call('GET', v1.videoUrl)).status).toBe(410);
  }, 600_000);
});
