/**
 * A prerender campaign at scale, with the farm's own queue machinery and
 * only the renderer stubbed (prints figures; not a test).
 *
 *   npx tsx bench/campaign-scale.ts [--rows 2000000] [--window 100000] [--procs 2] [--slots 32]
 *     [--keep-completed-s 3600] [--keep-completed-count 10000] [--done-ttl-s 900] [--rate 116]
 *
 * Into a fresh embedded redis-server: the upload is stored and counted
 * (CampaignService.accept), the fan-out runs as its BullMQ job
 * (createFanOutQueue) with the window, and render workers (createRenderWorker,
 * processRenderJob: output index, campaign hooks, job retention) take the jobs
 * in `--procs` child processes (bench/campaign-scale-worker.ts) of `--slots`
 * each, with a renderer that returns at once and a store that discards the
 * output. Prints the fan-out rate, the peak Redis used_memory up to 25%, 50%
 * and 100% of the rows fanned out (0.5M, 1M and 2M for a 2M run), the growth
 * per row between the last two extrapolated to 10M rows (flat when it is not
 * positive), and the time to `done`; the retention steady state (completed
 * jobs and done index records kept, their bytes) and what it comes to in
 * production at `--rate` renders/s (116: 10M in 24 h) with this retention; then
 * where the bytes are: the campaign's keys at the end, the peak of its
 * per-chunk key hashes (sampled each second: they are deleted as chunks
 * settle, so the end says little) and the output index.
 * Completed render jobs are kept `--keep-completed-s` and at most
 * `--keep-completed-count` (JOB_KEEP_COMPLETED_S / _COUNT, production
 * defaults), which is itself Redis memory. Done output index records expire
 * `--done-ttl-s` after they turned done (OUTPUT_INDEX_DONE_TTL_S, production
 * default; 0 keeps them): a short one (30 s) shows the index flat within a
 * short run. The output
 * index's size (records x MEMORY USAGE of a sample) is printed at its peak
 * and at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { campaignKeys, chunkKeys, createCampaignService, createFanOutQueue } from '../src/campaigns/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { createDefaultRegistry } from '../src/pipeline/index.js';
import { resolveRenderJobOptions } from '../src/queue/index.js';
import { createOutputIndex, createRenderQueue, createRenders } from '../src/renders/index.js';
import { createFileStore } from '../src/storage/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    window: { type: 'string', default: '100000' },
    procs: { type: 'string', default: '2' },
    slots: { type: 'string', default: '32' },
    'keep-completed-s': { type: 'string', default: '3600' },
    'keep-completed-count': { type: 'string', default: '10000' },
    'done-ttl-s': { type: 'string', default: '900' },
    rate: { type: 'string', default: '116' },
  },
});
const rows = Number(values.rows);
const window = Number(values.window);
const procs = Number(values.procs);
const slots = Number(values.slots);
const keepCompletedS = Number(values['keep-completed-s']);
const keepCompletedCount = Number(values['keep-completed-count']);
const doneTtlS = Number(values['done-ttl-s']);
const rate = Number(values.rate);
for (const [name, n] of [['--done-ttl-s', doneTtlS], ['--keep-completed-s', keepCompletedS], ['--keep-completed-count', keepCompletedCount]] as const) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
}
for (const [name, n] of [['--rows', rows], ['--window', window], ['--procs', procs], ['--slots', slots], ['--rate', rate]] as const) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\n';

/**
 * Every row valid for loyalty-tier (points <= 10M, pointsToNextTier 0..1M) and each a render key of its
 * own (points differ for up to 10M rows), so every row is one render.
 */
async function* recipients(): AsyncGenerator<string> {
  yield HEADER;
  for (let i = 0; i < rows; i += 1000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 1000); j++) chunk += `m${j},Member,Silver,Gold,${j % 10_000_001},${1 + (j % 1_000_000)},2015\n`;
    yield chunk;
  }
}

