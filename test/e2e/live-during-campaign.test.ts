import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStubRenderWorker, STUB_VIDEO_BYTES, type StubRenderWorker } from '../../bench/stub-render-worker.js';
import type { CampaignStatus } from '../../src/campaigns/index.js';
import { createFileStore } from '../../src/storage/index.js';
import { createFarmProbe, createLiveLinks, type FarmProbe } from '../helpers/live-farm.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, stopFarmProcesses, type WorkerChild } from '../helpers/worker-process.js';

// Issue 15: "a Live URL cold render during a big campaign starts within 2 s".
// What the farm controls is the order: a cold Live open is taken by the next
// free render slot, ahead of every campaign job waiting in the window. The API
// is the farm's own process (`src/api/main.ts`: campaign upload, durable
// fan-out with CAMPAIGN_WINDOW, Live routes); the render worker is the farm's
// (processRenderJob, hooks, live stream) with the renderer stubbed and held
// by the test, so the campaign's backlog stays put while the order is read.
// The time it takes is bench/live-during-campaign.ts's business.
const ROWS = 3_000;
const WINDOW = 300;
const SLOTS = 2;
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';

let redisServer: EmbeddedRedis;
let dir: string;
let api: WorkerChild & { url: string };
let probe: FarmProbe;
let worker: StubRenderWorker | undefined;
// Held stub renders, oldest first; `released` lets every later one through.
const held: (() => void)[] = [];
let released = false;
const hold = () => (released ? Promise.resolve() : new Promise<void>((resolve) => held.push(resolve)));

beforeAll(async () => {
  redisServer = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-live-campaign-'));
  api = await startApiProcess({ redisUrl: redisServer.url, storeRoot: path.join(dir, 'storage'), env: { CAMPAIGN_WINDOW: String(WINDOW) } });
  probe = createFarmProbe(redisServer.url);
}, 120_000);

