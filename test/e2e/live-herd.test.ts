import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/encode/index.js';
import { createFarmProbe, createLiveLinks, logLines, rawGet, sha256, type CreatedLink, type FarmProbe, type RawResponse } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startWorkerProcess, untilReady, type WorkerChild, stopFarmProcesses } from '../helpers/worker-process.js';

/**
 * The single-flight promise of the cold path, end to end: a herd of
 * identical cold requests, spread over two API processes that share one
 * Redis and one store, makes one render, and every client gets the same
 * bytes. Then the same herd on the cached video.
 */

const HERD = 200;

let redis: EmbeddedRedis;
let dir: string;
let storeRoot: string;
let apis: (WorkerChild & { url: string })[];
let worker: WorkerChild;
let farm: FarmProbe;
const children: WorkerChild[] = [];
// No keep-alive and no socket cap: 200 real, simultaneous connections.
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-herd-'));
  storeRoot = path.join(dir, 'storage');
  const common = { redisUrl: redis.url, storeRoot };
  // Default budgets on purpose (30 cold renders per client per minute): the herd must fit in them.
  // The APIs first: their start has a deadline, and the worker's browsers compete for the same cores.
  apis = await Promise.all([startApiProcess(common), startApiProcess(common)]);
  children.push(...apis);
  worker = startWorkerProcess({ ...common, args: ['--eviction-check', 'warn'] });
  children.push(worker);
  await untilReady(worker, 90_000);
  farm = createFarmProbe(redis.url);
}, 120_000);

afterAll(async () => {
  agent.destroy();
  await farm?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** Fires `HERD` requests at once, alternating between the two API processes. */
function herd(videoPath: string): Promise<RawResponse[]> {
  return Promise.all(Array.from({ length: HERD }, (_, i) => rawGet(apis[i % 2]!.url, videoPath, { agent })));
}

function summary(responses: RawResponse[]) {
  const count = (values: (string | number | undefined)[]) =>
    Object.fromEntries([...new Set(values)].map((v) => [String(v), values.filter((x) => x === v).length]));
  return {
    statuses: count(responses.map((r) => r.status)),
    hashes: count(responses.map((r) => sha256(r.body))),
    aborted: responses.filter((r) => r.aborted).length,
  };
}

describe('a herd of identical cold requests over two API processes', () => {
  let link: CreatedLink;
  let renderKey: string;
  let streamedHash: string;

  it(`${HERD} concurrent cold requests make exactly one render, and every client gets identical bytes`, async () => {
    [link] = (await createLiveLinks(apis[0]!.url, { templateId: 'reference', channels: ['web'], props: { name: 'Herd', points: 200 } })) as [CreatedLink];
    // Both processes open the same token (shared LIVE_KEYS), and nothing has rendered yet.
    for (const api of apis) expect(await (await fetch(`${api.url}${link.url}/status`)).json()).toEqual({ ready: false });
    expect(await farm.renderJobs()).toEqual([]);

    const started = Date.now();
    const responses = await herd(link.assets.video);
    const elapsed = Date.now() - started;

    const s = summary(responses);
    // A 429 here would mean joiners were charged the cold-render budget.
    expect(s.statuses, JSON.stringify(s)).toEqual({ '200': HERD });
    expect(s.aborted).toBe(0);
    expect(Object.keys(s.hashes), JSON.stringify(s)).toHaveLength(1);
    expect(responses[0]!.body.length).toBeGreaterThan(10_000);
    streamedHash = sha256(responses[0]!.body);
    // Every one of them streamed the render (none waited for the whole file).
    expect(responses.filter((r) => r.headers['x-mastercut-stream'] === 'live')).toHaveLength(HERD);

    // Exactly one render job, keyed by the render key, rendered once.
    const jobs = await farm.renderJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.state).toBe('completed');
    renderKey = jobs[0]!.id;
    expect(renderKey).toMatch(/^[0-9a-f]{64}$/);
    const job = (await farm.render.getJob(renderKey))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.returnvalue).toMatchObject({ renderKey, skipped: false });
    expect(logLines(worker.output(), 'render started', renderKey)).toHaveLength(1);
    expect(logLines(worker.output(), 'render published', renderKey)).toHaveLength(1);
    expect(logLines(worker.output(), 'render started')).toHaveLength(1);

    // The output index has the one done record, and the store the one file.
    expect(await farm.indexKeys()).toEqual([renderKey]);
    const record = await farm.index.get(renderKey);
    expect(record).toMatchObject({ state: 'done', storageKey: `renders/${renderKey}.mp4` });

    // What the herd got is a whole video (a fragmented MP4 of every frame).
    const file = path.join(dir, 'streamed.mp4');
    await writeFile(file, responses[0]!.body);
    expect((await probe(file, { countFrames: true })).video).toMatchObject({ codec: 'h264', width: 1280, height: 720, frames: 150 });
    console.log(`herd: ${HERD} cold requests over 2 API processes answered in ${elapsed} ms, ${responses[0]!.body.length} bytes each`);
  }, 150_000);

  it(`${HERD} concurrent requests once cached: identical bytes with an ETag, and no new render`, async () => {
    expect(renderKey).toBeDefined();
    const stored = await readFile(path.join(storeRoot, `renders/${renderKey}.mp4`));
    const responses = await herd(link.assets.video);

    const s = summary(responses);
    // All from one client address, far over its 30 cold renders a minute: cached hits are never limited.
    expect(s.statuses, JSON.stringify(s)).toEqual({ '200': HERD });
    expect(Object.keys(s.hashes)).toEqual([sha256(stored)]);
    expect(responses.filter((r) => r.headers['x-mastercut-stream'] !== undefined)).toHaveLength(0);
    const etags = new Set(responses.map((r) => r.headers.etag));
    expect(etags.size).toBe(1);
    const etag = [...etags][0]!;
    expect(etag).toMatch(/^"[^"]+"$/);
    for (const r of responses) {
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(Number(r.headers['content-length'])).toBe(stored.length);
    }
    // The cached file is the streamed video rewritten with its index up front: other bytes, same frames.
    expect(sha256(stored)).not.toBe(streamedHash);

    // Revalidation against either process: 304, still no render.
    for (const api of apis) expect((await rawGet(api.url, link.assets.video, { headers: { 'if-none-match': etag } })).status).toBe(304);

    expect(await farm.renderJobs()).toEqual([{ id: renderKey, state: 'completed' }]);
    expect(logLines(worker.output(), 'render started')).toHaveLength(1);
    expect(await farm.indexKeys()).toEqual([renderKey]);
  }, 60_000);
});
