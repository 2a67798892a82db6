import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputIndex, createRenderQueue, type RenderQueue, enqueueRender, getRenderStatus, waitForRender } from '../../../src/renders/index.js';
import { probe } from '../../../src/encode/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/index.js';
import { createFileStore } from '../../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { startWorkerProcess, type WorkerChild } from '../../helpers/worker-process.js';
import { registry, until } from './queue-test-kit.js';

let redis: EmbeddedRedis;
const children: WorkerChild[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const child of children) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await redis?.destroy();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('render worker process', () => {
  it('refuses to start on an evicting Redis, with a clear message and a non-zero exit', async () => {
    const lru = await startTestRedis({ maxmemoryPolicy: 'allkeys-lru' });
    try {
      const child = startWorkerProcess({ redisUrl: lru.url, args: ['--eviction-check', 'refuse'], storeRoot: os.tmpdir() });
      children.push(child);
      expect(await child.exited).toBe(1);
      expect(child.output()).toMatch(/CONFIG_INVALID.*maxmemory-policy is "allkeys-lru"/);
    } finally {
      await lru.destroy();
    }
  }, 30_000);

  it('kill -9 mid-render: another worker takes the job over; one output, never a partial one', async () => {
    const storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-proc-store-'));
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-proc-work-'));
    dirs.push(storeRoot, workDir);
    const queueName = `q-${randomUUID()}`;
    const rq: RenderQueue = createRenderQueue({ redisUrl: redis.url, queueName });
    const conn = createRedisConnection(redis.url);
    const deps = { queue: rq.queue, events: rq.events, registry, index: createOutputIndex(conn), store: createFileStore({ root: storeRoot }) };
    // Short locks so the takeover happens in seconds, not the default 30 s.
    const args = ['--concurrency', '1', '--queue', queueName, '--work-dir', workDir, '--lock-duration-ms', '2000', '--stalled-interval-ms', '1000'];

    // Watch what a reader of the store can see, all along: hidden names are
    // the store's own temp files; anything visible must be final.
    const seen = new Map<string, Set<number>>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const names = await readdir(path.join(storeRoot, 'renders')).catch(() => [] as string[]);
        for (const name of names.filter((n) => !n.startsWith('.'))) {
          const size = await stat(path.join(storeRoot, 'renders', name)).then((s) => s.size, () => -1);
          if (size >= 0) seen.set(name, (seen.get(name) ?? new Set()).add(size));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    try {
      // Two workers on one queue, as in production; whichever takes the job is killed.
      const pair = [startWorkerProcess({ redisUrl: redis.url, args, storeRoot }), startWorkerProcess({ redisUrl: redis.url, args, storeRoot })];
      children.push(...pair);
      await until(() => pair.every((w) => /render worker ready/.test(w.output())), 60_000, 'workers ready');
      // Full `reference` (150 frames): slow enough to be killed mid-render.
      const { renderKey, storageKey } = await enqueueRender(deps, { templateId: 'reference', props: { name: 'Kill', points: 9 }, priorityClass: 'api' });
      const victim = await until(() => pair.find((w) => /render started/.test(w.output())), 30_000, 'render start');
      const survivor = pair.find((w) => w !== victim)!;
      await until(async () => ((await getRenderStatus(deps, renderKey)).progress?.percent ?? 0) >= 10, 90_000, 'render progress');
      victim.proc.kill('SIGKILL');
      await victim.exited;
      expect(await deps.store.head(storageKey)).toBeUndefined();

      const status = await waitForRender(deps, renderKey, 120_000);
      expect(status.state, survivor.output().slice(-2000)).toBe('done');
      // The survivor found the dead worker's job through BullMQ's stalled check.
      expect(survivor.output()).toMatch(/stalled job moved back to wait/);
      expect(survivor.output()).toMatch(/render published/);

      const job = await rq.queue.getJob(renderKey);
      expect(job?.finishedOn).toBeGreaterThan(0);
      const info = await probe(deps.store.localPath!(storageKey)!, { countFrames: true });
      expect(info.video?.frames).toBe(150);

      watching = false;
      await watcher;
      expect([...seen.keys()]).toEqual([path.basename(storageKey)]);
      expect([...seen.get(path.basename(storageKey))!]).toEqual([info.sizeBytes]);

      survivor.proc.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
      expect(survivor.output()).toMatch(/render worker stopped/);
    } finally {
      watching = false;
      await watcher;
      await rq.close();
      await closeRedisConnection(conn);
    }
  }, 240_000);
});
