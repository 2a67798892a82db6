import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/encode/index.js';
import { enqueueRender, waitForRender, type RenderJobProgress } from '../../../src/renders/index.js';
import { createTestEngine, type TestEngine } from '../../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { createQueueKit, type QueueKit } from './queue-test-kit.js';

let redis: EmbeddedRedis;
let kit: QueueKit;
let engine: TestEngine;

beforeAll(async () => {
  redis = await startTestRedis();
  kit = await createQueueKit(redis.url);
  engine = await createTestEngine({ poolSize: 1 });
});
afterAll(async () => {
  await kit?.close();
  await engine?.close();
  await redis?.destroy();
});

describe('queue with the real renderer', () => {
  it('renders `reference` through the queue into the store', async () => {
    const progress: RenderJobProgress[] = [];
    kit.startWorker({
      // Ten frames keep the test short; everything else is the production path.
      renderVideo: (request) => engine.renderVideo({ ...request, frames: { start: 0, end: 9 } }),
      progressIntervalMs: 0,
    });
    kit.rq.events!.on('progress', ({ data }) => void progress.push(data as RenderJobProgress));
    const { renderKey, storageKey } = await enqueueRender(kit.deps, {
      templateId: 'reference',
      props: { name: 'Queue', points: 42 },
      priorityClass: 'live',
    });

    const status = await waitForRender(kit.deps, renderKey, 60_000);
    expect(status.state).toBe('done');
    expect(status.output).toMatchObject({ storageKey, contentType: 'video/mp4' });
    const file = kit.store.localPath!(storageKey)!;
    const info = await probe(file, { countFrames: true });
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(info.video?.frames).toBe(10);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ percent: 100, framesDone: 10, totalFrames: 10 });
    expect(await kit.index.get(renderKey)).toMatchObject({ state: 'done', templateId: 'reference', size: status.output!.size });
  }, 90_000);
});
