import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFarmMetrics, QUEUE_STATES } from '../../../src/ops/index.js';
import { closeRedisConnection, createRedisConnection, QUEUE_PREFIX } from '../../../src/queue/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { parseMetricsText, select, valueOf } from '../../unit/ops/metrics/parse-metrics-text.js';

let redis: EmbeddedRedis;
let client: Redis;
const queues: Queue[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  client = createRedisConnection(redis.url);
});
afterAll(async () => {
  await Promise.allSettled(queues.map((q) => q.close()));
  if (client) await closeRedisConnection(client);
  await redis?.destroy();
});

describe('queue depth (mastercut_queue_jobs)', () => {
  it('reports every state of every watched queue, read from Redis on each scrape', async () => {
    const suffix = Date.now().toString(36);
    const render = new Queue(`render-${suffix}`, { connection: client, prefix: QUEUE_PREFIX });
    const transcode = new Queue(`transcode-${suffix}`, { connection: client, prefix: QUEUE_PREFIX });
    const webhooks = new Queue(`webhooks-${suffix}`, { connection: client, prefix: QUEUE_PREFIX });
    queues.push(render, transcode, webhooks);
    await render.add('a', {});
    await render.add('b', {}, { priority: 10 });
    await render.add('c', {}, { priority: 10 });
    await transcode.add('d', {}, { delay: 60_000 });

    const metrics = createFarmMetrics({ role: 'api', processMetrics: false });
    metrics.watchQueues([render, transcode, webhooks]);
    let samples = parseMetricsText(await metrics.metrics());
    for (const queue of [render, transcode, webhooks]) {
      expect(select(samples, 'mastercut_queue_jobs', { queue: queue.name }).map((s) => s.labels.state).sort()).toEqual([...QUEUE_STATES].sort());
    }
    expect(valueOf(samples, 'mastercut_queue_jobs', { queue: render.name, state: 'waiting' })).toBe(1);
    expect(valueOf(samples, 'mastercut_queue_jobs', { queue: render.name, state: 'prioritized' })).toBe(2);
    expect(valueOf(samples, 'mastercut_queue_jobs', { queue: transcode.name, state: 'delayed' })).toBe(1);
    expect(valueOf(samples, 'mastercut_queue_jobs', { queue: webhooks.name, state: 'waiting' })).toBe(0);
    expect(valueOf(samples, 'mastercut_queue_jobs', { queue: render.name, state: 'waiting', role: 'api' })).toBe(1);

    // Read on scrape: a new job shows on the next one.
    await webhooks.add('e', {});
    samples = parseMetricsText(await metrics.metrics());
    expect(valueOf(samples, 'mastercut_queue_jobs', { queue: webhooks.name, state: 'waiting' })).toBe(1);
  });

  it('leaves out a queue it cannot read (Redis down) instead of showing stale numbers, and the scrape still answers', async () => {
    const down = createRedisConnection('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    down.on('error', () => undefined);
    const unreachable = new Queue('render-down', { connection: down, prefix: QUEUE_PREFIX });
    unreachable.on('error', () => undefined);
    const ok = new Queue(`ok-${Date.now().toString(36)}`, { connection: client, prefix: QUEUE_PREFIX });
    queues.push(ok);
    const metrics = createFarmMetrics({ role: 'api', processMetrics: false });
    metrics.watchQueues([unreachable, ok], { timeoutMs: 500 });
    const samples = parseMetricsText(await metrics.metrics());
    expect(select(samples, 'mastercut_queue_jobs', { queue: 'render-down' })).toEqual([]);
    expect(select(samples, 'mastercut_queue_jobs', { queue: ok.name })).toHaveLength(QUEUE_STATES.length);
    await unreachable.close().catch(() => undefined);
    down.disconnect();
  });
});
