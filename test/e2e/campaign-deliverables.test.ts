import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../src/campaigns/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startFarmProcess, startTranscodeProcess, startWorkerProcess, untilReady, type WorkerChild, stopFarmProcesses } from '../helpers/worker-process.js';

let redis: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
const children: WorkerChild[] = [];
// The CRM's webhook receiver: every body it was sent.
const received: { type: string; events: { type: string; campaignId: string; meta: Record<string, unknown> }[] }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    received.push(JSON.parse(body));
    res.writeHead(204).end();
  });
});

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-campaign-deliverables-'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // A loopback plain-http receiver: allowed for this test only.
  const env = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' };
  const common = { redisUrl: redis.url, storeRoot: path.join(dir, 'storage'), args: ['--eviction-check', 'warn'], env };
  api = await startApiProcess({ ...common, args: [] });
  const webhooks = startFarmProcess('workers/webhooks.ts', common);
  children.push(api, startWorkerProcess(common), startTranscodeProcess(common), webhooks);
  // "webhook worker ready" is a "worker ready" line too.
  await Promise.all(children.slice(1).map((c) => untilReady(c)));
}, 120_000);

afterAll(async () => {
  await stopFarmProcesses(children);
  receiver.close();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function fetchWhenReady(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${api.url}${url}`);
    if (res.status === 200 || Date.now() > deadline) return res;
    await res.arrayBuffer(); // an unread body would hold its connection
    await sleep(500);
  }
}

describe('campaign with channel deliverables (API, render and transcode processes)', () => {
  it('renders one master per recipient for two channels sharing a variant, and cuts both channels\' deliverable sets', async () => {
    const hook = await fetch(`${api.url}/v1/webhooks`, {
      method: 'POST',
      headers: { authorization: 'Bearer farm-key', 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm`, events: ['campaign.completed'] }),
    });
    expect(hook.status, await hook.clone().text()).toBe(201);
    const csv = 'recipientId,name,points\nr1,Ada,10\nr2,Grace,20\n';
    const created = await fetch(`${api.url}/v1/campaigns?templateId=reference&channels=email,web`, {
      method: 'POST',
      headers: { authorization: 'Bearer farm-key', 'content-type': 'text/csv' },
      body: csv,
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const status = async () => (await (await fetch(`${api.url}/v1/campaigns/${id}`, { headers: { authorization: 'Bearer farm-key' } })).json()) as CampaignStatus;
    await expect.poll(async () => (await status()).state, { timeout: 60_000, interval: 200 }).not.toBe('ingesting');
    expect((await status()).counts.renders).toBe(2); // email and web share the landscape master

    // Done means every channel: the campaign turns `done` only once each channel's deliverables are cut,
    // so at that moment every file is in the store (read at once, no waiting).
    const states: string[] = [];
    await expect.poll(async () => {
      const s = await status();
      states.push(`${s.state} ${s.counts.rendered} ${JSON.stringify(s.deliverables)}`);
      return s.state;
    }, { timeout: 200_000, interval: 250 }).toBe('done');
    const deliverableFiles = (await readdir(path.join(dir, 'storage/deliverables'))).length;
    expect(deliverableFiles).toBe(2 * 3);
    const done = await status();
    expect(done.counts).toMatchObject({ renders: 2, rendered: 2, failed: 0 });
    expect(done.deliverables).toEqual({ email: { queued: 4, cut: 4, failed: 0 }, web: { queued: 4, cut: 4, failed: 0 } });
    // The CRM hears of it once, with the final counts.
    await expect.poll(() => received.filter((b) => b.type === 'campaign.completed').length, { timeout: 60_000 }).toBe(1);
    const message = received.find((b) => b.type === 'campaign.completed')!;
    expect(message.events).toEqual([
      expect.objectContaining({ type: 'campaign.completed', campaignId: id, meta: expect.objectContaining({ renders: 2, rendered: 2, email_deliverables_cut: 4, web_deliverables_cut: 4 }) }),
    ]);
    // It was seen rendering with its masters made but deliverables still to cut, or it went straight to done.
    expect(states.every((line) => !line.startsWith('done') || line.includes('"cut":4'))).toBe(true);

    const manifest = await (await fetch(`${api.url}/v1/campaigns/${id}/manifest`, { headers: { authorization: 'Bearer farm-key' } })).text();
    const [header, ...rows] = manifest.trim().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual([
      'recipientId',
      'email_renderKey', 'email_url', 'email_poster_jpg_url', 'email_preview_gif_url',
      'web_renderKey', 'web_url', 'web_video_mp4_url', 'web_poster_jpg_url',
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cell = Object.fromEntries(row.split(',').map((value, i) => [columns[i], value]));
      expect(cell.email_renderKey).toBe(cell.web_renderKey);
      const master = await fetchWhenReady(cell.web_url!, 90_000);
      expect(master.status).toBe(200);
      const masterBytes = Buffer.from(await master.arrayBuffer());
      const poster = await fetchWhenReady(cell.email_poster_jpg_url!, 60_000);
      expect(poster.headers.get('content-type')).toBe('image/jpeg');
      const posterBytes = Buffer.from(await poster.arrayBuffer());
      const webPoster = Buffer.from(await (await fetchWhenReady(cell.web_poster_jpg_url!, 60_000)).arrayBuffer());
      // Two sets: the email poster carries the play badge, the web one does not.
      expect(posterBytes.equals(webPoster)).toBe(false);
      const gif = await fetchWhenReady(cell.email_preview_gif_url!, 60_000);
      expect(gif.headers.get('content-type')).toBe('image/gif');
      expect((await gif.arrayBuffer()).byteLength).toBeLessThan(1_000_000);
      // web's 720p MP4 is the master itself (same size and codec): published as is.
      const webVideo = await fetchWhenReady(cell.web_video_mp4_url!, 60_000);
      expect(Buffer.from(await webVideo.arrayBuffer()).equals(masterBytes)).toBe(true);
    }
    // One master per recipient; three transcoded files each (two posters, one GIF).
    expect(await readdir(path.join(dir, 'storage/renders'))).toHaveLength(2 * 2); // data file + sidecar each
    expect((await readdir(path.join(dir, 'storage/deliverables'))).length).toBe(2 * 3);
    const transcodeLog = children[2]!.output();
    expect(transcodeLog.match(/"pipeline":"passthrough"/g)?.length).toBe(2);
  }, 240_000);

  it('lazy campaigns put Live links in the manifest and render nothing until a link is opened', async () => {
    const csv = 'recipientId,name,points\nz1,Zoe,5\nz2,Yann,6\n';
    const created = await fetch(`${api.url}/v1/campaigns?templateId=reference&channels=web&mode=lazy`, {
      method: 'POST',
      headers: { authorization: 'Bearer farm-key', 'content-type': 'text/csv' },
      body: csv,
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    let status: CampaignStatus | undefined;
    await expect.poll(async () => (status = (await (await fetch(`${api.url}/v1/campaigns/${id}`, { headers: { authorization: 'Bearer farm-key' } })).json()) as CampaignStatus).state, { timeout: 60_000, interval: 200 }).toBe('done');
    expect(status!).toMatchObject({ state: 'done', counts: { valid: 2, renders: 0 } });

    const manifest = await (await fetch(`${api.url}/v1/campaigns/${id}/manifest`, { headers: { authorization: 'Bearer farm-key' } })).text();
    const [header, ...rows] = manifest.trim().split('\n');
    expect(header).toBe('recipientId,web_url,web_video_url,web_poster_url,web_preview_url');
    expect(rows).toHaveLength(2);
    const [recipient, page, video] = rows[0]!.split(',');
    expect(recipient).toBe('z1');
    expect(page).toMatch(/^\/l\/v1\.test1\.[A-Za-z0-9_-]+$/);
    expect(manifest).not.toContain('Zoe'); // sealed: no personal data in the links
    const started = () => children[1]!.output().match(/"msg":"render started"/g)?.length ?? 0;
    const before = started();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(started()).toBe(before); // nothing renders for a lazy campaign

    const res = await fetch(`${api.url}${video}`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    // Exactly one render: the opened link's, not the other recipient's.
    expect(started()).toBe(before + 1);
  }, 120_000);
});
