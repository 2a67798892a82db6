/**
 * A prerender campaign at scale, with the farm's own queue machinery and
 * only the renderer stubbed (prints figures; not a test).
 *
 *   npx tsx bench/campaign-scale.ts [--rows 2000000] [--window 100000] [--workers 4] [--keep-completed-s 3600] [--done-ttl-s 3600]
 *
 * Into a fresh embedded redis-server: the upload is stored and counted
 * (CampaignService.accept), the fan-out runs as its BullMQ job
 * (createFanOutQueue) with the window, and render workers (createRenderWorker,
 * processRenderJob: output index, store, campaign hooks) take the jobs with a
 * renderer that writes a 9-byte file at once. Prints the fan-out rate, Redis
 * used_memory at 25%, 50% and 100% of the rows fanned out and its peak, the
 * growth per row extrapolated to 10M rows, and the time to `done`; then
 * where the bytes are: the campaign's keys at the end, the peak of its
 * per-chunk key hashes (sampled each second: they are deleted as chunks
 * settle, so the end says little) and the output index.
 * Completed render jobs are kept `--keep-completed-s` (JOB_KEEP_COMPLETED_S,
 * default 1 h as in production), which is itself Redis memory. Done output
 * index records expire `--done-ttl-s` after they turned done
 * (OUTPUT_INDEX_DONE_TTL_S, default 1 h as in production; 0 keeps them): a
 * short one (30 s) shows the index flat within a short run. The output
 * index's size (records x MEMORY USAGE of a sample) is printed at its peak
 * and at the end.
 */
import { writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { campaignKeys, chunkKeys, createCampaignHooks, createCampaignService, createFanOutQueue } from '../src/campaigns/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { createDefaultRegistry } from '../src/pipeline/index.js';
import { createOutputIndex, createRenderQueue, createRenderWorker, createRenders, type RenderJobContext } from '../src/renders/index.js';
import { createFileStore } from '../src/storage/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    window: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '4' },
    'keep-completed-s': { type: 'string', default: '3600' },
    'done-ttl-s': { type: 'string', default: '3600' },
  },
});
const rows = Number(values.rows);
const window = Number(values.window);
const workers = Number(values.workers);
const keepCompletedS = Number(values['keep-completed-s']);
const doneTtlS = Number(values['done-ttl-s']);
if (!Number.isInteger(doneTtlS) || doneTtlS < 0) throw new Error('--done-ttl-s must be a non-negative integer');
for (const [name, n] of [['--rows', rows], ['--window', window], ['--workers', workers]] as const) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\n';

