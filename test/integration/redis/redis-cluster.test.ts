import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvictionPolicy, closeRedisConnection, createRedisConnection, createSubscriberConnection, farmNode, isClusterConnection, listWorkers, startWorkerHeartbeat } from '../../../src/queue/index.js';
import { createErasureBroadcast } from '../../../src/live/index.js';
import { createProfileStore } from '../../../src/recipients/index.js';
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
    const registry = createRedisKeys(`${HASH_TAG}:test:cluster:`);
    const keys = registry.campaign('c1');
    // Chunk 0 claimed one key and was committed (`#n`).
    const chunk = registry.campaignChunkKeys('c1', 0);
    await redis.multi().hset(keys.meta, 'state', 'rendering', 'renders', '1').hset(chunk, 'k1', '', '#n', '1').exec();
    const counted = await runScript(redis, countCampaignOutcome, [keys.meta, chunk, keys.foreign], ['k1', 'rendered', '1', '0']);
    // 2: counted, and the campaign (one render, no deliverables wanted) became done with it.
    expect(counted).toBe(2);
    expect(await redis.hget(keys.meta, 'state')).toBe('done');
    // Its only key settled: the chunk's key hash is deleted.
    expect(await redis.exists(chunk)).toBe(0);
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
    const queue = new Queue('cluster-test', { connection, prefix: QUEUE_PREFIX });
    const worker = new Worker('cluster-test', async (job) => `done ${job.data.n}`, { connection: workerConnection, prefix: QUEUE_PREFIX });
    try {
      const job = await queue.add('j', { n: 7 });
      // Polled, not job.waitUntilFinished: QueueEvents starts reading at '$', and an event written
      // before its first XREAD reaches the node is never seen (the farm's waits poll too).
      await expect.poll(async () => (await queue.getJob(job.id!))?.returnvalue, { timeout: 60_000, interval: 100 }).toBe('done 7');
      expect(await redis.exists(`${QUEUE_PREFIX}:cluster-test:${job.id}`)).toBe(1);
    } finally {
      await worker.close();
      await queue.close();
      await Promise.allSettled([connection, workerConnection].map(closeRedisConnection));
    }
  });

  it('loads a script on the primary its keys live on, also from a pipeline (bulk profile upsert)', async () => {
    const store = createProfileStore(redis, { keys: createRedisKeys(`${HASH_TAG}:test:profiles:`), maxBytes: 10_000 });
    await store.putMany(['p1', 'p2', 'p3'].map((id) => ({ recipientId: id, json: JSON.stringify({ id }), hash: `h-${id}` })));
    expect((await store.get('p2'))?.version).toBe(1);
  });

  it('announces an erasure to every process and waits for each one (sharded pub/sub in the farm slot)', async () => {
    const connections: Redis[] = [];
    const connect = () => {
      const c = createSubscriberConnection(cluster.url);
      connections.push(c);
      return c;
    };
    try {
      const processes = await Promise.all(
        [0, 1, 2].map(async () => {
          const broadcast = createErasureBroadcast({ redis: connect(), connect }, { ackTimeoutMs: 60_000 });
          const heard: string[] = [];
          broadcast.onErased((subject) => heard.push(subject));
          await broadcast.start();
          return { broadcast, heard };
        }),
      );
      expect(processes.every((p) => p.broadcast.live())).toBe(true);
      // PUBLISH on a cluster counts only the subscribers of the node it ran on: the count must be every process.
      expect(await processes[0]!.broadcast.announce('a'.repeat(64))).toEqual({ receivers: 3, acks: 3 });
      for (const p of processes) expect(p.heard).toContain('a'.repeat(64));
      await Promise.all(processes.map((p) => p.broadcast.close()));
    } finally {
      await Promise.allSettled(connections.map(closeRedisConnection));
    }
  });
});
