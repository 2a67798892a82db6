import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/encode/index.js';
import { HASH_TAG } from '../../src/redis/index.js';
import { startTestRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.js';
import { repoRoot } from '../helpers/render-engine.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';
import { untilFannedOut } from '../helpers/campaign-fanned-out.js';

/**
 * The whole farm (API, render worker and transcode worker, each its own
 * process, as production runs them) against a real Redis Cluster of three
 * primaries, reached through a `redis-cluster://` REDIS_URL: a render
 * through the API, a campaign with channel deliverables and a cold Live URL.
 * Then the layout docs/redis-cluster.md describes is checked on the nodes
 * themselves: every key the farm wrote carries the `{mastercut}` hash tag
 * and sits on the one primary that owns its slot.
 */
let cluster: TestRedisCluster;
let dir: string;
let api: WorkerChild & { url: string };
const children: WorkerChild[] = [];
const auth = { authorization: 'Bearer farm-key' };

beforeAll(async () => {
  cluster = await startTestRedisCluster();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-cluster-e2e-'));
  // The test cluster runs noeviction, so the workers' eviction check stays at its default (refuse) and must pass.
  const common = { redisUrl: cluster.url, storeRoot: path.join(dir, 'storage') };
  api = await startApiProcess(common);
  children.push(api, startWorkerProcess(common), startTranscodeProcess(common));
  await Promise.all(children.slice(1).map((c) => untilReady(c)));
}, 180_000);

afterAll(async () => {
  await stopFarmProcesses(children);
  await cluster?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
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

async function probeBytes(name: string, bytes: Buffer) {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return probe(file, { countFrames: true });
}

describe('the farm on a Redis Cluster of three primaries (API, render and transcode processes)', () => {
  it('renders an MP4 requested through the API', async () => {
    const res = await fetch(`${api.url}/v1/renders?wait=240`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference', props: { name: 'Cluster', points: 3 } }),
    });
    const body = (await res.json()) as { state: string; renderKey: string; output: { url: string; contentType: string } };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ state: 'done', output: { contentType: 'video/mp4' } });
    const video = await fetch(`${api.url}${body.output.url}`, { headers: auth });
    expect(video.status).toBe(200);
    const info = await probeBytes('api.mp4', Buffer.from(await video.arrayBuffer()));
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720, frames: 150 });
  }, 300_000);

  it('runs a campaign to done and cuts its email deliverables', async () => {
    const created = await fetch(`${api.url}/v1/campaigns?templateId=reference&channels=email`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: 'recipientId,name,points\nc1,Ada,10\nc2,Grace,20\n',
    });
    // Stored and counted (202); the fan-out job, on the cluster too, then queues the renders.
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const { counts } = await untilFannedOut(api.url, id, auth);
    expect(counts.renders).toBe(2);

    const manifest = await (await fetch(`${api.url}/v1/campaigns/${id}/manifest`, { headers: auth })).text();
    const [header, ...rows] = manifest.trim().split('\n');
    const columns = header!.split(',');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const cell = Object.fromEntries(row.split(',').map((value, i) => [columns[i], value]));
      const poster = await fetchWhenReady(cell.email_poster_jpg_url!, 240_000);
      expect(poster.status).toBe(200);
      expect(poster.headers.get('content-type')).toBe('image/jpeg');
      // The email profile's poster: 960 px wide (16:9), JPEG.
      expect((await probeBytes('poster.jpg', Buffer.from(await poster.arrayBuffer()))).video).toMatchObject({ codec: 'mjpeg', width: 960, height: 540 });
      const gif = await fetchWhenReady(cell.email_preview_gif_url!, 120_000);
      expect(gif.status).toBe(200);
      const gifBytes = Buffer.from(await gif.arrayBuffer());
      expect(gifBytes.length).toBeLessThan(1_000_000);
      expect((await probeBytes('preview.gif', gifBytes)).video).toMatchObject({ codec: 'gif', width: 480 });
    }
    // The outcome counting script (campaign keys in KEYS) ran on the cluster: the campaign ends done.
    await expect
      .poll(async () => ((await (await fetch(`${api.url}/v1/campaigns/${id}`, { headers: auth })).json()) as { state: string }).state, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('done');
  }, 600_000);

  it('streams a cold Live URL video while it renders, then serves it from the cache', async () => {
    const res = await fetch(`${api.url}/v1/live-links`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ templateId: 'reference', channels: ['web'], props: { name: 'Cluster Live', points: 8 }, recipientId: 'live-1' }),
    });
    expect(res.status).toBe(201);
    const link = ((await res.json()) as { links: { url: string; assets: Record<string, string> }[] }).links[0]!;
    const cold = await fetch(`${api.url}${link.assets.video!}`);
    expect(cold.status).toBe(200);
    // The render stream (XADD by the worker, XREAD by the API) crossed the cluster.
    expect(cold.headers.get('x-mastercut-stream')).toBe('live');
    const streamed = await probeBytes('live.mp4', Buffer.from(await cold.arrayBuffer()));
    expect(streamed.video).toMatchObject({ codec: 'h264', width: 1280, height: 720, frames: 150 });
    await expect.poll(async () => ((await (await fetch(`${api.url}${link.url}/status`)).json()) as { ready: boolean }).ready, { timeout: 120_000 }).toBe(true);
    const warm = await fetch(`${api.url}${link.assets.video!}`);
    expect(warm.status).toBe(200);
    expect(warm.headers.get('x-mastercut-stream')).toBeNull();
    expect((await probeBytes('live-cached.mp4', Buffer.from(await warm.arrayBuffer()))).video).toMatchObject({ frames: 150 });

    // Erasure on the cluster: tombstones, the subject index, the job and the index records (scripts,
    // pipelines and a MULTI in the farm slot), announced to the API over sharded pub/sub.
    const erased = await fetch(`${api.url}/v1/subjects/live-1`, { method: 'DELETE', headers: auth });
    const body = (await erased.json()) as { erased: boolean; counts: Record<string, number> };
    expect(erased.status, JSON.stringify(body)).toBe(200);
    expect(body.erased).toBe(true);
    expect(body.counts.indexEntries).toBeGreaterThanOrEqual(1);
    expect(body.counts.outputs).toBeGreaterThanOrEqual(1);
    const statusOf = async (url: string) => {
      const res = await fetch(`${api.url}${url}`);
      await res.arrayBuffer(); // an unread body would hold its connection
      return res.status;
    };
    await expect.poll(() => statusOf(link.assets.video!), { timeout: 30_000 }).toBe(410);
  }, 300_000);

  it('`mastercut ops status` reports the queues and the live workers of the cluster', async () => {
    const clean = { ...process.env };
    delete clean.REDIS_URL;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(path.join(repoRoot, 'bin/mastercut'), ['ops', 'status', '--json'], { env: { ...clean, LOG_LEVEL: 'silent', REDIS_URL: cluster.url }, timeout: 120_000 }, (err, out, err2) =>
        err ? reject(new Error(`${err.message}\n${err2}`)) : resolve(out),
      ),
    );
    const report = JSON.parse(stdout) as { queues: { queue: string; counts: { completed?: number }; workers: { id: string }[] }[] };
    const byName = Object.fromEntries(report.queues.map((q) => [q.queue, q]));
    // The heartbeats are found by SCAN, which must reach the primary that holds them.
    expect(byName.render!.workers).toHaveLength(1);
    expect(byName.transcode!.workers).toHaveLength(1);
  }, 180_000);

  it('kept every key it wrote under {mastercut}, on the one primary that owns that slot', async () => {
    const slot = Number(await cluster.nodeClient(cluster.nodes[0]!.port).call('CLUSTER', 'KEYSLOT', HASH_TAG));
    const owner = cluster.nodes.find((n) => slot >= n.slots[0] && slot <= n.slots[1])!;
    const keys: string[] = [];
    const client = cluster.nodeClient(owner.port);
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    // Queues, the output index, the campaign, Live props and streams: the farm really wrote here.
    expect(keys.some((k) => k.startsWith(`${HASH_TAG}:render:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${HASH_TAG}:transcode:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${HASH_TAG}:out:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${HASH_TAG}:cmp:`))).toBe(true);
    expect(keys.filter((k) => !k.startsWith(HASH_TAG))).toEqual([]);
    for (const node of cluster.nodes.filter((n) => n !== owner)) expect(await cluster.nodeClient(node.port).dbsize(), `primary on ${node.port}`).toBe(0);
  });
});
