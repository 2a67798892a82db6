import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { priorities } from '../../../src/queue/index.js';
import { enqueueRender, getRenderStatus, prepareRenderJob, waitForRender } from '../../../src/renders/index.js';
import { fakeRender, until, useQueueKit } from './queue-test-kit.js';

const env = useQueueKit();

describe('enqueueRender', () => {
  it('queues identical requests once: same key, one job', async () => {
    const a = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 7 }, priorityClass: 'api' });
    // Same props in another key order, defaults spelled out: still the same render.
    const b = await enqueueRender(env.kit.deps, {
      templateId: 'reference',
      variant: 'landscape',
      format: 'mp4',
      props: { points: 7, name: 'Ana' },
      priorityClass: 'campaign',
    });
    expect(b.renderKey).toBe(a.renderKey);
    expect(a.state).toBe('queued');
    expect(b.state).toBe('queued');
    expect(a.storageKey).toBe(`renders/${a.renderKey}.mp4`);
    const counts = await env.kit.rq.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    expect(Object.values(counts).reduce((x, y) => x + y, 0)).toBe(1);
    const job = await env.kit.rq.queue.getJob(a.renderKey);
    expect(job?.opts.attempts).toBe(3);
    expect(job?.opts.backoff).toMatchObject({ type: 'exponential' });
    expect(job?.opts.removeOnComplete).toMatchObject({ age: expect.any(Number) });
  });

  it('gives other props and other formats other keys', async () => {
    const a = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 7 }, priorityClass: 'api' });
    const b = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 8 }, priorityClass: 'api' });
    const c = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 7 }, format: 'gif', priorityClass: 'api' });
    expect(new Set([a.renderKey, b.renderKey, c.renderKey]).size).toBe(3);
    expect(c.storageKey).toBe(`renders/${c.renderKey}.gif`);
    expect(await env.kit.rq.queue.count()).toBe(3);
  });

  it('refuses invalid props and unknown templates before anything is queued', async () => {
    const bad = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: '', points: -1 }, priorityClass: 'api' }).catch((e) => e);
    expect(isAppError(bad, 'INVALID_PROPS')).toBe(true);
    const unknown = await enqueueRender(env.kit.deps, { templateId: 'nope', priorityClass: 'api' }).catch((e) => e);
    expect(isAppError(unknown, 'TEMPLATE_NOT_FOUND')).toBe(true);
    const wrongVariant = await enqueueRender(env.kit.deps, { templateId: 'reference', variant: 'portrait', priorityClass: 'api' }).catch((e) => e);
    expect(isAppError(wrongVariant, 'VARIANT_NOT_FOUND')).toBe(true);
    expect(await env.kit.rq.queue.count()).toBe(0);
  });

  it('answers done without queueing when the output exists, and renders again when it was deleted', async () => {
    const render = fakeRender();
    env.kit.startWorker({ renderVideo: render.renderVideo });
    const first = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Bo', points: 1 }, priorityClass: 'live' });
    const status = await waitForRender(env.kit.deps, first.renderKey, 10_000);
    expect(status.state).toBe('done');
    expect(status.output).toMatchObject({ storageKey: first.storageKey, contentType: 'video/mp4' });
    expect(status.output!.size).toBeGreaterThan(0);

    const again = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Bo', points: 1 }, priorityClass: 'live' });
    expect(again.state).toBe('done');
    expect(render.calls).toHaveLength(1);

    // The completed job is still retained under the key; with its output
    // gone, a new request must replace it rather than be swallowed by dedupe.
    await env.kit.store.delete(first.storageKey);
    const third = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Bo', points: 1 }, priorityClass: 'live' });
    expect(third.state).not.toBe('done');
    expect((await waitForRender(env.kit.deps, first.renderKey, 10_000)).state).toBe('done');
    expect(render.calls).toHaveLength(2);
  });

  it('runs live before api before campaign', async () => {
    const render = fakeRender({ delayMs: 5 });
    const worker = env.kit.startWorker({ renderVideo: render.renderVideo }, { concurrency: 1 }, { paused: true });
    const order: [string, number][] = [
      ['campaign', 1], ['api', 2], ['live', 3], ['campaign', 4], ['live', 5], ['api', 6],
    ];
    for (const [priorityClass, points] of order) {
      await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'P', points }, priorityClass: priorityClass as 'live' });
    }
    worker.run();
    await until(() => render.calls.length === order.length, 10_000, 'all renders');
    expect(render.calls.map((c) => c.props.points)).toEqual([3, 5, 2, 6, 1, 4]);
  });

  it('raises a waiting campaign job to live priority when a live request asks for the same render', async () => {
    const req = { templateId: 'reference', props: { name: 'Up', points: 9 } };
    const { renderKey } = await enqueueRender(env.kit.deps, { ...req, priorityClass: 'campaign' });
    expect((await env.kit.rq.queue.getJob(renderKey))?.priority).toBe(priorities.campaign);
    await enqueueRender(env.kit.deps, { ...req, priorityClass: 'live' });
    expect((await env.kit.rq.queue.getJob(renderKey))?.priority).toBe(priorities.live);
  });

  it('prepares jobs for addBulk with the same key and options as enqueueRender', async () => {
    const prepared = await prepareRenderJob(env.kit.deps, { templateId: 'reference', props: { name: 'Cy', points: 3 }, priorityClass: 'campaign', campaignId: 'c1' });
    expect(prepared.opts).toMatchObject({ jobId: prepared.renderKey, priority: priorities.campaign, attempts: 3 });
    expect(prepared.data).toMatchObject({ templateId: 'reference', variant: 'landscape', format: 'mp4', campaignId: 'c1' });
    await env.kit.rq.queue.addBulk([prepared, prepared].map((p) => ({ name: p.name, data: p.data, opts: p.opts })));
    const again = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Cy', points: 3 }, priorityClass: 'campaign' });
    expect(again.renderKey).toBe(prepared.renderKey);
    expect(await env.kit.rq.queue.count()).toBe(1);
  });

  it('reports status: queued, then progress, then done; unknown keys are NOT_FOUND, bad keys INVALID_KEY', async () => {
    const { renderKey } = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'St', points: 2 }, priorityClass: 'api' });
    expect((await getRenderStatus(env.kit.deps, renderKey)).state).toBe('waiting');
    const render = fakeRender({ delayMs: 1_500 });
    env.kit.startWorker({ renderVideo: render.renderVideo, progressIntervalMs: 100 });
    const active = await until(async () => {
      const s = await getRenderStatus(env.kit.deps, renderKey);
      return s.state === 'active' && s.progress ? s : undefined;
    }, 10_000, 'progress');
    expect(active.progress!.percent).toBeGreaterThan(0);
    expect(active.progress!.totalFrames).toBe(10);
    const timedOut = await waitForRender(env.kit.deps, renderKey, 50);
    expect(timedOut.state).toBe('active');
    expect((await waitForRender(env.kit.deps, renderKey, 10_000)).state).toBe('done');
    expect(isAppError(await getRenderStatus(env.kit.deps, 'f'.repeat(64)).catch((e) => e), 'NOT_FOUND')).toBe(true);
    expect(isAppError(await getRenderStatus(env.kit.deps, '../etc/passwd').catch((e) => e), 'INVALID_KEY')).toBe(true);
  });
});
