import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueueStats, createStatsRecorder } from '../../../src/ops/queue-stats/index.js';
import { adviseQueue, recommendWorkers, registerScalingMetrics } from '../../../src/ops/scaling/index.js';
import {
  QUEUE_PREFIX,
  closeRedisConnection,
  createJobWorker,
  createRedisConnection,
  startWorkerHeartbeat,
  type WorkerRole,
} from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// Two-second buckets so a run of a few seconds spans several of them (production uses 60 s).
const BUCKET_S = 2;
const SERVICE_MS = 200;

let redisServer: EmbeddedRedis;
let redis: Redis;

beforeAll(async () => {
  redisServer = await startTestRedis();
  redis = createRedisConnection(redisServer.url);
});

afterAll(async () => {
  await closeRedisConnection(redis);
  await redisServer?.destroy();
});

/**
 * One real BullMQ worker (concurrency 1, each job takes SERVICE_MS) fed by a
 * producer that adds one job every `everyMs` for `forMs`. Returns what really
 * happened (add times, processing times) to compare the measurements with.
 */
async function runFarm(queueName: string, everyMs: number, forMs: number) {
  const connection = createRedisConnection(redisServer.url);
  const recorder = createStatsRecorder(redis, { queueName, bucketSeconds: BUCKET_S });
  const durations: number[] = [];
  const worker = createJobWorker<{ n: number }, number>(
    async (job) => {
      const t0 = performance.now();
      await sleep(SERVICE_MS);
      durations.push(performance.now() - t0);
      return (job.data as { n: number }).n;
    },
    { connection, queueName, concurrency: 1, autorun: false, recordQueueStats: recorder.hook },
  );
  const heartbeat = startWorkerHeartbeat(redis, { role: queueName as WorkerRole, id: `${queueName}-w1`, info: { concurrency: 1, encoders: 'cpu' } });
  const queue = new Queue(queueName, { connection: redis, prefix: QUEUE_PREFIX });
  worker.run();
  const adds: number[] = [];
  const start = Date.now();
  for (let n = 0; Date.now() - start < forMs; n++) {
    await queue.add('synthetic', { n });
    adds.push(Date.now());
    const next = start + (n + 1) * everyMs;
    await sleep(Math.max(0, next - Date.now()));
  }
  return {
    adds,
    durations,
    async stop() {
      await worker.shutdown(5_000);
      await heartbeat.stop();
      await queue.close();
      await closeRedisConnection(connection);
    },
  };
}

const within = (measured: number | null, truth: number, tolerance: number) => {
  expect(measured).not.toBeNull();
  expect(Math.abs(measured! - truth) / truth).toBeLessThanOrEqual(tolerance);
};

