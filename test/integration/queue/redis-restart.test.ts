import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRender, waitForRender } from '../../../src/renders/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { createQueueKit, fakeRender, until, type QueueKit } from './queue-test-kit.js';

let redis: EmbeddedRedis;
let kit: QueueKit;

beforeAll(async () => {
  redis = await startTestRedis({ aof: true });
  kit = await createQueueKit(redis.url);
});
afterAll(async () => {
  await kit?.close();
  await redis?.destroy();
});

describe('Redis restart (AOF on)', () => {
  it('the worker reconnects and every job completes, the one in flight included', async () => {
    const render = fakeRender({ delayMs: 700 });
    const outages: string[] = [];
    kit.redis.on('error', (err) => outages.push(err.message));
    kit.startWorker({ renderVideo: render.renderVideo }, { concurrency: 1 });
    const jobs = [];
    for (const points of [1, 2, 3, 4]) {
      jobs.push(await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Rs', points }, priorityClass: 'campaign' }));
    }
    // Let AOF (fsync every second) hold the jobs, then restart mid-render.
    await until(() => render.calls.length === 1, 5_000, 'first render');
    await new Promise((r) => setTimeout(r, 1_100));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 800));
    await redis.start();

    for (const { renderKey } of jobs) {
      expect((await waitForRender(kit.deps, renderKey, 20_000)).state).toBe('done');
    }
    for (const { storageKey } of jobs) expect(await kit.store.head(storageKey)).toBeDefined();
    // Each render happened once: the restart cost no job and duplicated none.
    expect(new Set(render.calls.map((c) => c.props.points)).size).toBe(4);
    // And Redis really was gone for a while.
    expect(outages.some((m) => /ECONNREFUSED/.test(m))).toBe(true);
  }, 60_000);
});
