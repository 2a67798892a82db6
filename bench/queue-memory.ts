/**
 * Redis memory per queued render job (prints figures; not a test).
 *
 *   npx tsx bench/queue-memory.ts [rows=200000] [--channels email,web] [--listpack-value 1024] [--mode lazy]
 *
 * Fans a campaign of `rows` distinct loyalty-tier recipients out the way the
 * API does (createCampaignService: same job data, job options, chunking,
 * dedupe set, manifest and deliverable requests) into a fresh embedded
 * redis-server, and nothing renders them. Prints:
 * - used_memory before and after, and per job, extrapolated to 1M and 10M jobs;
 * - where it goes: MEMORY USAGE of a sample of each kind of key, times its count;
 * - the size of one job's data and options as BullMQ stores them;
 * - the type and size of the queue's wait list and prioritized set (every
 *   mastercut job has a priority, so BullMQ queues them in the sorted set:
 *   an autoscaler watching the list would see nothing).
 *
 * `--mode lazy` fans the same file out as a lazy campaign instead: nothing is
 * queued, each recipient's props are stored server side for its Live links
 * (createStoredProps, as the API wires it), and the figures are per recipient.
 *
 * `--listpack-value N` runs Redis with `hash-max-listpack-value N` (default
 * 64): a BullMQ job hash whose data field is longer than that is stored as a
 * hash table, which costs about twice the bytes of its fields.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createOutputIndex, createRenderQueue, createRenders, createDeliverableRequests, type TranscodeJobData } from '../src/renders/index.js';
import { createCampaignService } from '../src/campaigns/index.js';
import { createDeliveryTracker, createEventIngest } from '../src/engagement/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { createDefaultRegistry } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { createChannelProfileResolver } from '../src/encode/channel-profile-resolver.js';
import { QUEUE_PREFIX, queueNames } from '../src/queue/index.js';
import { createStoredProps } from '../src/live/stored-props.js';
import { createFileStore } from '../src/storage/index.js';
import { TIERS, writeLoyaltyCsv } from './write-loyalty-csv.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { channels: { type: 'string', default: 'email,web' }, 'listpack-value': { type: 'string' }, mode: { type: 'string', default: 'prerender' } } });
const mode = values.mode;
if (mode !== 'prerender' && mode !== 'lazy') throw new Error('--mode must be prerender or lazy');
const rows = Number(positionals[0] ?? 200_000);
if (!Number.isInteger(rows) || rows < 1) throw new Error('rows must be a positive integer, e.g. 200000');
const channels = values.channels.split(',').map((c) => c.trim()).filter(Boolean);
const FIRST_NAMES = ['Alexandra', 'Jean-Baptiste', 'Mohammed', 'Siobhan', 'Wei', 'Ana', 'Kristóf', 'Oluwaseun'];


const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Counts keys by kind (the key with its ids replaced) and samples MEMORY USAGE of up to `sample` keys of each kind. */
async function memoryByKind(redis: Redis, sample = 2_000): Promise<{ kind: string; count: number; bytes: number }[]> {
  const kinds = new Map<string, { count: number; sampled: number; sampledBytes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 5_000);
    cursor = next;
    const pipeline = redis.pipeline();
    const sampledKeys: [string, string][] = [];
    for (const key of keys) {
      const kind = key.replace(/[0-9a-f]{64}/g, '<key>').replace(/:[A-Za-z0-9_-]{16,}$/, ':<id>');
      const entry = kinds.get(kind) ?? { count: 0, sampled: 0, sampledBytes: 0 };
      entry.count++;
      kinds.set(kind, entry);
      if (entry.sampled < sample) {
        entry.sampled++;
        sampledKeys.push([kind, key]);
        pipeline.memory('USAGE', key, 'SAMPLES', 0);
      }
    }
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([, bytes], i) => (kinds.get(sampledKeys[i]![0])!.sampledBytes += Number(bytes ?? 0)));
  } while (cursor !== '0');
  return [...kinds.entries()]
    .map(([kind, e]) => ({ kind, count: e.count, bytes: (e.sampledBytes / e.sampled) * e.count }))
    .sort((a, b) => b.bytes - a.bytes);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-queue-memory-'));
