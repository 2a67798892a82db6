/**
 * Redis Cluster load spread (prints figures; not a test).
 *
 *   npx tsx bench/cluster-spread.ts [jobs=5000]
 *
 * Starts a three-primary Redis Cluster on free ports (test/helpers/redis-cluster.ts),
 * puts `jobs` render-queue jobs through BullMQ the way the farm does
 * (src/queue's connection factory and `{mastercut}` prefix, one output index
 * record and one stats script per finished job), then prints per primary:
 * its slot range, keys held, commands processed and memory used during the
 * run. It measures what docs/redis-cluster.md says: one farm's keys and
 * commands all land on the primary that owns the `{mastercut}` slot.
 */
import { Worker } from 'bullmq';
import { closeRedisConnection, createRedisConnection, openQueue, queueNames } from '../src/queue/index.js';
import { backlogKeys, HASH_TAG, QUEUE_PREFIX, recordQueueStats, redisKeys, runScript, statsBucketKey } from '../src/redis/index.js';
import { startTestRedisCluster } from '../test/helpers/redis-cluster.js';

const jobs = Number(process.argv[2] ?? 5000);
const cluster = await startTestRedisCluster();
const info = async (port: number, field: string) => {
  const text = await cluster.nodeClient(port).info();
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
};
try {
  const before = await Promise.all(cluster.nodes.map(async (n) => ({ cmds: await info(n.port, 'total_commands_processed'), mem: await info(n.port, 'used_memory') })));
  const handle = openQueue<{ n: number }>({ redisUrl: cluster.url, queueName: queueNames.render, events: false });
  const redis = createRedisConnection(cluster.url);
  const workerConnection = createRedisConnection(cluster.url);
  const started = performance.now();
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(
      queueNames.render,
      async (job) => {
        await redis.hset(redisKeys.output(job.id!), 'state', 'done', 'templateId', 'bench');
        return 'ok';
      },
      { connection: workerConnection, prefix: QUEUE_PREFIX, concurrency: 50 },
    );
    worker.on('completed', () => {
      const b = backlogKeys(queueNames.render);
      void runScript(redis, recordQueueStats, [statsBucketKey(queueNames.render, 60, 0), b.wait, b.paused, b.active, b.prioritized, b.delayed], [Date.now(), 120, 1, 0, 0, -1]);
      if (++done === jobs) void worker.close().then(() => resolve());
    });
  });
  for (let i = 0; i < jobs; i += 500) {
    await handle.queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'render', data: { n: i + k }, opts: { jobId: `bench-${i + k}` } })));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const slot = Number(await cluster.nodeClient(cluster.nodes[0]!.port).call('CLUSTER', 'KEYSLOT', HASH_TAG));
  console.log(`cluster spread: ${jobs} render jobs through BullMQ on 3 primaries in ${seconds.toFixed(1)} s; ${HASH_TAG} hashes to slot ${slot}`);
  let allCmds = 0;
  const rows = [];
  for (const [i, n] of cluster.nodes.entries()) {
    const cmds = (await info(n.port, 'total_commands_processed')) - before[i]!.cmds;
    allCmds += cmds;
    rows.push({ n, cmds, keys: await cluster.nodeClient(n.port).dbsize(), mem: (await info(n.port, 'used_memory')) - before[i]!.mem });
  }
  for (const { n, cmds, keys, mem } of rows) {
    console.log(
      `  primary :${n.port} slots ${n.slots[0]}-${n.slots[1]}${slot >= n.slots[0] && slot <= n.slots[1] ? ' (owns the farm slot)' : ''}: ` +
        `${keys} keys, ${cmds} commands (${((100 * cmds) / allCmds).toFixed(1)}%), used_memory +${(mem / 1024 / 1024).toFixed(2)} MiB`,
    );
  }
  console.log('  (commands on the other primaries are the cluster bus and the clients\' CLUSTER SLOTS / INFO, not farm traffic)');
  await handle.close();
  await Promise.all([closeRedisConnection(redis), closeRedisConnection(workerConnection)]);
} finally {
  await cluster.destroy();
}
