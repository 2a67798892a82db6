/**
 * Campaign fan-out benchmark (prints figures; not a test).
 *
 *   npx tsx bench/fanout.ts [rows=100000] [chunk=500] [runs=3]
 *
 * Generates a CSV of `rows` distinct loyalty-tier recipients against a fresh
 * embedded redis-server and runs the path the API runs: `accept` stores the
 * upload and counts its rows (the upload pass, timed apart), then the durable
 * fan-out job (createFanOutQueue, as the API process wires it, with the
 * recipients' `delivered` tracking and the erasure check) reads the stored
 * file and queues the render jobs; it is timed from `schedule` until its
 * job's run returns. The window is set above `rows` (no render
 * worker runs here, so a smaller one would stop the fan-out: what is timed is
 * the fan-out, not the farm). Then a bare BullMQ addBulk loop adds the same
 * number of jobs with the same job options and chunk size into another queue
 * of the same server. Prints both rates, their ratio (target >= 80%) and the
 * peak RSS of this process during the fan-out (target < 300 MB, sampled
 * every 50 ms), and during the bare loop for comparison (BullMQ's and
 * ioredis's buffers for a chunk live until its MULTI returns, so both
 * paths leave garbage in V8's old space until its next full collection). One pair swings with the neighbours' CPU and disk on a
 * shared machine (48-77% in six single runs of the same code), so `runs`
 * pairs run interleaved, each with a campaign of its own (a per-run name in
 * the rows: every run's renders are new) and a bare queue of its own, and
 * the median ratio is the figure.
 *
 * The process runs with the heap flag every mastercut process starts with
 * (bin/node-heap-flags, used by bin/mastercut): it restarts itself under
 * that flag when it was not given. RSS depends on it: without a memory
 * limit, Node would size the heap from the host's memory, and V8 would let
 * both paths' garbage grow about 100 MB further before a full collection.
 * The header line says which flag was in force.
 *
 * BENCH_MARKS=1 prints the fan-out's start and end (MARK0/MARK1, monotonic
 * microseconds, the clock of `node --cpu-prof`) to stderr, so a profile of
 * the run can be cut to the fan-out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import v8 from 'node:v8';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createOutputIndex, createRenderQueue, createRenders } from '../src/renders/index.js';
import { createCampaignService, createFanOutQueue } from '../src/campaigns/index.js';
import { createDeliveryTracker, createEventIngest } from '../src/engagement/index.js';
import { areErased } from '../src/live/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { createDefaultRegistry } from '../src/pipeline/index.js';
import { loadConfig } from '../src/config/index.js';
import { prepareRenderJob } from '../src/renders/prepare-render-job.js';
import { createFileStore } from '../src/storage/index.js';
import { TIERS, writeLoyaltyCsv } from './write-loyalty-csv.js';

// As bin/mastercut starts every role: under its heap flag (NODE_OPTIONS naming one wins, as there).
const heapFlag = execFileSync(fileURLToPath(new URL('../bin/node-heap-flags', import.meta.url)), { encoding: 'utf8' }).trim();
if (heapFlag && !process.execArgv.includes(heapFlag)) {
  const child = spawnSync(process.execPath, [heapFlag, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const rows = Number(process.argv[2] ?? 100_000);
const chunkSize = Number(process.argv[3] ?? 500);
const runs = Number(process.argv[4] ?? 3);


/** Samples RSS every 50 ms while `work` runs; returns its result and the peak. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/**
 * CPU seconds spent by this process and by redis-server during `work`: on a
 * shared machine wall-clock rates move with the neighbours' load, CPU time
 * much less, so both are printed.
 */
