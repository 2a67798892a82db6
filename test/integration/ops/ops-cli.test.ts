import { execFile } from 'node:child_process';
import path from 'node:path';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStatsRecorder } from '../../../src/ops/queue-stats/index.js';
import { QUEUE_PREFIX, closeRedisConnection, createRedisConnection, startWorkerHeartbeat, type WorkerHeartbeat } from '../../../src/queue/index.js';
import { repoRoot } from '../../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

const bin = path.join(repoRoot, 'bin/mastercut');

// Every case spawns the real CLI (tsx compiles it at each start): slow on a busy machine, never a hang.
vi.setConfig({ testTimeout: 240_000 });

/** Runs `bin/mastercut ops ...` as a user would, with only the given settings. */
function ops(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  delete clean.REDIS_URL;
  return new Promise((resolve) => {
    execFile(bin, ['ops', ...args], { env: { ...clean, LOG_LEVEL: 'silent', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let server: EmbeddedRedis;
let redis: Redis;
let env: Record<string, string>;
const queues: Record<string, Queue> = {};

beforeAll(async () => {
  server = await startTestRedis();
  redis = createRedisConnection(server.url);
  env = { REDIS_URL: server.url };
  for (const name of ['render', 'transcode', 'webhooks']) queues[name] = new Queue(name, { connection: redis, prefix: QUEUE_PREFIX });
});

afterAll(async () => {
  await Promise.all(Object.values(queues).map((q) => q.close()));
  await closeRedisConnection(redis);
  await server?.destroy();
});

/** Runs every waiting job of `name` through a throwaway worker, failing those `fail` picks; resolves when all are finished. */
async function processAll(name: string, count: number, fail: (n: number) => boolean): Promise<void> {
  const connection = createRedisConnection(server.url);
  let finished = 0;
  const done = new Promise<void>((resolve) => {
    const worker = new Worker(
      name,
      async (job) => {
        if (fail((job.data as { n: number }).n)) throw new UnrecoverableError('synthetic failure');
        return 'ok';
      },
      { connection, prefix: QUEUE_PREFIX, concurrency: 4 },
    );
    const tick = () => {
      if (++finished === count) void worker.close().then(() => resolve());
    };
    worker.on('completed', tick);
    worker.on('failed', tick);
  });
  await done;
  await closeRedisConnection(connection);
}

describe('mastercut ops status', () => {
  let heartbeats: WorkerHeartbeat[] = [];
  beforeAll(async () => {
    // A render backlog of 40, and a history of 30 completions of 2 s each, recorded as render workers do.
    await queues.render!.addBulk(Array.from({ length: 40 }, (_, n) => ({ name: 'r', data: { n } })));
    const recorder = createStatsRecorder(redis, { queueName: 'render' });
    for (let i = 0; i < 30; i++) await recorder.record({ outcome: 'completed', durationMs: 2_000 });
    heartbeats = [
      startWorkerHeartbeat(redis, { role: 'render', id: 'render-a', info: { concurrency: 2 } }),
      startWorkerHeartbeat(redis, { role: 'transcode', id: 'transcode-a', info: { concurrency: 3, encoders: 'h264_nvenc,libx264' } }),
    ];
    await Promise.all(heartbeats.map((h) => h.beat()));
  });
  afterAll(async () => {
    await Promise.all(heartbeats.map((h) => h.stop()));
    await queues.render!.obliterate({ force: true });
  });

  it('--json: one entry per queue with counts, completions, workers and advice', async () => {
    const { code, stdout, stderr } = await ops(['status', '--json', '--target-drain', '10m'], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.targetDrainSec).toBe(600);
    expect(report.queues.map((q: { queue: string }) => q.queue)).toEqual(['render', 'transcode', 'webhooks']);
    const render = report.queues[0];
    expect(render.counts).toMatchObject({ waiting: 40, active: 0, delayed: 0, failed: 0 });
    expect(render.backlog).toBe(40);
    expect(render.windows.map((w: { minutes: number; completed: number }) => [w.minutes, w.completed])).toEqual([
      [5, 30],
      [15, 30],
    ]);
    expect(render.serviceSecPerJob).toBe(2);
    expect(render.workers).toEqual([expect.objectContaining({ id: 'render-a', concurrency: 2 })]);
    // (arrivals + 40 / 600) x 2 s / 2 per worker, whatever the measured arrivals: the formula's answer.
    const exact = (render.arrivalPerSec + 40 / 600) * 2 / 2;
    expect(render.advice.workers).toBe(Math.max(1, Math.ceil(exact - 1e-9)));
    expect(render.advice.current).toBe(1);
    expect(render.advice.targetDrainSec).toBe(600);
    const transcode = report.queues[1];
    expect(transcode.workers).toEqual([expect.objectContaining({ id: 'transcode-a', concurrency: 3, encoders: 'h264_nvenc,libx264' })]);
    // Idle: the minimum (OPS_MIN_WORKERS default 1).
    expect(transcode.advice).toMatchObject({ workers: 1, drainSec: 0 });
  });

  it('--queue picks one queue; the table names every figure', async () => {
    const json = await ops(['status', '--queue', 'render', '--json'], env);
    expect(JSON.parse(json.stdout).queues.map((q: { queue: string }) => q.queue)).toEqual(['render']);
    const { code, stdout } = await ops(['status', '--queue', 'render'], env);
    expect(code).toBe(0);
    for (const label of ['waiting        40', 'active', 'delayed', 'failed', 'completed', '30 in 5m', 'workers (1)', 'render-a (x2)', 'time to drain', 'recommended', 'within 1h']) {
      expect(stdout).toContain(label);
    }
    expect(stdout).not.toContain('transcode');
  });
});

describe('mastercut ops pause|resume|retry-failed|clean', () => {
  it('pause and resume change Queue.isPaused', async () => {
    const paused = await ops(['pause', 'transcode'], env);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/transcode paused/);
    expect(await queues.transcode!.isPaused()).toBe(true);
    const status = JSON.parse((await ops(['status', '--queue', 'transcode', '--json'], env)).stdout);
    expect(status.queues[0].paused).toBe(true);
    const resumed = await ops(['resume', 'transcode'], env);
    expect(resumed.code).toBe(0);
    expect(await queues.transcode!.isPaused()).toBe(false);
  });

  it('retry-failed moves failed jobs back to waiting, only the recent ones with --since', async () => {
    const q = queues.webhooks!;
    await q.addBulk(Array.from({ length: 3 }, (_, n) => ({ name: 'w', data: { n }, opts: { jobId: `wh-${n}`, attempts: 1 } })));
    await processAll('webhooks', 3, () => true);
    expect(await q.getFailedCount()).toBe(3);
    // wh-0 failed three hours ago (its score in the failed set is its finish time).
    await redis.zadd(q.toKey('failed'), 'XX', Date.now() - 3 * 3_600_000, 'wh-0');

    const recent = await ops(['retry-failed', 'webhooks', '--since', '2h'], env);
    expect(recent.code).toBe(0);
    expect(recent.stdout).toMatch(/retried 2 failed job\(s\) of webhooks that failed in the last 2h/);
    expect(await q.getFailedCount()).toBe(1);
    expect(await q.getWaitingCount()).toBe(2);
    expect((await q.getJob('wh-0'))?.failedReason).toBe('synthetic failure');

    const all = await ops(['retry-failed', 'webhooks', '--json'], env);
    expect(JSON.parse(all.stdout)).toEqual({ queue: 'webhooks', retried: 1, skipped: 0 });
    expect(await q.getFailedCount()).toBe(0);
    expect(await q.getWaitingCount()).toBe(3);
    await q.obliterate({ force: true });
  });

  it('clean removes jobs older than --older-than from the state asked (completed by default)', async () => {
    const q = queues.render!;
    await q.addBulk(Array.from({ length: 5 }, (_, n) => ({ name: 'r', data: { n }, opts: { jobId: `r-${n}`, removeOnComplete: false, removeOnFail: false } })));
    await processAll('render', 5, (n) => n >= 3);
    expect(await q.getCompletedCount()).toBe(3);
    expect(await q.getFailedCount()).toBe(2);
    const tenDaysAgo = Date.now() - 10 * 86_400_000;
    await redis.zadd(q.toKey('completed'), 'XX', tenDaysAgo, 'r-0', tenDaysAgo, 'r-1');
    await redis.zadd(q.toKey('failed'), 'XX', tenDaysAgo, 'r-3');

    const completed = await ops(['clean', 'render', '--older-than', '7d'], env);
    expect(completed.code).toBe(0);
    expect(completed.stdout).toMatch(/removed 2 completed job\(s\) older than 7d from render/);
    expect(await q.getCompletedCount()).toBe(1);
    expect(await q.getJob('r-0')).toBeUndefined();
    expect(await q.getJob('r-2')).toBeDefined();

    const failed = await ops(['clean', 'render', '--older-than', '7d', '--state', 'failed', '--json'], env);
    expect(JSON.parse(failed.stdout)).toEqual({ queue: 'render', state: 'failed', removed: 1 });
    expect(await q.getFailedCount()).toBe(1);
    await q.obliterate({ force: true });
  });
});

describe('mastercut ops: clear errors', () => {
  it('unknown queue: exit 2 and the list of valid ones', async () => {
    const { code, stderr } = await ops(['pause', 'renders'], env);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown queue "renders"; valid queues: render, transcode, webhooks/);
  });

  it('bad durations and missing flags: exit 2 with an example', async () => {
    const bad = await ops(['clean', 'render', '--older-than', 'seven days'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--older-than: cannot read "seven days" as a duration; use e\.g\. 90s, 15m, 2h, 7d/);
    const missing = await ops(['clean', 'render'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/clean needs --older-than/);
    expect((await ops(['retry-failed', 'render', '--since', 'yesterday'], env)).stderr).toMatch(/--since: cannot read "yesterday"/);
  });

  it('Redis unreachable or REDIS_URL unset: says how to set REDIS_URL', async () => {
    const down = await ops(['status'], { REDIS_URL: 'redis://user:hunter2@127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/REDIS_UNAVAILABLE.*cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED.*REDIS_URL=redis:\/\/host:6379/);
    // Credentials in the URL never reach the message.
    expect(down.stderr).not.toContain('hunter2');
    const unset = await ops(['status'], {});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/REDIS_URL is not set.*REDIS_URL=redis:\/\/127\.0\.0\.1:6379/);
  });
});