/** Forks one stub render worker process; resolves once it takes jobs. */
function startWorkerProcess(args: object): Promise<ChildProcess> {
  const child = fork(path.join(import.meta.dirname, 'campaign-scale-worker.ts'), [JSON.stringify(args)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`stub render worker exited with ${code} before it was ready`)));
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-campaign-scale-'));
const server = await startEmbeddedRedis();
const redis = new Redis(server.url, { maxRetriesPerRequest: null });
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
const children: ChildProcess[] = [];
try {
  const store = createFileStore({ root: path.join(dir, 'storage') });
  const registry = createDefaultRegistry({ cacheDir: '.cache/bench' });
  const index = createOutputIndex(redis, { doneTtlSeconds: doneTtlS });
  const jobOptions = { completedRetentionSeconds: keepCompletedS, completedRetentionCount: keepCompletedCount };
  const renderQueue = createRenderQueue({ redisUrl: server.url, events: false, jobOptions });
  const fanOutQueue = createFanOutQueue({ redisUrl: server.url });
  const campaigns = createCampaignService(
    { redis, renders: createRenders({ queue: renderQueue.queue, redis, index, store }), registry, index, store, jobOptions: renderQueue.jobOptions, scheduleFanOut: (id) => fanOutQueue.schedule(id) },
    { window },
  );
  fanOutQueue.start((id, signal) => campaigns.runFanOut(id, { windowed: true, ...(signal ? { signal } : {}) }));
  for (let i = 0; i < procs; i++) {
    children.push(await startWorkerProcess({ redisUrl: server.url, slots, workDir: path.join(dir, `work-${i}`), doneTtlS, jobOptions }));
  }

  const before = await usedMemory();
  const started = Date.now();
  const accepted = await campaigns.accept({ templateId: 'loyalty-tier', channels: ['web'], mode: 'prerender', recipients: Readable.from(recipients()), format: 'csv' });
  const uploadedS = (Date.now() - started) / 1000;
  const keepCount = resolveRenderJobOptions(jobOptions).removeOnComplete.count;
  console.log(
    `campaign-scale: ${rows} rows, window ${window}, ${procs} stub render processes x ${slots} slots, completed jobs kept ${keepCompletedS} s and at most ${keepCount ?? 'any number'}, done index records kept ${doneTtlS ? `${doneTtlS} s` : 'forever'}; redis ${server.url}`,
  );
  console.log(`  upload stored and counted in ${uploadedS.toFixed(1)} s (${Math.round(rows / uploadedS)} rows/s); used_memory before ${mb(before)}`);

  const marks = [0.25, 0.5, 1].map((f) => ({ f, at: Math.round(rows * f), memory: 0, peak: 0, seconds: 0, chunkHashes: 0 }));
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
  const usage = async (key: string) => Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0);
  const meanUsage = async (keys: string[]) => (keys.length ? (await Promise.all(keys.map(usage))).reduce((a, b) => a + b, 0) / keys.length : 0);
  // Bytes of one render job hash (its props, options, state), sampled from jobs in a state.
  const jobBytes = async (state: 'prioritized' | 'completed') => meanUsage((await renderQueue.queue.getJobs([state], 0, 99)).map((job) => renderQueue.queue.toKey(job.id!)));
  // The output index: its record count every 2 s (a SCAN of the records), times one record's bytes.
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
  let queuedJobBytes = 0;
  let completedJobBytes = 0;
  let indexPeak = { records: 0, seconds: 0 };
  let completedPeak = 0;
  let indexCountedAt = 0;
  let polls = 0;
  let fanOutEnd = 0;
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
      if (!recordBytes && records.length >= 100) recordBytes = await meanUsage(records.slice(0, 100));
      if (records.length > indexPeak.records) indexPeak = { records: records.length, seconds: (Date.now() - started) / 1000 };
      completedPeak = Math.max(completedPeak, await renderQueue.queue.getCompletedCount());
      if (!queuedJobBytes) queuedJobBytes = await jobBytes('prioritized');
    }
    for (const mark of marks) {
      if (!mark.memory && status.counts.fannedOut >= mark.at) {
        Object.assign(mark, { memory, peak, chunkHashes: chunkHashes.now, seconds: (Date.now() - started) / 1000 });
        console.log(`  ${mark.at} rows fanned out at ${mark.seconds.toFixed(1)} s: peak used_memory so far ${mb(peak)} (now ${mb(memory)}), rendered ${status.counts.rendered}`);
      }
    }
    if (!fanOutEnd && status.state !== 'ingesting') fanOutEnd = Date.now();
    if (status.state === 'done' || status.state === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const doneS = (Date.now() - started) / 1000;
  const fanOutS = (fanOutEnd - started) / 1000 - uploadedS;
  const [, half, full] = marks;
  // Growth of the peak per row fanned out between 50% and 100%: flat (0) when it did not grow.
  const perRow = Math.max(0, (full!.peak - half!.peak) / (full!.at - half!.at));
  console.log(`  state ${status.state}: ${JSON.stringify(status.counts)}`);
  console.log(`  fan-out ${fanOutS.toFixed(1)} s after the upload: ${Math.round(rows / fanOutS)} rows/s fanned out (rendering at the same time); done ${doneS.toFixed(1)} s after the upload began (${Math.round(rows / doneS)} renders/s end to end)`);
  console.log(
    `  peak used_memory ${mb(peak)}: ${marks.map((m) => `${m.at} rows ${mb(m.peak)}`).join(', ')}; growth of the peak between 50% and 100%: ${((full!.peak - half!.peak) / (full!.at - half!.at)).toFixed(0)} bytes per row`,
  );
  console.log(`  extrapolated to 10M rows: peak ${mb(full!.peak + perRow * (10_000_000 - rows))}${perRow === 0 ? ' (flat: no growth)' : ''}; fan-out ${(10_000_000 / (rows / fanOutS) / 60).toFixed(0)} min at this rate`);
  // Before the window has filled and the done records' TTL has passed, the peak grows with the window and
  // the retention filling up, not with the campaign's size: say so, the extrapolation is then an upper bound.
  const sinceUpload = half!.seconds - uploadedS;
  const warmUp = [
    half!.at <= window ? `the 50% mark (${half!.at} rows) is within the window (${window})` : '',
    doneTtlS && sinceUpload < doneTtlS ? `it came ${sinceUpload.toFixed(0)} s after the upload, within the done records' ${doneTtlS} s TTL` : '',
  ].filter(Boolean);
  if (warmUp.length > 0) console.log(`  not at steady state: ${warmUp.join('; ')}; the growth is the window and the retention filling up, the extrapolation an upper bound`);
  for (const [name, key] of Object.entries(campaignKeys(accepted.id))) {
    const bytes = await usage(key);
    if (bytes > 0) console.log(`  campaign ${name.padEnd(9)} ${mb(bytes).padStart(9)}  (${(bytes / rows).toFixed(0)} bytes per row)`);
  }
  await sampleChunkHashes();
  console.log(
    `  campaign keys     ${mb(chunkHashes.peak).padStart(9)}  peak of the per-chunk key hashes (${chunkHashes.peakCount} alive then); ${mb(half!.chunkHashes)} at 50%, ${mb(full!.chunkHashes)} at 100% of the rows fanned out; ${alive.size} left at the end`,
  );
  // The retention steady state: what stays after renders, and its bytes.
  const outKeys = await indexRecords();
  if (outKeys.length > 0) recordBytes = await meanUsage(outKeys.slice(0, 100));
  completedJobBytes = await jobBytes('completed');
  const completed = await renderQueue.queue.getCompletedCount();
  completedPeak = Math.max(completedPeak, completed);
  console.log(`  queued job        ${queuedJobBytes.toFixed(0)} bytes (job hash, sampled while queued); window ${window} x that = ${mb(window * queuedJobBytes)}`);
  console.log(`  completed jobs    ${mb(completed * completedJobBytes).padStart(9)}  at the end: ${completed} of ${completedJobBytes.toFixed(0)} bytes (peak ${completedPeak})`);
  console.log(`  output index      ${mb(recordBytes * outKeys.length).padStart(9)}  at the end: ${outKeys.length} records of ${recordBytes.toFixed(0)} bytes`);
  console.log(`  output index peak ${mb(recordBytes * indexPeak.records).padStart(9)}  ${indexPeak.records} records at ${indexPeak.seconds.toFixed(1)} s`);
  // Production: at `rate` renders/s, completed jobs are min(count, rate x age), done records rate x TTL.
  const prodCompleted = Math.min(keepCount ?? Infinity, rate * keepCompletedS);
  const prodRecords = doneTtlS ? rate * doneTtlS : Infinity;
  const prodBytes = window * queuedJobBytes + prodCompleted * completedJobBytes + prodRecords * recordBytes + chunkHashes.peak;
  console.log(
    `  production at ${rate} renders/s: ${mb(window * queuedJobBytes)} window + ${prodCompleted} completed jobs ${mb(prodCompleted * completedJobBytes)} + ${prodRecords} done records ${mb(prodRecords * recordBytes)} + campaign keys ${mb(chunkHashes.peak)} = ${mb(prodBytes)} (plus Redis's own ${mb(before)})`,
  );
  const jobs = await renderQueue.queue.getJobCounts('completed', 'prioritized', 'active');
  console.log(`  render jobs left  ${JSON.stringify(jobs)}`);
  console.log(`  ${(await redis.info('keyspace')).trim().split('\n').pop()}`);
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
  await fanOutQueue.close();
  await renderQueue.close();
} finally {
  await Promise.all(
    children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.send('stop'))))),
  );
  redis.disconnect();
  await server.destroy();
  await rm(dir, { recursive: true, force: true });
}