async function cpuOf<T>(redis: Redis, work: () => Promise<T>): Promise<{ result: T; node: number; redis: number }> {
  const redisCpu = async () => {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return field('used_cpu_user') + field('used_cpu_sys');
  };
  const r0 = await redisCpu();
  const n0 = process.cpuUsage();
  const result = await work();
  const n1 = process.cpuUsage(n0);
  return { result, node: (n1.user + n1.system) / 1e6, redis: (await redisCpu()) - r0 };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-bench-fanout-'));
const server = await startEmbeddedRedis();
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
const closers: (() => Promise<unknown>)[] = [];
try {
  const registry = createDefaultRegistry(loadConfig());
  await registry.bundle('loyalty-tier'); // built once, outside the timings

  // Campaign fan-out: stored file -> fan-out job -> scan chunks -> claim + addBulk -> commit script.
  const campaignQueue = createRenderQueue({ redisUrl: server.url, queueName: 'bench-campaign', events: false });
  const fanOutQueue = createFanOutQueue({ redisUrl: server.url, queueName: 'bench-fanout', onError: (err) => console.error(err) });
  closers.push(() => fanOutQueue.close(), () => campaignQueue.close());
  const index = createOutputIndex(redis);
  const store = createFileStore({ root: path.join(dir, 'storage') });
  const campaigns = createCampaignService(
    {
      redis,
      renders: createRenders({ queue: campaignQueue.queue, redis, index, store }),
      registry,
      index,
      store,
      jobOptions: campaignQueue.jobOptions,
      // As the API wires it: each recipient waits on its master for its `delivered` event, and erased recipients are refused.
      deliveries: createDeliveryTracker({ redis, ingest: createEventIngest({ redis }) }),
      erased: (ids) => areErased(redis, ids),
      scheduleFanOut: (id) => fanOutQueue.schedule(id),
    },
    { chunkSize, window: rows + chunkSize, windowPollMs: 20 },
  );
  // The end of a fan-out is its job's run returning: waited on, not polled (a status poll every few ms costs both processes CPU the fan-out is measured by).
  const finished = new Map<string, (err?: unknown) => void>();
  fanOutQueue.start(async (id, signal) => {
    try {
      await campaigns.runFanOut(id, { windowed: true, ...(signal ? { signal } : {}) });
      finished.get(id)?.();
    } catch (err) {
      finished.get(id)?.(err);
      throw err;
    }
  });
  const sample = await prepareRenderJob(
    { registry, jobOptions: campaignQueue.jobOptions },
    { templateId: 'loyalty-tier', variant: 'landscape', props: { firstName: 'Member', currentTier: 'Silver', nextTier: 'Gold', points: 1, pointsToNextTier: 2, memberSince: 2000 }, priorityClass: 'campaign', campaignId: 'bench' },
  );
  // The bare loop: the same jobs (prepared beforehand, not timed), same options, same chunk size.
  const bareLoop = async (queue: Queue, count: number) => {
    for (let start = 0; start < count; start += chunkSize) {
      const jobs = [];
      for (let i = start; i < Math.min(count, start + chunkSize); i++) {
        const jobId = `${sample.renderKey.slice(0, 56)}${i.toString(16).padStart(8, '0')}`;
        jobs.push({ name: sample.name, data: { ...sample.data, props: { ...sample.data.props, points: i } }, opts: { ...sample.opts, jobId } });
      }
      await queue.addBulk(jobs);
    }
  };
  const bareQueue = (name: string) => {
    const handle = createRenderQueue({ redisUrl: server.url, queueName: name, events: false });
    closers.push(() => handle.close());
    return handle.queue;
  };
  // A warm-up of both paths' code (JIT, BullMQ's scripts loaded), untimed: a small campaign and a small bare loop.
  const fanOutOnce = async (run: number, count: number) => {
    const csv = path.join(dir, `recipients-${run}.csv`);
    // A name of its own per run: every run's renders are new to the farm, as in the first.
    await writeLoyaltyCsv(csv, count, (j) => `m${j},Run${run}Member${j % 997},${TIERS[j % 3]},${TIERS[(j % 3) + 1]},${j},${(j * 7) % 100_000},${1990 + (j % 40)}`);
    const tu = performance.now();
    const accepted = await campaigns.accept({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: createReadStream(csv), format: 'csv' }, 'none');
    const uploadSeconds = (performance.now() - tu) / 1000;
    const size = (await stat(csv)).size;
    const baseRss = process.memoryUsage.rss();
    const t0 = performance.now();
    if (process.env.BENCH_MARKS) console.error('MARK0', process.hrtime.bigint() / 1000n);
    const {
      result: { result: status, peak },
      ...cpu
    } = await cpuOf(redis, () =>
      withPeakRss(async () => {
        const done = new Promise<void>((resolve, reject) => finished.set(accepted.id, (err) => (err ? reject(err) : resolve())));
        await fanOutQueue.schedule(accepted.id);
        await done;
        return campaigns.status(accepted.id);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    if (process.env.BENCH_MARKS) console.error('MARK1', process.hrtime.bigint() / 1000n);
    if (status.counts.queued !== count) throw new Error(`expected ${count} jobs, got ${status.state} ${JSON.stringify(status.counts)}`);
    return { seconds, uploadSeconds, size, cpu, peak, baseRss, valid: status.counts.valid, queued: status.counts.queued };
  };
  const bareOnce = async (run: number, count: number) => {
    const queue = bareQueue(`bench-bare-${run}`);
    const baseRss = process.memoryUsage.rss();
    const t1 = performance.now();
    const { result: { peak }, ...cpu } = await cpuOf(redis, () => withPeakRss(() => bareLoop(queue, count)));
    return { seconds: (performance.now() - t1) / 1000, cpu, peak, baseRss };
  };
  await fanOutOnce(runs, Math.min(rows, 4 * chunkSize));
  await bareOnce(runs, Math.min(rows, 4 * chunkSize));

  const results = [];
  for (let run = 0; run < runs; run++) {
    const fan = await fanOutOnce(run, rows);
    const bare = await bareOnce(run, rows);
    results.push({ fan, bare, ratio: bare.seconds / fan.seconds });
    const r = results.at(-1)!;
    process.stdout.write(
      [
        `run ${run + 1} of ${runs}: ${rows} recipients (${mb(fan.size)} CSV), chunk ${chunkSize}, loyalty-tier, channel email`,
        `  upload pass        ${(rows / fan.uploadSeconds).toFixed(0).padStart(7)} rows/s  (${fan.uploadSeconds.toFixed(2)} s; store + row count, before the fan-out job; not in the ratio)`,
        `  campaign fan-out   ${(rows / fan.seconds).toFixed(0).padStart(7)} jobs/s  (${fan.seconds.toFixed(2)} s; fan-out job, stored file -> render jobs; valid ${fan.valid}, queued ${fan.queued})`,
        `  bare addBulk loop  ${(rows / bare.seconds).toFixed(0).padStart(7)} jobs/s  (${bare.seconds.toFixed(2)} s)`,
        `  ratio              ${(100 * r.ratio).toFixed(1)}% of bare`,
        `  CPU seconds        fan-out: node ${fan.cpu.node.toFixed(2)}, redis ${fan.cpu.redis.toFixed(2)};  bare: node ${bare.cpu.node.toFixed(2)}, redis ${bare.cpu.redis.toFixed(2)}`,
        `  peak RSS           ${mb(fan.peak)} during fan-out (${mb(fan.baseRss)} before); bare loop ${mb(bare.peak)} (${mb(bare.baseRss)} before)`,
        `  load average       ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`,
        '',
      ].join('\n'),
    );
  }
  const median = [...results].sort((a, b) => a.ratio - b.ratio)[Math.floor(results.length / 2)]!;
  const peak = Math.max(...results.map((r) => r.fan.peak));
  process.stdout.write(
    [
      `fan-out benchmark: ${rows} recipients, ${runs} runs interleaved with the bare loop; node ${heapFlag || `with Node's own heap size (NODE_OPTIONS or a memory limit)`}: heap limit ${mb(v8.getHeapStatistics().heap_size_limit)}`,
      `  median ratio       ${(100 * median.ratio).toFixed(1)}% of bare (${(rows / median.fan.seconds).toFixed(0)} against ${(rows / median.bare.seconds).toFixed(0)} jobs/s; runs: ${results.map((r) => `${(100 * r.ratio).toFixed(1)}%`).join(', ')})  (target >= 80%)`,
      `  peak RSS           ${mb(peak)} during the fan-outs (target < 300 MB); ${mb(Math.max(...results.map((r) => r.bare.peak)))} during the bare loops, for comparison`,
      `  load average       ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores (wall-clock rates depend on it)`,
      '',
    ].join('\n'),
  );
} finally {
  for (const close of closers) await close().catch(() => undefined);
  redis.disconnect();
  await server.destroy();
  await rm(dir, { recursive: true, force: true });
}