describe('queue stats measured from real workers', () => {
  it('steady state: measures arrival and service, and advises one worker', async () => {
    const name = `steady-${Date.now()}`;
    // 4 jobs/s at 0.2 s each: one worker is 80% busy.
    const farm = await runFarm(name, 250, 7_000);
    const reader = createQueueStats({ redis }, { bucketSeconds: BUCKET_S });
    try {
      const stats = await reader.read(name, { windowsMinutes: [6 / 60], rateWindowMinutes: 6 / 60, historyMinutes: 6 / 60 });
      const now = Date.parse(stats.at);
      const truthArrival = farm.adds.filter((t) => t > now - stats.arrivalSpanSec * 1000).length / stats.arrivalSpanSec;
      const truthService = farm.durations.reduce((a, b) => a + b, 0) / farm.durations.length / 1000;

      expect(stats.arrivalBasis).toBe('backlog');
      expect(stats.arrivalSpanSec).toBeGreaterThan(3);
      within(stats.arrivalPerSec, truthArrival, 0.25);
      within(stats.serviceSecPerJob, truthService, 0.25);
      expect(stats.windows[0]!.completed).toBeGreaterThan(0);
      expect(stats.history.length).toBe(3);
      expect(stats.workers).toEqual([expect.objectContaining({ id: `${name}-w1`, concurrency: 1, encoders: 'cpu' })]);
      expect(stats.onlineConcurrency).toBe(1);

      const options = { targetDrainSec: 60, minWorkers: 0, maxWorkers: 10, concurrency: {} };
      const advice = adviseQueue(stats, options);
      // 4/s x 0.2 s = 0.8 of a worker (plus a tiny backlog): one worker keeps up.
      expect(advice.workers).toBe(1);
      expect(advice.current).toBe(1);
      const truthAdvice = recommendWorkers({ backlog: stats.backlog, arrivalPerSec: truthArrival, serviceSecPerJob: truthService, concurrencyPerWorker: 1, targetDrainSec: 60 });
      expect(advice.workers).toBe(truthAdvice.workers);
      expect(Number.isFinite(advice.drainSec!)).toBe(true);
    } finally {
      await reader.close();
      await farm.stop();
    }
  });

  it('arrivals faster than one worker: counts the backlog growth and advises more workers', async () => {
    const name = `overload-${Date.now()}`;
    // 10 jobs/s against one worker that clears 5/s: the backlog grows ~5 jobs/s.
    const farm = await runFarm(name, 100, 6_000);
    const reader = createQueueStats({ redis }, { bucketSeconds: BUCKET_S });
    try {
      const stats = await reader.read(name, { windowsMinutes: [6 / 60], rateWindowMinutes: 6 / 60 });
      const now = Date.parse(stats.at);
      const truthArrival = farm.adds.filter((t) => t > now - stats.arrivalSpanSec * 1000).length / stats.arrivalSpanSec;
      const completionRate = stats.windows[0]!.completedPerMinute / 60;

      expect(stats.backlog).toBeGreaterThan(10);
      // Completions alone would say ~5/s; the backlog growth brings the measure to the real ~10/s.
      within(stats.arrivalPerSec, truthArrival, 0.25);
      expect(stats.arrivalPerSec!).toBeGreaterThan(completionRate * 1.4);

      const advice = adviseQueue(stats, { targetDrainSec: 60, minWorkers: 1, maxWorkers: 10, concurrency: {} });
      // One worker falls behind for ever; (10/s + backlog/60) x 0.2 s needs at least 2, more likely 3.
      expect(advice.drainSec).toBe(Number.POSITIVE_INFINITY);
      const exact = (stats.arrivalPerSec! + stats.backlog / 60) * stats.serviceSecPerJob!;
      expect(advice.workers).toBe(Math.ceil(exact - 1e-9));
      expect(advice.workers).toBeGreaterThanOrEqual(2);
      // The cap wins over the measured need.
      expect(adviseQueue(stats, { targetDrainSec: 60, minWorkers: 1, maxWorkers: 1, concurrency: {} }).workers).toBe(1);
    } finally {
      await reader.close();
      await farm.stop();
    }
  });

  it('a part of a job (a split render\'s chunk) adds its time to the service time, not a completion', async () => {
    const name = `parts-${Date.now()}`;
    const recorder = createStatsRecorder(redis, { queueName: name, bucketSeconds: BUCKET_S });
    const reader = createQueueStats({ redis }, { bucketSeconds: BUCKET_S });
    try {
      // Two chunks of 3 s (one lost once: 1 s of work retried) and a 0.5 s join make one render of 7.5 slot-seconds.
      await recorder.record({ outcome: 'retried', durationMs: 1_000, part: true });
      await recorder.record({ outcome: 'completed', durationMs: 3_000, part: true });
      await recorder.record({ outcome: 'completed', durationMs: 3_000, part: true });
      await recorder.record({ outcome: 'completed', durationMs: 500 });
      // An unsplit render of 2.5 s next to it: 10 s of work over 2 renders.
      await recorder.record({ outcome: 'completed', durationMs: 2_500 });
      const stats = await reader.read(name, { windowsMinutes: [1], rateWindowMinutes: 1 });
      expect(stats.serviceSecPerJob).toBe(5);
      expect(stats.windows[0]).toMatchObject({ completed: 2, failed: 0 });
      expect(stats.history.reduce((n, b) => n + b.retried, 0)).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('an idle queue with no history reads as idle and is advised the minimum', async () => {
    const reader = createQueueStats({ redis }, { bucketSeconds: BUCKET_S });
    try {
      const stats = await reader.read(`idle-${Date.now()}`);
      expect(stats.backlog).toBe(0);
      expect(stats.serviceSecPerJob).toBeNull();
      expect(stats.arrivalPerSec).toBeNull();
      expect(stats.arrivalBasis).toBe('none');
      const advice = adviseQueue(stats, { targetDrainSec: 3600, minWorkers: 1, maxWorkers: 5, concurrency: {} });
      expect(advice).toMatchObject({ workers: 1, drainSec: 0, current: 0 });
    } finally {
      await reader.close();
    }
  });

  it('a backlog with no finished job yet asks for a worker to measure it', async () => {
    const name = `cold-${Date.now()}`;
    const queue = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
    const reader = createQueueStats({ redis }, { bucketSeconds: BUCKET_S });
    try {
      await queue.addBulk(Array.from({ length: 5 }, (_, n) => ({ name: 'synthetic', data: { n } })));
      const stats = await reader.read(name);
      expect(stats.counts.waiting).toBe(5);
      expect(stats.backlog).toBe(5);
      const advice = adviseQueue(stats, { targetDrainSec: 3600, minWorkers: 0, maxWorkers: 5, concurrency: {} });
      expect(advice.workers).toBe(1);
      expect(advice.drainSec).toBe(Number.POSITIVE_INFINITY);
      expect(advice.reason).toMatch(/no service time measured yet/);

      // The same advice as Prometheus gauges, computed on scrape.
      const registry = new Registry();
      registerScalingMetrics(registry, {
        readStats: (q) => reader.read(q),
        queues: [name],
        options: { targetDrainSec: 3600, minWorkers: 0, maxWorkers: 5, concurrency: {} },
      });
      const text = await registry.metrics();
      expect(text).toContain(`mastercut_recommended_workers{queue="${name}"} 1`);
      expect(text).toContain(`mastercut_queue_drain_seconds{queue="${name}"} +Inf`);
      // Not measured yet: no series rather than NaN.
      expect(text).not.toContain(`mastercut_queue_service_seconds{queue="${name}"}`);
      // Work finished: the next scrape follows.
      await queue.obliterate({ force: true });
      expect(await registry.metrics()).toContain(`mastercut_queue_drain_seconds{queue="${name}"} 0`);
    } finally {
      await reader.close();
      await queue.close();
    }
  });
});
