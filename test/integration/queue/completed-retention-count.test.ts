import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisConnection, createRedisConnection, resolveRenderJobOptions, sweepFinishedJobs } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

/**
 * JOB_KEEP_COMPLETED_COUNT: completed jobs are capped by count as well as age, so their memory is
 * bounded whatever the render rate (issue 15), and the sweep trims jobs kept under an earlier, larger cap.
 */
let server: EmbeddedRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url);
});
afterAll(async () => {
  if (redis) await closeRedisConnection(redis);
  await server?.destroy();
});

/** Adds `n` jobs with `opts`, runs them to completion with an instant processor, closes the worker. */
async function complete(queue: Queue, n: number, opts: object): Promise<void> {
  let done = 0;
  const connection = redis.duplicate();
  const worker = new Worker(queue.name, async () => 'ok', { connection, concurrency: 8 });
  const finished = new Promise<void>((resolve) => {
    worker.on('completed', () => ++done === n && resolve());
  });
  await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'render', data: { i }, opts: { ...opts, jobId: `job-${randomUUID()}` } })));
  await finished;
  await worker.close();
  connection.disconnect();
}

describe('completed render job retention by count', () => {
  it('defaults to 10,000 and omits the cap at 0 (BullMQ reads count 0 as keep none)', () => {
    expect(resolveRenderJobOptions().removeOnComplete).toEqual({ age: 3_600, count: 10_000 });
    expect(resolveRenderJobOptions({ completedRetentionCount: 0 }).removeOnComplete).toEqual({ age: 3_600 });
    expect(() => resolveRenderJobOptions({ completedRetentionCount: -1 })).toThrow(RangeError);
  });

  it('keeps at most the newest `count` completed jobs in real Redis, however young they are', async () => {
    const connection = redis.duplicate();
    const queue = new Queue(`count-${randomUUID()}`, { connection });
    const options = resolveRenderJobOptions({ completedRetentionSeconds: 3_600, completedRetentionCount: 20 });
    await complete(queue, 100, { removeOnComplete: options.removeOnComplete });
    expect(await queue.getCompletedCount()).toBe(20);
    // The jobs removed are gone from Redis, their hashes included (they carry props).
    const jobKeys = await redis.keys(`bull:${queue.name}:job-*`);
    expect(jobKeys).toHaveLength(20);
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it('sweeps jobs completed under a larger cap down to the count, oldest first', async () => {
    const connection = redis.duplicate();
    const queue = new Queue(`sweep-${randomUUID()}`, { connection });
    await complete(queue, 60, { removeOnComplete: { age: 3_600 } });
    const newest = (await queue.getCompleted(0, 14)).map((job) => job.id).sort();
    expect(await queue.getCompletedCount()).toBe(60);
    const removed = await sweepFinishedJobs(queue, resolveRenderJobOptions({ completedRetentionCount: 15 }));
    expect(removed).toBe(45);
    expect((await queue.getCompleted()).map((job) => job.id).sort()).toEqual(newest);
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });
});