const server = await startEmbeddedRedis();
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
try {
  const csv = path.join(dir, 'recipients.csv');
  await writeLoyaltyCsv(csv, rows, (j) => `crm-${(1_000_000_000 + j * 7919).toString(36)},${FIRST_NAMES[j % FIRST_NAMES.length]},${TIERS[j % 3]},${TIERS[(j % 3) + 1]},${(j * 37) % 250_000},${(j * 7) % 100_000},${1990 + (j % 35)}`);
  const config = loadConfig();
  const registry = createDefaultRegistry(config);
  await registry.bundle('loyalty-tier');

  const renderQueue = createRenderQueue({ redisUrl: server.url, events: false });
  const transcodeQueue = createRenderQueue<TranscodeJobData>({ redisUrl: server.url, queueName: queueNames.transcode, events: false });
  const storedProps = createStoredProps(redis, { ttlSeconds: config.live.linkTtlSeconds });
  const index = createOutputIndex(redis);
  const store = createFileStore({ root: path.join(dir, 'storage') });
  const campaigns = createCampaignService({
    redis,
    renders: createRenders({ queue: renderQueue.queue, redis, index, store }),
    registry,
    index,
    store,
    jobOptions: renderQueue.jobOptions,
    profiles: createChannelProfileResolver(),
    deliverables: createDeliverableRequests(redis, { queue: transcodeQueue.queue, jobOptions: transcodeQueue.jobOptions }),
    // Engagement: who waits on each master for a `delivered` event (prerender), the delivered events (lazy).
    deliveries: createDeliveryTracker({ redis, ingest: createEventIngest({ redis }) }),
    live: {
      storeProps: (props, recipientId) => storedProps.put(props, { recipientId }),
      linkUrl: () => '/l/unused',
    },
  });
  const listpackValue = values['listpack-value'];
  if (listpackValue !== undefined) await redis.config('SET', 'hash-max-listpack-value', listpackValue);
  const listpack = await redis.config('GET', 'hash-max-listpack-value');
  // Queues exist and scripts are loaded before the baseline.
  await renderQueue.queue.waitUntilReady();
  await transcodeQueue.queue.waitUntilReady();
  await redis.memory('PURGE').catch(() => undefined);
  const before = await usedMemory(redis);

  const t0 = performance.now();
  const status = await campaigns.create({ templateId: 'loyalty-tier', channels, mode, recipients: createReadStream(csv), format: 'csv' });
  const seconds = (performance.now() - t0) / 1000;
  // Prerender: per queued render job; lazy: per recipient (nothing is queued).
  const jobs = mode === 'lazy' ? status.counts.valid : status.counts.queued;
  if (jobs !== rows) throw new Error(`expected ${rows} ${mode === 'lazy' ? 'recipients' : 'render jobs'}, got ${JSON.stringify(status.counts)}`);

  const after = await usedMemory(redis);
  const perJob = (after - before) / jobs;
  const byKind = await memoryByKind(redis);

  // One job as stored: the hash BullMQ keeps under the job id.
  const [oneJob] = await renderQueue.queue.getPrioritized(0, 0);
  const anyJobKey = oneJob ? `${QUEUE_PREFIX}:${queueNames.render}:${oneJob.id}` : undefined;
  const jobHash = anyJobKey ? await redis.hgetall(anyJobKey) : {};
  const fieldBytes = Object.entries(jobHash).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  const jobHashMemory = anyJobKey ? Number(await redis.memory('USAGE', anyJobKey, 'SAMPLES', 0)) : 0;
  const jobHashEncoding = anyJobKey ? await redis.object('ENCODING', anyJobKey) : '?';

  const waitKey = `${QUEUE_PREFIX}:${queueNames.render}:wait`;
  const prioritizedKey = `${QUEUE_PREFIX}:${queueNames.render}:prioritized`;
  const unit = mode === 'lazy' ? 'recipient' : 'queued job';
  const lines = [
    `queue memory: ${jobs} ${mode === 'lazy' ? 'recipients' : 'render jobs'} of one ${mode} campaign (loyalty-tier, channels ${channels.join(',')}), fanned out in ${seconds.toFixed(1)} s; redis ${(/redis_version:(\S+)/.exec(await redis.info('server')) ?? [])[1]}, hash-max-listpack-value ${listpack[1]}`,
    `  used_memory        ${mb(before)} before, ${mb(after)} after: ${mb(after - before)} for ${jobs} ${unit}s`,
    `  per ${unit.padEnd(14)} ${perJob.toFixed(0)} bytes (everything the fan-out stores: ${mode === 'lazy' ? 'stored props, erasure index, campaign manifest' : 'job, queue entry, campaign manifest and dedupe set, deliverable requests'})`,
    `  per 1M ${unit}s ${gb(perJob * 1e6)}`,
    `  per 10M ${unit}s ${gb(perJob * 1e7)}`,
    ...(mode === 'lazy' ? [] : [`  one job's fields   ${Object.entries(jobHash).map(([k, v]) => `${k} ${Buffer.byteLength(v)}`).join(', ')}`,
    `  one job's data     ${jobHash.data ? Buffer.byteLength(jobHash.data) : '?'} bytes of JSON (props ${jobHash.data ? Buffer.byteLength(JSON.stringify(JSON.parse(jobHash.data).props)) : '?'} bytes), options ${jobHash.opts ? Buffer.byteLength(jobHash.opts) : '?'} bytes; job hash ${fieldBytes} bytes of fields, ${jobHashMemory} bytes in Redis (MEMORY USAGE, encoding ${jobHashEncoding})`]),
    `  ${waitKey}  ${await redis.type(waitKey)}, length ${await redis.llen(waitKey)}`,
    `  ${prioritizedKey}  ${await redis.type(prioritizedKey)}, ${await redis.zcard(prioritizedKey)} members`,
    `  by key kind (MEMORY USAGE of up to 2000 keys each, times the count; top 8):`,
    ...byKind.slice(0, 8).map((k) => `    ${mb(k.bytes).padStart(9)}  ${String(k.count).padStart(7)} x  ${k.kind}  (${(k.bytes / jobs).toFixed(0)} bytes/${unit})`),
    `  load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  await Promise.all([renderQueue.close(), transcodeQueue.close()]);
} finally {
  redis.disconnect();
  await server.destroy();
  await rm(dir, { recursive: true, force: true });
}