async function* recipients(): AsyncGenerator<string> {
  yield HEADER;
  for (let i = 0; i < rows; i += 1000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 1000); j++) chunk += `m${j},Member,Silver,Gold,${j},${rows - j},2015\n`;
    yield chunk;
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-campaign-scale-'));
const server = await startEmbeddedRedis();
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
try {
  const store = createFileStore({ root: path.join(dir, 'storage') });
  const registry = createDefaultRegistry({ cacheDir: '.cache/bench' });
  const index = createOutputIndex(redis, { doneTtlSeconds: doneTtlS });
  const jobOptions = { completedRetentionSeconds: keepCompletedS };
  const renderQueue = createRenderQueue({ redisUrl: server.url, events: false, jobOptions });
  const fanOutQueue = createFanOutQueue({ redisUrl: server.url });
  const campaigns = createCampaignService(
    { redis, renders: createRenders({ queue: renderQueue.queue, redis, index, store }), registry, index, store, jobOptions: renderQueue.jobOptions, scheduleFanOut: (id) => fanOutQueue.schedule(id) },
    { window },
  );
  fanOutQueue.start((id, signal) => campaigns.runFanOut(id, { windowed: true, ...(signal ? { signal } : {}) }));
  const hooks = createCampaignHooks(redis);
  const ctx: RenderJobContext = {
    renderVideo: (async (request: { out: string }) => {
      await writeFile(request.out, 'stub mp4\n');
      return {};
    }) as unknown as RenderJobContext['renderVideo'],
    store,
    index,
    workDir: path.join(dir, 'work'),
    onRendered: hooks.onRendered,
    onFailed: hooks.onFailed,
  };
  const workerConnection = redis.duplicate();
  const worker = createRenderWorker(ctx, { connection: workerConnection, concurrency: workers, jobOptions, autorun: false });
  worker.run();

  const before = await usedMemory();
  const started = Date.now();
  const accepted = await campaigns.accept({ templateId: 'loyalty-tier', channels: ['web'], mode: 'prerender', recipients: Readable.from(recipients()), format: 'csv' });
  const uploadedS = (Date.now() - started) / 1000;
  console.log(`campaign-scale: ${rows} rows, window ${window}, ${workers} stub render slots, completed jobs kept ${keepCompletedS} s, done index records kept ${doneTtlS ? `${doneTtlS} s` : 'forever'}; redis ${server.url}`);
  console.log(`  upload stored and counted in ${uploadedS.toFixed(1)} s (${Math.round(rows / uploadedS)} rows/s); used_memory before ${mb(before)}`);

  const marks = [0.25, 0.5, 1].map((f) => ({ f, at: Math.round(rows * f), memory: 0, seconds: 0, chunkHashes: 0 }));
  let peak = 0;
  // The campaign's per-chunk key hashes alive now (MEMORY USAGE): committed chunks not yet seen gone are
  // checked again (a committed chunk's hash, once deleted, never comes back), plus the chunk in progress.
  const alive = new Set<number>();
  let committed = 0;
  const chunkHashes = { peak: 0, peakCount: 0, now: 0 };
  const sampleChunkHashes = async () => {
    const current = Number((await redis.hget(campaignKeys(accepted.id).meta, 'fanOutChunk')) ?? 0);
    for (; committed < current; committed++) alive.add(committed);
    const chunks = [...alive, current];
    const read = redis.pipeline();
    for (const chunk of chunks) read.call('MEMORY', 'USAGE', chunkKeys(accepted.id, chunk));
    const sizes = ((await read.exec()) ?? []).map(([, bytes]) => Number(bytes ?? 0));
    chunks.forEach((chunk, i) => sizes[i] === 0 && alive.delete(chunk));
    chunkHashes.now = sizes.reduce((a, b) => a + b, 0);
    const count = sizes.filter((bytes) => bytes > 0).length;
    if (chunkHashes.now > chunkHashes.peak) Object.assign(chunkHashes, { peak: chunkHashes.now, peakCount: count });
  };
  let polls = 0;
  let fanOutEnd = 0;
  // The output index: its record count every 2 s (a SCAN of the records), times one record's bytes.
  const usage = async (key: string) => Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0);
  const indexRecords = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', '{mastercut}:out:*', 'COUNT', 10_000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  };
  let recordBytes = 0;
  let indexPeak = { records: 0, seconds: 0 };
  let indexCountedAt = 0;
  let status = await campaigns.status(accepted.id);
  for (;;) {
    const memory = await usedMemory();
    peak = Math.max(peak, memory);
    status = await campaigns.status(accepted.id);
    const marked = marks.some((mark) => !mark.memory && status.counts.fannedOut >= mark.at);
    if (marked || polls++ % 4 === 0) await sampleChunkHashes();
    if (Date.now() - indexCountedAt >= 2_000) {
      indexCountedAt = Date.now();
      const records = await indexRecords();
      if (!recordBytes && records.length >= 100) recordBytes = (await Promise.all(records.slice(0, 100).map(usage))).reduce((a, b) => a + b, 0) / 100;
      if (records.length > indexPeak.records) indexPeak = { records: records.length, seconds: (Date.now() - started) / 1000 };
    }
    for (const mark of marks) {
      if (!mark.memory && status.counts.fannedOut >= mark.at) {
        mark.memory = memory;
        mark.chunkHashes = chunkHashes.now;
        mark.seconds = (Date.now() - started) / 1000;
        console.log(`  ${mark.at} rows fanned out at ${mark.seconds.toFixed(1)} s: used_memory ${mb(memory)} (peak so far ${mb(peak)}), rendered ${status.counts.rendered}`);
      }
    }
    if (!fanOutEnd && status.state !== 'ingesting') fanOutEnd = Date.now();
    if (status.state === 'done' || status.state === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const doneS = (Date.now() - started) / 1000;
  const fanOutS = (fanOutEnd - started) / 1000 - uploadedS;
  const [, half, full] = marks;
  const perRow = (full!.memory - half!.memory) / (full!.at - half!.at);
  console.log(`  state ${status.state}: ${JSON.stringify(status.counts)}`);
  console.log(`  fan-out ${fanOutS.toFixed(1)} s after the upload: ${Math.round(rows / fanOutS)} rows/s (rendering at the same time); done ${doneS.toFixed(1)} s after the upload began`);
  console.log(`  peak used_memory ${mb(peak)}; growth between 50% and 100%: ${perRow.toFixed(0)} bytes per row`);
  console.log(`  extrapolated to 10M rows: ${mb(full!.memory + perRow * (10_000_000 - rows))} used_memory; fan-out ${(10_000_000 / (rows / fanOutS) / 60).toFixed(0)} min at this rate`);
  // Where the per-row growth is: the campaign's own keys, and the farm's output index (one record per render).
  for (const [name, key] of Object.entries(campaignKeys(accepted.id))) {
    const bytes = await usage(key);
    if (bytes > 0) console.log(`  campaign ${name.padEnd(9)} ${mb(bytes).padStart(9)}  (${(bytes / rows).toFixed(0)} bytes per row)`);
  }
  await sampleChunkHashes();
  const keysPerRow = (full!.chunkHashes - half!.chunkHashes) / (full!.at - half!.at);
  console.log(
    `  campaign keys     ${mb(chunkHashes.peak).padStart(9)}  peak of the per-chunk key hashes (${chunkHashes.peakCount} alive then); ${mb(half!.chunkHashes)} at 50%, ${mb(full!.chunkHashes)} at 100% of the rows fanned out: ${keysPerRow.toFixed(0)} bytes per row; ${alive.size} left at the end`,
  );
  const outKeys = await indexRecords();
  const sample = outKeys.slice(0, 100);
  if (sample.length > 0) recordBytes = (await Promise.all(sample.map(usage))).reduce((a, b) => a + b, 0) / sample.length;
  const rendered = Math.max(1, status.counts.rendered);
  const indexBytes = recordBytes * outKeys.length;
  console.log(`  output index      ${mb(indexBytes).padStart(9)}  at the end: ${outKeys.length} records of ${recordBytes.toFixed(0)} bytes, ${(indexBytes / rendered).toFixed(0)} bytes per render`);
  console.log(`  output index peak ${mb(recordBytes * indexPeak.records).padStart(9)}  ${indexPeak.records} records at ${indexPeak.seconds.toFixed(1)} s, ${((recordBytes * indexPeak.records) / rendered).toFixed(0)} bytes per render`);
  const jobs = await renderQueue.queue.getJobCounts('completed', 'prioritized', 'active');
  console.log(`  render jobs left  ${JSON.stringify(jobs)}`);
  const kinds = await redis.info('keyspace');
  console.log(`  ${kinds.trim().split('\n').pop()}`);
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
  await worker.shutdown(5_000);
  workerConnection.disconnect();
  await fanOutQueue.close();
  await renderQueue.close();
} finally {
  redis.disconnect();
  await server.destroy();
  await rm(dir, { recursive: true, force: true });
}
