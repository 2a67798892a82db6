import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import { sweepFinishedJobs } from '../../../src/queue/index.js';
import { enqueueRender, prepareRenderJob, renderJobKey, waitForRender, type RenderJobData } from '../../../src/renders/index.js';
import { createQueueKit, fakeRender, until, useQueueKit } from './queue-test-kit.js';

const env = useQueueKit({ backoffDelayMs: 200, backoffJitter: 0.5 });

describe('render worker', () => {
  it('fails a job with invalid props once, without retries, and reports it', async () => {
    const failed: string[] = [];
    const render = fakeRender();
    env.kit.startWorker({ renderVideo: render.renderVideo, onFailed: (_data, key) => void failed.push(key) });
    // Bypasses prepareRenderJob (a producer bug or an old job): the worker must still refuse it.
    const prepared = await prepareRenderJob(env.kit.deps, { templateId: 'reference', priorityClass: 'campaign', campaignId: 'c9' });
    const data: RenderJobData = { ...prepared.data, props: { name: '', points: -5 } };
    const key = renderJobKey(data);
    await env.kit.rq.queue.add('reference', data, { ...prepared.opts, jobId: key });

    const status = await waitForRender(env.kit.deps, key, 10_000);
    expect(status.state).toBe('failed');
    expect(status.error).toEqual({ code: 'INVALID_PROPS', message: expect.stringMatching(/schema/) });
    const job = await env.kit.rq.queue.getJob(key);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/^INVALID_PROPS/);
    // Refused by validation, before anything was rendered.
    expect(render.calls).toHaveLength(0);
    expect(failed).toEqual([key]);
    expect((await env.kit.index.get(key))?.state).toBe('failed');
  });

  it('retries a retryable error with exponential backoff and jitter, then succeeds', async () => {
    const failure = () => new AppError('FFMPEG_FAILED', 'encoder crashed');
    const render = fakeRender({ failures: [failure(), failure()] });
    const rendered: string[] = [];
    env.kit.startWorker({ renderVideo: render.renderVideo, onRendered: (_d, key) => void rendered.push(key) });
    const { renderKey } = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Re', points: 1 }, priorityClass: 'api' });

    const status = await waitForRender(env.kit.deps, renderKey, 15_000);
    expect(status.state).toBe('done');
    expect(render.calls).toHaveLength(3);
    const [a, b, c] = render.calls.map((call) => call.at);
    // delay 200 ms, jitter 0.5: first retry after 100-200 ms, second after 200-400 ms.
    expect(b! - a!).toBeGreaterThanOrEqual(95);
    expect(c! - b!).toBeGreaterThanOrEqual(195);
    expect(c! - b!).toBeLessThan(2_000);
    expect(rendered).toEqual([renderKey]);
  });

  it('fails for good after the last attempt', async () => {
    const render = fakeRender({ failures: [1, 2, 3].map(() => new Error('boom')) });
    const failed: string[] = [];
    env.kit.startWorker({ renderVideo: render.renderVideo, onFailed: (_d, key) => void failed.push(key) });
    const { renderKey } = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Fa', points: 1 }, priorityClass: 'api' });
    const status = await waitForRender(env.kit.deps, renderKey, 15_000);
    expect(status.state).toBe('failed');
    expect(status.error?.code).toBe('INTERNAL');
    expect(render.calls).toHaveLength(3);
    expect(failed).toEqual([renderKey]);
  });

  it('does not render an output that is already in the store', async () => {
    const render = fakeRender();
    const rendered: string[] = [];
    const prepared = await prepareRenderJob(env.kit.deps, { templateId: 'reference', props: { name: 'Sk', points: 4 }, priorityClass: 'campaign', campaignId: 'c2' });
    // An earlier try published the file, then died before it could finish the job.
    await env.kit.store.put(prepared.storageKey, (await import('node:stream')).Readable.from(['earlier']), { contentType: 'video/mp4' });
    await env.kit.rq.queue.add(prepared.name, prepared.data, prepared.opts);
    env.kit.startWorker({ renderVideo: render.renderVideo, onRendered: (_d, key) => void rendered.push(key) });

    const status = await waitForRender(env.kit.deps, prepared.renderKey, 10_000);
    expect(status.state).toBe('done');
    expect(render.calls).toHaveLength(0);
    expect(rendered).toEqual([prepared.renderKey]);
    expect((await env.kit.rq.queue.getJob(prepared.renderKey))?.returnvalue).toMatchObject({ skipped: true });
    expect(await env.kit.index.get(prepared.renderKey)).toMatchObject({ state: 'done', storageKey: prepared.storageKey, campaignId: 'c2' });
  });

  it('publishes the output whole and leaves no temp file behind', async () => {
    const render = fakeRender();
    env.kit.startWorker({ renderVideo: render.renderVideo });
    const { renderKey, storageKey } = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Pu', points: 5 }, priorityClass: 'api' });
    await waitForRender(env.kit.deps, renderKey, 10_000);
    const file = env.kit.store.localPath?.(storageKey);
    expect(file).toBeDefined();
    expect(await readFile(file!, 'utf8')).toContain('fake reference');
    expect(await readdir(env.kit.workDir)).toEqual([]);
  });

  it('aborts the render when the job lock cannot be renewed', async () => {
    // A render far longer than the test: only an abort ends it in time.
    const render = fakeRender({ delayMs: 30_000 });
    const worker = env.kit.startWorker({ renderVideo: render.renderVideo });
    const { renderKey } = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'Lk', points: 6 }, priorityClass: 'api' });
    await until(() => render.calls.length === 1, 5_000, 'render start');
    // What BullMQ's lock manager emits when the lock extension is refused.
    worker.worker.emit('lockRenewalFailed', [renderKey]);
    await until(() => render.aborted === 1, 20_000, 'abort');
    expect(await env.kit.store.head(`renders/${renderKey}.mp4`)).toBeUndefined();
  });

  it('removes finished jobs (and the personal data they carry) after the retention age', async () => {
    const short = await createQueueKit(env.redis.url, { completedRetentionSeconds: 1, failedRetentionSeconds: 1 });
    try {
      const render = fakeRender({ failures: [new AppError('TEMPLATE_ERROR', 'template threw')] });
      short.startWorker({ renderVideo: render.renderVideo });
      const failed = await enqueueRender(short.deps, { templateId: 'reference', props: { name: 'Old', points: 1 }, priorityClass: 'api' });
      const done = await enqueueRender(short.deps, { templateId: 'reference', props: { name: 'Old', points: 2 }, priorityClass: 'api' });
      expect((await waitForRender(short.deps, failed.renderKey, 10_000)).state).toBe('failed');
      expect((await waitForRender(short.deps, done.renderKey, 10_000)).state).toBe('done');
      expect(await short.rq.queue.getJob(done.renderKey)).toBeDefined();

      await new Promise((r) => setTimeout(r, 1_100));
      expect(await sweepFinishedJobs(short.rq.queue, short.rq.jobOptions)).toBe(2);
      expect(await short.rq.queue.getJob(done.renderKey)).toBeUndefined();
      expect(await short.rq.queue.getJob(failed.renderKey)).toBeUndefined();
      // The output and its index record outlive the job.
      expect((await waitForRender(short.deps, done.renderKey, 0)).state).toBe('done');
      expect((await waitForRender(short.deps, failed.renderKey, 0)).error?.code).toBe('TEMPLATE_ERROR');
    } finally {
      await short.close();
    }
  });
});
