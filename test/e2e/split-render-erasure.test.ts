import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFarmProbe, createLiveLinks, listFiles, logLines, rawGet, until, type FarmProbe } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';

/**
 * `DELETE /v1/subjects/:recipientId` against a real farm (API process, two
 * render worker processes) while the subject's render is split across the
 * workers (docs/split-render.md): afterwards nothing of it is served, and no
 * chunk file, output or index entry is left. The queue-level variant, with
 * eraseSubject called directly, is in test/integration/queue/split-render-queue.test.ts.
 */

const SUBJECT = 'split-erased-0042@example.com';
const PROPS = { name: 'Split Gone', points: 12 };

let redis: EmbeddedRedis;
let dir: string;
let storeRoot: string;
let api: WorkerChild & { url: string };
let workers: WorkerChild[];
let farm: FarmProbe;
const children: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-erasure-'));
  storeRoot = path.join(dir, 'storage');
  const common = { redisUrl: redis.url, storeRoot };
  // The API first: its start has a deadline, and the workers' browsers compete for the same cores.
  api = await startApiProcess(common);
  children.push(api);
  // Two workers of one slot each: a long master is cut into two chunks, one per worker.
  workers = [0, 1].map(() =>
    startWorkerProcess({
      ...common,
      args: ['--concurrency', '1', '--eviction-check', 'warn'],
      env: { RENDER_SPLIT_MIN_FRAMES: '2', RENDER_SPLIT_CHUNKS: '8', RENDER_POOL_SIZE: '1' },
    }),
  );
  children.push(...workers);
  await Promise.all(workers.map((w) => untilReady(w, 120_000)));
  farm = createFarmProbe(redis.url);
}, 240_000);

afterAll(async () => {
  await farm?.close();
  await stopFarmProcesses(children);
  await redis?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const auth = { authorization: 'Bearer farm-key' };
const chunkStarted = (key: string) => workers.some((w) => logLines(w.output(), 'render started').some((l) => String(l.renderKey).startsWith(`${key}:chunk:`)));

describe('erasing a subject through the API while its render is split across workers', () => {
  it('DELETE /v1/subjects/:id: nothing of the render is served afterwards, no chunk file, output or index entry is left', async () => {
    // The subject's link records its master's render key; the same render asked for through the API (not a streamed Live master) is split.
    const [link] = await createLiveLinks(api.url, { templateId: 'reference', channels: ['web'], props: PROPS, recipientId: SUBJECT });
    const asked = await fetch(`${api.url}/v1/renders`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ templateId: 'reference', props: PROPS }) });
    expect(asked.status).toBe(202);
    const { renderKey: key } = (await asked.json()) as { renderKey: string };
    await until(() => chunkStarted(key), 120_000, 'a chunk of the subject render to start');

    const erased = await fetch(`${api.url}/v1/subjects/${encodeURIComponent(SUBJECT)}`, { method: 'DELETE', headers: auth });
    expect(erased.status).toBe(200);
    const body = (await erased.json()) as { erased: boolean; counts: { jobs: number; activeJobs: number } };
    expect(body.erased).toBe(true);
    // The master's job was found through the subject: removed (parked on its chunks) or stopped by its key tombstone.
    expect(body.counts.jobs + body.counts.activeJobs).toBeGreaterThanOrEqual(1);

    // Settled: nothing of the render queued, running or parked.
    await until(
      async () => {
        const counts = await farm.render.getJobCounts('active', 'waiting', 'prioritized', 'waiting-children', 'delayed');
        return Object.values(counts).every((n) => n === 0);
      },
      240_000,
      'the split render to settle',
    );

    // Nothing in the store (chunks sit under renders/<key>.chunk-*), no index entry, nothing published.
    expect((await listFiles(storeRoot)).filter((f) => f.includes(key))).toEqual([]);
    expect(await farm.index.get(key)).toBeUndefined();
    expect(await farm.indexKeys()).not.toContain(key);
    for (const w of workers) expect(logLines(w.output(), 'render published', key)).toEqual([]);

    // Nothing served: the output and the render's status are gone, the link and its assets answer 410.
    for (const url of [`/v1/outputs/${key}`, `/v1/renders/${key}`]) {
      const res = await fetch(`${api.url}${url}`, { headers: auth });
      expect([404, 410], `${url} answered ${res.status}`).toContain(res.status);
    }
    for (const url of [link!.url, link!.assets.video, link!.assets.poster]) {
      expect((await rawGet(api.url, url)).status, url).toBe(410);
    }
  }, 400_000);
});
