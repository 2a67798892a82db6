import { describe, expect, it } from 'vitest';
import { enqueueRender, waitForRender } from '../../../src/renders/index.js';
import { fakeRender, until, useQueueKit } from './queue-test-kit.js';

const env = useQueueKit();

describe('graceful shutdown', () => {
  it('finishes an active job within the grace period and takes no new one', async () => {
    const render = fakeRender({ delayMs: 600 });
    const worker = env.kit.startWorker({ renderVideo: render.renderVideo }, { concurrency: 1 });
    const first = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'G', points: 1 }, priorityClass: 'api' });
    const second = await enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'G', points: 2 }, priorityClass: 'api' });
    await until(() => render.calls.length === 1, 5_000, 'first render');

    const { returned } = await worker.shutdown(10_000);
    expect(returned).toBe(0);
    expect((await env.kit.rq.queue.getJob(first.renderKey))?.finishedOn).toBeGreaterThan(0);
    expect((await waitForRender(env.kit.deps, first.renderKey, 0)).state).toBe('done');
    expect(await env.kit.rq.queue.getJobState(second.renderKey)).toMatch(/waiting|prioritized/);
    expect(render.calls).toHaveLength(1);
  });

  it('returns jobs that outlive the grace period to the queue, unharmed, for another worker', async () => {
    const slow = fakeRender({ delayMs: 5_000 });
    const worker = env.kit.startWorker({ renderVideo: slow.renderVideo }, { concurrency: 2 });
    const keys = await Promise.all(
      [1, 2].map((points) => enqueueRender(env.kit.deps, { templateId: 'reference', props: { name: 'R', points }, priorityClass: 'campaign' })),
    );
    await until(() => slow.calls.length === 2, 5_000, 'both renders');

    const started = Date.now();
    const { returned } = await worker.shutdown(300);
    // Returned after its grace (300 ms), well before the 5 s renders would have ended by themselves.
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(returned).toBe(2);
    expect(slow.aborted).toBe(2);
    for (const { renderKey, storageKey } of keys) {
      const job = await env.kit.rq.queue.getJob(renderKey);
      expect(await job?.getState()).toMatch(/waiting|prioritized/);
      // A shutdown is not a failed attempt.
      expect(job?.attemptsMade).toBe(0);
      expect(await env.kit.store.head(storageKey)).toBeUndefined();
    }

    const fast = fakeRender({ delayMs: 10 });
    env.kit.startWorker({ renderVideo: fast.renderVideo });
    for (const { renderKey } of keys) expect((await waitForRender(env.kit.deps, renderKey, 10_000)).state).toBe('done');
    expect(fast.calls).toHaveLength(2);
  });
});
