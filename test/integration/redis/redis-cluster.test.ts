import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvictionPolicy, closeRedisConnection, createRedisConnection, farmNode, isClusterConnection, listWorkers, startWorkerHeartbeat } from '../../../src/queue/index.js';
import { countCampaignOutcome, createRedisKeys, HASH_TAG, QUEUE_PREFIX, runScript } from '../../../src/redis/index.js';
import { startTestRedisCluster, type TestRedisCluster } from '../../helpers/redis-cluster.js';

/**
 * The farm's Redis plumbing against a real three-primary Redis Cluster:
 * the connection factory, the keyless commands routed to the farm's
 * primary, a script and a MULTI over several keys, and a BullMQ job.
 */
let cluster: TestRedisCluster;
let redis: Redis;

beforeAll(async () => {
  cluster = await startTestRedisCluster();
  redis = createRedisConnection(cluster.url);
}, 120_000);
afterAll(async () => {
  if (redis) await closeRedisConnection(redis);
  await cluster?.destroy();
});

/** The port of the primary that owns `{mastercut}`, asked of one node. */
async function farmPort(): Promise<number> {
  const slot = Number(await cluster.nodeClient(cluster.nodes[0]!.port).call('CLUSTER', 'KEYSLOT', HASH_TAG));
  return cluster.nodes.find((n) => slot >= n.slots[0] && slot <= n.slots[1])!.port;
}

describe('the farm on a Redis Cluster of three primaries', () => {
  it('connects through the redis-cluster:// URL and sees three primaries', async () => {
    expect(isClusterConnection(redis)).toBe(true);
    await expect.poll(async () => (await redis.call('CLUSTER', 'INFO')) as string, { timeout: 30_000 }).toMatch(/cluster_size:3/);
  });

  it('sends keyless commands (SCAN, CONFIG GET) to the primary that owns the farm slot', async () => {
    const node = await farmNode(redis, HASH_TAG);
    expect(node.options.port).toBe(await farmPort());
    // SCAN from a random node would miss these two thirds of the time; ask ten times.
    const a = startWorkerHeartbeat(redis, { role: 'render', id: 'cluster-a', info: {} });
    const b = startWorkerHeartbeat(redis, { role: 'transcode', id: 'cluster-b', info: {} });
    await Promise.all([a.beat(), b.beat()]);
    for (let i = 0; i < 10; i++) expect((await listWorkers(redis)).map((w) => w.id)).toEqual(['cluster-a', 'cluster-b']);
    await Promise.all([a.stop(), b.stop()]);
    expect(await checkEvictionPolicy(redis, 'refuse')).toEqual({ policy: 'noeviction', ok: true });
  });

  it('runs a multi-key script and a MULTI: every key shares one slot', async () => {
    const keys = createRedisKeys(`${HASH_TAG}:test:cluster:`).campaign('c1');
    await redis.multi().hset(keys.meta, 'state', 'rendering', 'renders', '1').sadd(keys.keys, 'k1').exec();
    const counted = await runScript(redis, countCampaignOutcome, [keys.meta, keys.keys, keys.rendered, keys.failed, keys.foreign], ['k1', 'rendered', '1']);
    expect(counted).toBe(1);
    expect(await redis.hget(keys.meta, 'state')).toBe('done');
    // All of it sits on the farm's primary, nothing on the other two.
    const port = await farmPort();
    for (const node of cluster.nodes) {
      const count = await cluster.nodeClient(node.port).dbsize();
      if (node.port === port) expect(count).toBeGreaterThan(0);
      else expect(count).toBe(0);
    }
  });

  it('runs a BullMQ job under the {mastercut} prefix', { timeout: 120_000 }, async () => {
    const connection = createRedisConnection(cluster.url);
    const workerConnection = createRedisConnection(cluster.url);
    const eventsConnection = createRedisConnection(cluster.url);
    const queue = new Queue('cluster-test', { connection, prefix: QUEUE_PREFIX });
    const events = new QueueEvents('cluster-test', { connection: eventsConnection, prefix: QUEUE_PREFIX });
    const worker = new Worker('cluster-test', async (job) => `done ${job.data.n}`, { connection: workerConnection, prefix: QUEUE_PREFIX });
    try {
      await events.waitUntilReady();
      const job = await queue.add('j', { n: 7 });
      expect(await job.waitUntilFinished(events, 60_000)).toBe('done 7');
    } finally {
      await worker.close();
      await Promise.allSettled([queue.close(), events.close()]);
      await Promise.allSettled([connection, workerConnection, eventsConnection].map(closeRedisConnection));
    }
  });
});
