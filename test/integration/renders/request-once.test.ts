import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import { priorities } from '../../../src/queue/index.js';
import { claimJobSlot, getRenderStatus, prepareRenderJob, requestOnce, waitForRender, type PreparedRenderJob } from '../../../src/renders/index.js';
import { fakeRender, until, useQueueKit } from '../queue/queue-test-kit.js';

const env = useQueueKit();

let n = 0;
async function job(priorityClass: 'live' | 'api' | 'campaign', props: Record<string, unknown> = { name: 'Once', points: ++n }): Promise<PreparedRenderJob> {
  return prepareRenderJob(env.kit.deps, { templateId: 'reference', props, priorityClass });
}

/** A job rendered by a fake worker and indexed done; returns the render's calls. */
async function rendered(prepared: PreparedRenderJob): Promise<ReturnType<typeof fakeRender>> {
  const render = fakeRender();
  env.kit.startWorker({ renderVideo: render.renderVideo });
  await requestOnce(env.kit.deps, prepared);
  expect((await waitForRender(env.kit.deps, prepared.renderKey, 10_000)).state).toBe('done');
  return render;
}

async function jobsInQueue(): Promise<number> {
  const counts = await env.kit.rq.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('requestOnce', () => {
  it('two producers at once make one job (and any number more)', async () => {
    const prepared = await job('api');
    const results = await Promise.all(Array.from({ length: 8 }, () => requestOnce(env.kit.deps, prepared)));
    expect(results.every((r) => r.outcome === 'added' || r.outcome === 'joined')).toBe(true);
    expect(await jobsInQueue()).toBe(1);
    expect((await env.kit.rq.queue.getJob(prepared.renderKey))?.id).toBe(prepared.renderKey);
  });

  it('answers done for a done and stored output, without touching the queue or the budget', async () => {
    const prepared = await job('live');
    const render = await rendered(prepared);
    let spent = 0;
    const again = await requestOnce(env.kit.deps, prepared, { beforeAdd: async () => void spent++ });
    expect(again).toEqual({ outcome: 'done', jobState: 'completed' });
    expect(spent).toBe(0);
    expect(render.calls).toHaveLength(1);
  });

  it('answers done for an output whose index record expired (done-record retention), from the store, and re-indexes it', async () => {
    const prepared = await job('api');
    const render = await rendered(prepared);
    // The record and the finished job have both expired; the file has not.
    await env.kit.deps.index.delete(prepared.renderKey);
    await env.kit.rq.queue.remove(prepared.renderKey);
    expect(await getRenderStatus(env.kit.deps, prepared.renderKey)).toMatchObject({ state: 'done', output: { storageKey: prepared.storageKey } });
    await env.kit.deps.index.delete(prepared.renderKey);
    expect(await requestOnce(env.kit.deps, prepared)).toEqual({ outcome: 'done', jobState: 'completed' });
    expect(await jobsInQueue()).toBe(0);
    expect(render.calls).toHaveLength(1);
    expect(await env.kit.deps.index.get(prepared.renderKey)).toMatchObject({ state: 'done', storageKey: prepared.storageKey, templateId: 'reference' });
  });

  it('replaces a finished job whose output is missing (two producers racing on it still make one job)', async () => {
    const prepared = await job('api');
    const render = await rendered(prepared);
    expect(await env.kit.rq.queue.getJobState(prepared.renderKey)).toBe('completed');
    // The index still says done; the store lost the object.
    await env.kit.store.delete(prepared.storageKey);
    const [a, b] = await Promise.all([requestOnce(env.kit.deps, prepared), requestOnce(env.kit.deps, prepared)]);
    expect([a.outcome, b.outcome]).not.toContain('done');
    expect((await waitForRender(env.kit.deps, prepared.renderKey, 10_000)).state).toBe('done');
    expect(render.calls).toHaveLength(2);
    expect(await env.kit.store.head(prepared.storageKey)).toBeDefined();
  });

  it('replaces a failed job: a fresh request gets a fresh chance', async () => {
    const render = fakeRender({ failures: [new AppError('INVALID_PROPS', 'refused once')] });
    env.kit.startWorker({ renderVideo: render.renderVideo });
    const prepared = await job('api');
    await requestOnce(env.kit.deps, prepared);
    await until(async () => (await env.kit.rq.queue.getJobState(prepared.renderKey)) === 'failed', 10_000, 'failed job');
    expect((await requestOnce(env.kit.deps, prepared)).outcome).toBe('added');
    expect((await waitForRender(env.kit.deps, prepared.renderKey, 10_000)).state).toBe('done');
  });

  it('raises a waiting campaign job to live priority, and a campaign request never lowers one', async () => {
    const props = { name: 'Raise', points: 1 };
    const campaign = await job('campaign', props);
    expect((await requestOnce(env.kit.deps, campaign)).outcome).toBe('added');
    expect((await env.kit.rq.queue.getJob(campaign.renderKey))?.priority).toBe(priorities.campaign);
    let spent = 0;
    const live = await requestOnce(env.kit.deps, await job('live', props), { beforeAdd: async () => void spent++ });
    expect(live.outcome).toBe('joined');
    expect(spent).toBe(0);
    expect((await env.kit.rq.queue.getJob(campaign.renderKey))?.priority).toBe(priorities.live);
    expect((await requestOnce(env.kit.deps, campaign)).outcome).toBe('joined');
    expect((await env.kit.rq.queue.getJob(campaign.renderKey))?.priority).toBe(priorities.live);
    expect(await jobsInQueue()).toBe(1);
  });

  it('raises the priority while a producer waits, and the raised job runs first', async () => {
    const render = fakeRender({ delayMs: 5 });
    const worker = env.kit.startWorker({ renderVideo: render.renderVideo }, { concurrency: 1 }, { paused: true });
    const backlog = await Promise.all([1, 2, 3].map((points) => job('campaign', { name: 'Backlog', points })));
    for (const prepared of backlog) await requestOnce(env.kit.deps, prepared);
    const last = backlog[2]!;
    const waited = waitForRender(env.kit.deps, last.renderKey, 10_000);
    await requestOnce(env.kit.deps, await job('live', { name: 'Backlog', points: 3 }));
    worker.run();
    expect((await waited).state).toBe('done');
    expect(render.calls[0]?.props.points).toBe(3);
  });

  it('spends the budget only when it adds, and adds nothing when the budget refuses', async () => {
    const prepared = await job('live');
    const refused = await requestOnce(env.kit.deps, prepared, {
      beforeAdd: async () => {
        throw new AppError('RATE_LIMITED', 'spent');
      },
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(await jobsInQueue()).toBe(0);
  });

  it('a refused budget leaves a finished job (whose output is gone) where it was', async () => {
    const prepared = await job('live');
    const render = await rendered(prepared);
    await env.kit.store.delete(prepared.storageKey);
    const refuse = async () => {
      throw new AppError('RATE_LIMITED', 'spent');
    };
    await expect(requestOnce(env.kit.deps, prepared, { beforeAdd: refuse })).rejects.toBeInstanceOf(AppError);
    expect(await env.kit.rq.queue.getJobState(prepared.renderKey)).toBe('completed');
    expect(render.calls).toHaveLength(1);
  });
});

describe('claimJobSlot', () => {
  it('is free for an unknown key, joined for a job in flight, free again once a finished job is removed', async () => {
    const prepared = await job('campaign');
    expect((await claimJobSlot(env.kit.rq.queue, prepared.renderKey)).slot).toBe('free');
    await env.kit.rq.queue.add(prepared.name, prepared.data, prepared.opts);
    expect(await claimJobSlot(env.kit.rq.queue, prepared.renderKey)).toMatchObject({ slot: 'joined' });
    const render = fakeRender();
    env.kit.startWorker({ renderVideo: render.renderVideo });
    await waitForRender(env.kit.deps, prepared.renderKey, 10_000);
    expect(await claimJobSlot(env.kit.rq.queue, prepared.renderKey)).toEqual({ slot: 'free', state: 'unknown' });
    expect(await env.kit.rq.queue.getJobState(prepared.renderKey)).toBe('unknown');
  });
});
