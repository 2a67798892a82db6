import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/encode/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, untilReady, type WorkerChild, stopFarmProcesses } from '../helpers/worker-process.js';

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
const children: WorkerChild[] = [];

async function createLinks(body: Record<string, unknown>): Promise<{ links: { channel: string; url: string; assets: Record<string, string> }[] }> {
  const res = await fetch(`${api.url}/v1/live-links`, {
    method: 'POST',
    headers: { authorization: 'Bearer farm-key', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as never;
}

const get = (url: string, init?: RequestInit) => fetch(url.startsWith('http') ? url : `${api.url}${url}`, { redirect: 'manual', ...init });

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-live-'));
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), args: ['--eviction-check', 'warn'] };
  // The API waits for a cold output up to the test's own limit: on a loaded 2-core CI machine four cold
  // deliverables at once can take longer than the 60 s default, which would answer 503 + Retry-After.
  api = await startApiProcess({ ...common, args: [], env: { LIVE_WAIT_TIMEOUT_MS: '170000' } });
  children.push(api, startWorkerProcess(common), startTranscodeProcess(common));
  await Promise.all(children.slice(1).map((c) => untilReady(c)));
}, 120_000);

afterAll(async () => {
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('Live URLs against a farm (API, render and transcode processes)', () => {
  it('streams a cold video while it renders, then serves the same bytes from the cache', async () => {
    const { links } = await createLinks({ templateId: 'reference', channels: ['web'], props: { name: 'Cold Open', points: 41 }, recipientId: 'r-1' });
    const link = links[0]!;
    expect(link.url).toMatch(/^\/l\/v1\.test1\.[A-Za-z0-9_-]+$/);
    expect(link.url).not.toContain('Cold');

    const cold = await get(link.assets.video!);
    expect(cold.status).toBe(200);
    expect(cold.headers.get('x-mastercut-stream')).toBe('live');
    const streamed = Buffer.from(await cold.arrayBuffer());
    const file = path.join(dir, 'streamed.mp4');
    await writeFile(file, streamed);
    // A fragmented MP4: every frame is there, though the header could not know the duration yet.
    const info = await probe(file, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720, frames: 150 });

    // The cached copy is the same video rewritten as a faststart MP4 (a duration and an index up front).
    const warm = await get(link.assets.video!);
    expect(warm.status).toBe(200);
    expect(warm.headers.get('x-mastercut-stream')).toBeNull();
    expect(warm.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = warm.headers.get('etag')!;
    const cached = Buffer.from(await warm.arrayBuffer());
    await writeFile(file, cached);
    expect(await probe(file, { countFrames: true })).toMatchObject({ durationSec: 5, video: { frames: 150 } });
    expect((await get(link.assets.video!, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const ranged = await get(link.assets.video!, { headers: { range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(cached.subarray(100, 200))).toBe(true);

    const status = await (await get(`${link.url}/status`)).json();
    expect(status).toEqual({ ready: true });
  });

  it('renders each deliverable on first request: poster, GIF preview, still card and the SMS cut', async () => {
    const [email] = (await createLinks({ templateId: 'reference', channels: ['email'], props: { name: 'Deliver', points: 7 } })).links;
    const [sms] = (await createLinks({ templateId: 'year-recap', channels: ['sms'], props: { firstName: 'Sam' } })).links;
    // All cold at once: one render per master, each deliverable cut as soon as its master is published.
    const [poster, gif, still, video] = await Promise.all(
      [email!.assets.poster!, email!.assets.preview!, email!.assets.still!, sms!.assets.video!].map((url) => get(url)),
    );
    expect([poster!.status, gif!.status, still!.status, video!.status]).toEqual([200, 200, 200, 200]);
    expect(poster!.headers.get('content-type')).toBe('image/jpeg');
    expect(gif!.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await gif!.arrayBuffer()).length).toBeLessThan(1_000_000);
    expect(still!.headers.get('content-type')).toBe('image/png');

    const file = path.join(dir, 'sms.mp4');
    await writeFile(file, Buffer.from(await video!.arrayBuffer()));
    const info = await probe(file);
    expect(info.video).toMatchObject({ codec: 'h264', width: 480, height: 854 });
    expect(info.sizeBytes).toBeLessThan(600_000);
  }, 180_000);

  it('serves a landing page with OG tags, and CTA redirects only to the declared URL', async () => {
    const { links } = await createLinks({ templateId: 'year-recap', channels: ['web'], props: { firstName: 'Ada', memberTier: 'Gold' } });
    const page = await get(links[0]!.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'nonce-");
    const html = await page.text();
    expect(html).toContain('og:image');
    expect(html).toContain(`${links[0]!.url}/poster.jpg`);
    const cta = await get(`${links[0]!.url}/cta/book`);
    expect(cta.status).toBe(302);
    expect(cta.headers.get('location')).toBe('https://hotel.example/book?tier=Gold');
    expect((await get(`${links[0]!.url}/cta/elsewhere`)).status).toBe(404);
  });
});
