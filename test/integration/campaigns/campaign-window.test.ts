import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignHooks, createCampaignService, createFanOutQueue, type CampaignStatus } from '../../../src/campaigns/index.js';
import { createRenderWorker, type RenderJobContext, type RenderWorker } from '../../../src/renders/index.js';
import { readAll, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

// The bounded window with the farm's own queue machinery (BullMQ, the render
// job processor, the campaign hooks); only the renderer is a stub that
// writes a fake file at once.
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';
const ROWS = 300;
const WINDOW = 40;
const CHUNK = 20;

let h: CampaignHarness;
let worker: RenderWorker | undefined;
let workerConnection: Redis | undefined;

beforeAll(async () => {
  h = await startCampaignHarness();
}, 120_000);

afterAll(async () => {
  await worker?.shutdown(5_000);
  workerConnection?.disconnect();
  await h?.close();
});

const file = (prefix: string, name: string) =>
  Readable.from([`${HEADER}\n${Array.from({ length: ROWS }, (_, i) => `${prefix}${i},${name},Silver,Gold,${i},${ROWS - i},2015`).join('\n')}\n`]);

describe('the campaign window', () => {
  it('keeps at most W (+ one chunk) renders queued per campaign, and two campaigns take turns', async () => {
    await h.useFreshQueue({ window: WINDOW, chunkSize: CHUNK, windowPollMs: 20 });
    const hooks = createCampaignHooks(h.redis);
    const ctx: RenderJobContext = {
      renderVideo: (async (request: { out: string }) => {
        await writeFile(request.out, 'fake mp4');
        return {};
      }) as unknown as RenderJobContext['renderVideo'],
      store: h.store,
      index: h.index,
      workDir: `${h.dir}/work`,
      onRendered: hooks.onRendered,
      onFailed: hooks.onFailed,
    };
    // No scheduler: accept() runs each fan-out in the background, windowed, the way the fan-out job does.
    const a = await h.campaigns.accept({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: file('a', 'Ann'), format: 'csv' });
    const b = await h.campaigns.accept({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: file('b', 'Bob'), format: 'csv' });

    // With no worker yet, each campaign stops at its window.
    const unsettled = (s: CampaignStatus) => s.counts.renders - s.counts.rendered - s.counts.failed;
    for (const id of [a.id, b.id]) {
      await expect.poll(async () => unsettled(await h.campaigns.status(id)), { timeout: 60_000 }).toBeGreaterThanOrEqual(WINDOW);
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // a fan-out that ignored the window would go on meanwhile
    for (const id of [a.id, b.id]) expect(unsettled(await h.campaigns.status(id))).toBeLessThanOrEqual(WINDOW + CHUNK);
    expect(await h.renderQueue.queue.getJobCountByTypes('prioritized', 'waiting')).toBeLessThanOrEqual(2 * (WINDOW + CHUNK));

    // A worker drains the queue; the fan-outs feed it as jobs finish.
    const order: string[] = [];
    let peak = 0;
    workerConnection = h.redis.duplicate();
    worker = createRenderWorker(ctx, { connection: workerConnection, queueName: h.renderQueue.queueName, concurrency: 1, autorun: false });
    worker.worker.on('completed', (job) => order.push(job.data.campaignId === a.id ? 'a' : 'b'));
    worker.run();
    const sample = setInterval(() => {
      void Promise.all([a.id, b.id].map((id) => h.campaigns.status(id))).then((all) => (peak = Math.max(peak, ...all.map(unsettled))));
    }, 25);
    try {
      for (const id of [a.id, b.id]) await expect.poll(async () => (await h.campaigns.status(id)).state, { timeout: 180_000, interval: 100 }).toBe('done');
    } finally {
      clearInterval(sample);
    }
    for (const id of [a.id, b.id]) expect((await h.campaigns.status(id)).counts).toMatchObject({ total: ROWS, renders: ROWS, rendered: ROWS, failed: 0 });
    // The last job's hook marks its campaign done before BullMQ emits that job's `completed`.
    await expect.poll(() => order.length, { timeout: 30_000 }).toBe(2 * ROWS);
    expect(peak).toBeLessThanOrEqual(WINDOW + CHUNK);
    // Turns: while both campaigns still had rows, neither ran more than a window and a chunk of jobs in a row
    // (without the window, every job of the first campaign would come before the second's).
    const bothActive = order.slice(0, order.lastIndexOf('a') < order.lastIndexOf('b') ? order.lastIndexOf('a') : order.lastIndexOf('b'));
    let run = 0;
    let longest = 0;
    bothActive.forEach((c, i) => {
      run = i > 0 && bothActive[i - 1] === c ? run + 1 : 1;
      longest = Math.max(longest, run);
    });
    expect(longest).toBeLessThanOrEqual(WINDOW + CHUNK);
  }, 300_000);

  it('a fan-out waiting for room stops on shutdown and another process resumes it from its checkpoint', async () => {
    await h.useFreshQueue();
    const queueName = `fanout-${Date.now()}`;
    const open = () => createFanOutQueue({ redisUrl: h.redisServer.url, queueName, lockDurationMs: 5_000 });
    const first = open();
    const campaigns = createCampaignService(
      { ...h.serviceDeps(), scheduleFanOut: (id) => first.schedule(id) },
      { window: WINDOW, chunkSize: CHUNK, windowPollMs: 20 },
    );
    first.start((id, signal) => campaigns.runFanOut(id, { windowed: true, ...(signal ? { signal } : {}) }));
    const { id } = await campaigns.accept({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: file('s', 'Sue'), format: 'csv' });
    await expect.poll(async () => (await campaigns.status(id)).counts.fannedOut, { timeout: 60_000 }).toBeGreaterThanOrEqual(WINDOW);
    // No render worker: the window stays full, the fan-out waits. Shutting down does not wait for it.
    await first.close();
    const at = (await campaigns.status(id)).counts.fannedOut;
    expect(at).toBeLessThan(ROWS);

    // Another process takes the job back; jobs are drained by hand (a stub render: the hooks count them).
    const second = open();
    second.start((cid, signal) => campaigns.runFanOut(cid, { windowed: true, ...(signal ? { signal } : {}) }));
    try {
      const hooks = createCampaignHooks(h.redis);
      await expect.poll(async () => {
        const jobs = await h.renderQueue.queue.getJobs(['prioritized', 'waiting']);
        for (const job of jobs) {
          await h.index.set({ key: job.id!, templateId: 'loyalty-tier', state: 'done', updatedAt: Date.now() });
          await hooks.onRendered(job.data, job.id!);
          await job.remove();
        }
        return (await campaigns.status(id)).state;
      }, { timeout: 120_000, interval: 50 }).toBe('done');
    } finally {
      await second.close();
    }
    const manifest = (await readAll(await campaigns.manifest(id, 'csv'))).trim().split('\n').slice(1);
    expect(manifest.map((line) => line.split(',')[0])).toEqual(Array.from({ length: ROWS }, (_, i) => `s${i}`));
    expect((await campaigns.status(id)).counts).toMatchObject({ total: ROWS, fannedOut: ROWS, renders: ROWS, rendered: ROWS });
  }, 300_000);
});