afterAll(async () => {
  released = true;
  held.splice(0).forEach((go) => go());
  await worker?.close();
  if (api) await stopFarmProcesses([api]);
  await probe?.close();
  await redisServer?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const call = (pathname: string, init: RequestInit = {}) =>
  fetch(`${api.url}${pathname}`, { ...init, headers: { authorization: 'Bearer farm-key', ...init.headers }, signal: AbortSignal.timeout(120_000) });

async function waitingJobs() {
  return (await probe.render.getJobs(['prioritized', 'waiting'])).filter((job) => job?.id);
}

/** Uploads a prerender campaign of ROWS rows (`prefix` names the recipients and, by firstName, the props). */
async function uploadCampaign(prefix: string, firstName: string): Promise<CampaignStatus> {
  let csv = `${HEADER}\n`;
  for (let i = 0; i < ROWS; i++) csv += `${prefix}${i},${firstName},Silver,Gold,${i},${ROWS - i},2015\n`;
  const uploaded = await call('/v1/campaigns?templateId=loyalty-tier&channels=web', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  const campaign = (await uploaded.json()) as CampaignStatus;
  expect(uploaded.status, JSON.stringify(campaign)).toBe(202);
  return campaign;
}

/** Frees held slots one at a time until `jobId` starts (at most `most` times); the starts from `from` on, up to it. */
async function freeSlotsUntilStarted(jobId: string, from: number, most = 5) {
  for (let freed = 0; freed < most && !worker!.starts.some((s) => s.jobId === jobId); freed++) {
    const startsNow = worker!.starts.length;
    held.shift()!();
    await expect.poll(() => worker!.starts.length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(startsNow);
  }
  const at = worker!.starts.findIndex((s) => s.jobId === jobId);
  return { at, between: worker!.starts.slice(from, at === -1 ? undefined : at) };
}

const absolute = (url: string) => (url.startsWith('http') ? url : `${api.url}${url}`);

describe('a cold Live URL during a big campaign', () => {
  it('is taken by the next free render slot, ahead of every campaign job waiting in the window', async () => {
    worker = startStubRenderWorker(
      { redis: probe.redis, store: createFileStore({ root: path.join(dir, 'storage') }), index: probe.index, workDir: path.join(dir, 'work') },
      { concurrency: SLOTS, hold },
    );
    const campaign = await uploadCampaign('c', 'Cam');

    // Both slots hold a campaign render and the window is full: the backlog a Live open lands behind.
    await expect.poll(() => held.length, { timeout: 120_000, interval: 50 }).toBe(SLOTS);
    await expect.poll(async () => (await probe.render.getJobCountByTypes('prioritized', 'waiting')), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(WINDOW - SLOTS);
    const before = (await (await call(`/v1/campaigns/${campaign.id}`)).json()) as CampaignStatus;
    expect(before.counts.fannedOut).toBeLessThan(ROWS);

    const [link] = await createLiveLinks(api.url, { templateId: 'reference', channels: ['web'], props: { name: 'Cold Live', points: 7 } });
    const video = fetch(absolute(link!.assets.video), { signal: AbortSignal.timeout(120_000) });
    // Awaited below; a failing run must not also leave it unhandled when the API stops.
    video.catch(() => undefined);

    // The Live job is queued; what waits beside it then is what it must pass.
    let liveId: string | undefined;
    let waitingCampaignIds = new Set<string>();
    await expect.poll(async () => {
      const jobs = await waitingJobs();
      liveId = jobs.find((job) => job.data.priorityClass === 'live')?.id;
      waitingCampaignIds = new Set(jobs.filter((job) => job.data.priorityClass === 'campaign').map((job) => job.id!));
      return liveId;
    }, { timeout: 60_000, interval: 50 }).toBeDefined();
    expect(waitingCampaignIds.size).toBeGreaterThanOrEqual(WINDOW - SLOTS);
    // Nothing was let through yet: the slots still hold the two campaign renders they took first.
    const startsBefore = worker.starts.length;
    expect(startsBefore).toBe(SLOTS);
    expect(worker.starts.every((s) => s.priorityClass === 'campaign')).toBe(true);

    // Free one slot at a time until the Live job starts (a few more than needed, so a lost priority shows as a count).
    const { at: liveAt, between } = await freeSlotsUntilStarted(liveId!, startsBefore);
    // No campaign job started between the Live open and its render: the first slot freed took it
    // (the other slot was held, so no fetch was in flight to race it).
    expect(between.map((s) => s.priorityClass)).toEqual([]);
    expect(liveAt).toBe(startsBefore);
    expect(between.filter((s) => waitingCampaignIds.has(s.jobId))).toEqual([]);
    // The campaign's backlog was still there behind it.
    expect(await probe.render.getJobCountByTypes('prioritized', 'waiting')).toBeGreaterThanOrEqual(WINDOW - 2 * SLOTS);

    // Let every render through: the open gets its video, streamed from the live render.
    released = true;
    held.splice(0).forEach((go) => go());
    const answer = await video;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-mastercut-stream')).toBe('live');
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(STUB_VIDEO_BYTES);
  }, 300_000);

  it("a recipient's own link, opened while its campaign render still waits in the window, raises that job and it runs next", async () => {
    released = false;
    const campaign = await uploadCampaign('d', 'Dee');
    await expect.poll(() => held.length, { timeout: 120_000, interval: 50 }).toBe(SLOTS);
    // A row deep in the window: its render is queued, at campaign priority, far from the front.
    const row = WINDOW - 1;
    let job: Awaited<ReturnType<typeof waitingJobs>>[number] | undefined;
    await expect.poll(async () => {
      job = (await waitingJobs()).find((j) => j.data.campaignId === campaign.id && j.data.props.points === row);
      return job?.priority;
    }, { timeout: 120_000, interval: 100 }).toBe(10);
    const ahead = (await waitingJobs()).filter((j) => j.data.priorityClass === 'campaign' && j.id !== job!.id).length;
    expect(ahead).toBeGreaterThanOrEqual(WINDOW - SLOTS - 1);

    // The same props through a Live link: the same render key, so the open joins that job (no second render).
    const [link] = await createLiveLinks(api.url, {
      templateId: 'loyalty-tier',
      channels: ['web'],
      props: { firstName: 'Dee', currentTier: 'Silver', nextTier: 'Gold', points: row, pointsToNextTier: ROWS - row, memberSince: 2015 },
    });
    const video = fetch(absolute(link!.assets.video), { signal: AbortSignal.timeout(120_000) });
    video.catch(() => undefined);
    await expect.poll(async () => (await probe.render.getJob(job!.id!))?.priority, { timeout: 60_000, interval: 50 }).toBe(1);
    const startsBefore = worker!.starts.length;
    const { at, between } = await freeSlotsUntilStarted(job!.id!, startsBefore);
    expect(between.map((s) => s.priorityClass)).toEqual([]);
    expect(at).toBe(startsBefore);

    released = true;
    held.splice(0).forEach((go) => go());
    const answer = await video;
    expect(answer.status).toBe(200);
    // A campaign job streams nothing (only live jobs do): the open waited for the stored render.
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(STUB_VIDEO_BYTES);
  }, 300_000);

  it('with RENDER_LIVE_PREEMPT_AFTER_MS, starts while every slot stays held: one campaign render is put back, not failed', async () => {
    // A worker whose campaign renders never end by themselves: without preemption the Live job would wait for ever.
    await worker?.close();
    released = false;
    held.splice(0);
    worker = startStubRenderWorker(
      { redis: probe.redis, store: createFileStore({ root: path.join(dir, 'storage') }), index: probe.index, workDir: path.join(dir, 'work') },
      { concurrency: SLOTS, hold, livePreemptAfterMs: 300 },
    );
    await uploadCampaign('e', 'Eve');
    await expect.poll(() => held.length, { timeout: 120_000, interval: 50 }).toBe(SLOTS);
    const holding = worker.starts.map((s) => s.jobId);
    expect(worker.starts.every((s) => s.priorityClass === 'campaign')).toBe(true);

    const [link] = await createLiveLinks(api.url, { templateId: 'reference', channels: ['web'], props: { name: 'Preempting Live', points: 9 } });
    const video = fetch(absolute(link!.assets.video), { signal: AbortSignal.timeout(120_000) });
    video.catch(() => undefined);
    // Nothing is released: the Live render starts because a held campaign render gave up its slot.
    await expect.poll(() => worker!.starts.find((s) => s.priorityClass === 'live'), { timeout: 60_000, interval: 50 }).toBeDefined();
    expect(worker.starts.filter((s) => s.priorityClass === 'live')).toHaveLength(1);
    // While the Live render holds the freed slot, the campaign render put back waits again, with
    // its priority, no attempt spent; the other slot still holds its campaign render.
    const jobs = await Promise.all(holding.map((id) => probe.render.getJob(id)));
    const states = await Promise.all(jobs.map((job) => job!.getState()));
    expect([...states].sort()).toEqual(['active', 'prioritized']);
    const putBack = jobs[states.indexOf('prioritized')]!;
    expect(putBack.priority).toBe(10);
    expect(putBack.attemptsMade).toBe(0);
    // Its output record says it waits again, not that it renders.
    expect((await probe.index.get(putBack.id!))?.state).toBe('queued');
    expect(await probe.render.getJobCountByTypes('failed')).toBe(0);

    // The Live render is held like every other: let it (the latest hold) finish.
    await expect.poll(() => held.length, { timeout: 30_000, interval: 20 }).toBe(SLOTS + 1);
    held.pop()!();
    const answer = await video;
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(STUB_VIDEO_BYTES);
  }, 300_000);
});
