/**
 * Queue overhead benchmark (prints figures; not a test).
 *
 *   npx tsx bench/queue-overhead.ts [renders=20]
 *
 * The same number of distinct `loyalty-tier` renders, on the same warm
 * browser pool: once called directly, once through the whole farm path
 * (enqueue -> Redis -> BullMQ worker -> render -> store put -> output index).
 * Target: the queue adds under 5%.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createOutputIndex, createRenderQueue, createRenderWorker, enqueueRender, waitForRender } from '../src/renders/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { createRenderEngine } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { closeRedisConnection, createRedisConnection } from '../src/queue/index.js';
import { createFileStore } from '../src/storage/index.js';

const count = Number(process.argv[2] ?? 20);
const config = loadConfig();
const engine = await createRenderEngine(config);
const work = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-queue-'));
const redis = await startEmbeddedRedis();
const tiers = ['Silver', 'Gold', 'Platinum'] as const;
const propsFor = (i: number, run: string) => ({
  firstName: `${run}${i}`,
  currentTier: tiers[i % 3],
  nextTier: ['Gold', 'Platinum', 'Diamond'][i % 3],
  points: 1000 + i,
  pointsToNextTier: 5000 + i,
  memberSince: 2000 + (i % 25),
});

try {
  await engine.pool.warm();
  await engine.renderVideo({ templateId: 'loyalty-tier', props: propsFor(0, 'warm'), out: path.join(work, 'warm.mp4') });

  let started = Date.now();
  for (let i = 0; i < count; i++) {
    await engine.renderVideo({ templateId: 'loyalty-tier', props: propsFor(i, 'direct'), out: path.join(work, `direct-${i}.mp4`) });
  }
  const directMs = Date.now() - started;

  const rq = createRenderQueue({ redisUrl: redis.url, queueName: 'bench' });
  const store = createFileStore({ root: path.join(work, 'store') });
  const index = createOutputIndex(rq.connection);
  const workDir = path.join(work, 'work');
  await mkdir(workDir, { recursive: true });
  const workerConnection = createRedisConnection(redis.url);
  const worker = createRenderWorker(
    { renderVideo: engine.renderVideo, store, index, workDir },
    { connection: workerConnection, queueName: 'bench', concurrency: 1 },
  );
  worker.run();
  const deps = { queue: rq.queue, events: rq.events, registry: engine.registry, index, store };
  started = Date.now();
  const keys = [];
  for (let i = 0; i < count; i++) {
    keys.push((await enqueueRender(deps, { templateId: 'loyalty-tier', props: propsFor(i, 'queued'), priorityClass: 'api' })).renderKey);
  }
  for (const key of keys) {
    const status = await waitForRender(deps, key, 600_000);
    if (status.state !== 'done') throw new Error(`render ${key} ended ${status.state}`);
  }
  const queuedMs = Date.now() - started;
  await worker.shutdown(5_000);
  await closeRedisConnection(workerConnection);
  await rq.close();

  const overhead = ((queuedMs - directMs) / directMs) * 100;
  console.log(`
queue overhead: ${count} distinct loyalty-tier renders (1280x720, 180 frames), ${engine.pool.size} browsers, worker concurrency 1
  rendered directly     ${(directMs / 1000).toFixed(2)} s  (${(directMs / count).toFixed(0)} ms per render)
  through the queue     ${(queuedMs / 1000).toFixed(2)} s  (${(queuedMs / count).toFixed(0)} ms per render)
  overhead              ${overhead.toFixed(1)}%  (target < 5%)
`);
} finally {
  await engine.close();
  await redis.destroy();
  await rm(work, { recursive: true, force: true });
}
