/**
 * Split renders through the render queue (prints figures; not a test).
 *
 *   npx tsx bench/split-render-queue.ts [runs=1] [year-recap|recap-30s] [liveRuns=runs]
 *
 * Two render worker processes (`workers/render.ts`, as production runs
 * them, over the bench's compositions: bench/split-render-queue-worker.ts),
 * pinned to one core each (`taskset -c 0`, `-c 1`), one browser each,
 * on a private redis-server. First with splitting off (RENDER_SPLIT_CHUNKS=1:
 * one worker renders the whole master, the other stays idle), then with
 * RENDER_SPLIT_CHUNKS=8, a maximum: the master's job fans out one chunk job
 * per free render slot (two live workers of concurrency 1: two chunks, printed
 * from the workers' logs), and the resumed job joins them (docs/split-render.md). Each time is
 * from the request (enqueueRender) to the output indexed done, so it holds
 * the queue's own latency (child jobs, parking, resuming, reading the chunks
 * back from the store) that bench/split-render.ts leaves out; each split
 * master's seams (from the workers' logs) are checked as docs/split-render.md
 * says ("What is checked": frames, durations, first packets at 0, a keyframe
 * and no audio gap at each seam). Then, with the
 * same pair, `runs` cold Live masters (priorityClass live), read through the
 * render stream as the API reads it: the first stream byte (a whole
 * master's is its MP4 header, written before any frame), the first fragment
 * (`moof`: the first second of video a player can show), the stream's end
 * and `done`. Split, the master streams its first chunk while the other
 * worker renders the second (docs/split-render.md, "Live cold renders").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { probe } from '../src/encode/index.js';
import { closeRedisConnection, createRedisConnection } from '../src/queue/index.js';
import { createOutputIndex, createRenderQueue, createRenderStreamHub, enqueueRender, waitForRender } from '../src/renders/index.js';
import { createFileStore } from '../src/storage/index.js';
import { checkSplitVideo, describeSplitCheck } from '../test/helpers/split-checks.js';
import { repoRoot, TSX_LOADER } from './live-farm.js';
import { benchRegistry } from './split-render-templates.js';
import { cpuDuring } from './tree-cpu.js';

const runs = Number(process.argv[2] ?? 1);
const templateId = process.argv[3] ?? 'year-recap';
/** Cold Live masters per pair (4th argument; default `runs`, 0 skips them). */
const liveRuns = Number(process.argv[4] ?? runs);
const FPS = 30;

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-queue-bench-'));
const redis = await startEmbeddedRedis();
const queueName = `bench-split-${randomUUID()}`;
const storeRoot = path.join(dir, 'storage');
const rq = createRenderQueue({ redisUrl: redis.url, queueName });
const conn = createRedisConnection(redis.url);
const store = createFileStore({ root: storeRoot });
const registry = await benchRegistry(path.join(repoRoot, '.cache/bench'));
const deps = { queue: rq.queue, events: rq.events, registry, index: createOutputIndex(conn), store };

/** Two pinned render workers with these split settings; resolves once both are ready. */
async function startPair(chunks: number): Promise<ChildProcess[]> {
  const procs = [0, 1].map((core) => {
    const log = path.join(dir, `worker-${chunks}-${core}.log`);
    const fd = openSync(log, 'w');
    const proc = spawn(
      'taskset',
      ['-c', String(core), process.execPath, '--import', TSX_LOADER, path.join(repoRoot, 'bench/split-render-queue-worker.ts'), '--concurrency', '1', '--queue', queueName],
      {
        cwd: repoRoot,
        stdio: ['ignore', fd, fd],
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          STORAGE_ROOT: storeRoot,
          MASTERCUT_CACHE_DIR: '.cache/bench',
          LOG_LEVEL: 'info',
          METRICS_PORT: '0',
          RENDER_POOL_SIZE: '1',
          RENDER_SPLIT_MIN_FRAMES: '2',
          RENDER_SPLIT_CHUNKS: String(chunks),
        },
      },
    );
    closeSync(fd);
    return Object.assign(proc, { log });
  });
  const deadline = Date.now() + 180_000;
  for (const proc of procs) {
    while (!/render worker ready/.test(await readFile(proc.log, 'utf8'))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start: ${proc.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return procs;
}

async function stopPair(procs: ChildProcess[]): Promise<void> {
  for (const proc of procs) proc.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode === null ? p.once('exit', r) : r(undefined)))));
}

/** One cold master from request to `done`: wall seconds, the output's frames, its file and render key, and when it was asked for (epoch ms). */
async function renderOnce(label: string, run: number): Promise<{ seconds: number; frames: number | undefined; file: string; renderKey: string; requestedAt: number }> {
  const requestedAt = Date.now();
  const startedAt = performance.now();
  const { renderKey, storageKey } = await enqueueRender(deps, { templateId, props: { firstName: `${label}${run}` }, priorityClass: 'api' });
  const status = await waitForRender(deps, renderKey, 600_000);
  const seconds = (performance.now() - startedAt) / 1000;
  if (status.state !== 'done') throw new Error(`${label} run ${run}: ${status.state}`);
  const info = await probe(store.localPath!(storageKey)!, { countFrames: true });
  const file = store.localPath!(storageKey)!;
  return { seconds, frames: info.video?.frames, file, renderKey, requestedAt };
}

/**
 * One cold Live master (priorityClass live: it streams while it renders), read
 * through the render stream as an API process reads it: its first byte, its
 * last (the stream's end) and `done`, from the request. Split, the master
 * streams its first chunk while the other worker renders the second.
 */
async function renderLiveOnce(label: string, run: number): Promise<{ firstByte: number; firstFragment: number; streamEnd: number; done: number; bytes: number; renderKey: string; file: string }> {
  const hub = createRenderStreamHub({ connect: () => createRedisConnection(redis.url), idleTimeoutMs: 600_000 });
  try {
    const startedAt = performance.now();
    const { renderKey, storageKey } = await enqueueRender(deps, { templateId, props: { firstName: `Live${label}${run}` }, priorityClass: 'live' });
    let firstByte = Number.NaN;
    let firstFragment = Number.NaN;
    let bytes = 0;
    // The first `moof` box: the first video a player can show (before it, the header only; the last 3 bytes kept for a box type cut between events).
    let tail = Buffer.alloc(0);
    for await (const event of hub.subscribe(renderKey)) {
      if (event.type === 'data') {
        if (bytes === 0) firstByte = performance.now() - startedAt;
        bytes += event.chunk.length;
        if (Number.isNaN(firstFragment)) {
          const seen = Buffer.concat([tail, event.chunk]);
          if (seen.includes('moof')) firstFragment = performance.now() - startedAt;
          tail = seen.subarray(Math.max(0, seen.length - 3));
        }
      } else if (event.type !== 'end') throw new Error(`${label} live run ${run}: stream ${event.type} ${'code' in event ? event.code : ''}`);
    }
    const streamEnd = performance.now() - startedAt;
    const status = await waitForRender(deps, renderKey, 600_000);
    if (status.state !== 'done') throw new Error(`${label} live run ${run}: ${status.state}`);
    const done = (performance.now() - startedAt) / 1000;
    return { firstByte: firstByte / 1000, firstFragment: firstFragment / 1000, streamEnd: streamEnd / 1000, done, bytes, renderKey, file: store.localPath!(storageKey)! };
  } finally {
    await hub.close();
  }
}

/** The workers' logs, joined. */
async function logsOf(pair: ChildProcess[]): Promise<string> {
  return (await Promise.all(pair.map((p) => readFile((p as ChildProcess & { log: string }).log, 'utf8')))).join('\n');
}

/** Where the master of `renderKey` was cut (the chunks' first frames after 0), from the workers' logs; empty when it rendered whole. */
function seamsOf(logs: string, renderKey: string): number[] {
  const line = logs.split('\n').find((l) => l.includes(`"renderKey":"${renderKey}"`) && /"msg":"split render: chunks queued/.test(l));
  const starts = line ? (JSON.parse(line) as { starts?: number[] }).starts : undefined;
  return (starts ?? []).slice(1);
}

/**
 * What the workers logged for `renderKey`, in time order, in seconds from the
 * request (log times are epoch ms, one host's clock): where a split's time
 * goes (queued, each chunk rendered and by which worker, published).
 */
async function timelineOf(pair: ChildProcess[], renderKey: string, requestedAt: number): Promise<string> {
  const events: { at: number; text: string }[] = [];
  for (const [worker, proc] of pair.entries()) {
    for (const line of (await readFile((proc as ChildProcess & { log: string }).log, 'utf8')).split('\n')) {
      if (!line.includes(`"renderKey":"${renderKey}"`)) continue;
      const entry = JSON.parse(line) as { time: number; msg: string; chunk?: number };
      events.push({ at: (entry.time - requestedAt) / 1000, text: `${entry.msg}${entry.chunk === undefined ? '' : ` ${entry.chunk}`} (worker ${worker})` });
    }
  }
  return events
    .sort((a, b) => a.at - b.at)
    .map((e) => `+${e.at.toFixed(2)} s ${e.text}`)
    .join(', ');
}

/** The seam checks of docs/split-render.md ("What is checked") on a stored master, printed. */
async function printSeamChecks(file: string, seams: number[]): Promise<void> {
  for (const line of describeSplitCheck(await checkSplitVideo(file, { fps: FPS, seams }), FPS)) console.log(`    ${line}`);
}

try {
  const results: Record<string, number[]> = { whole: [], split: [] };
  const live: Record<string, { firstByte: number; firstFragment: number; streamEnd: number; done: number }[]> = { whole: [], split: [] };
  for (const [label, chunks] of [['whole', 1], ['split', 8]] as const) {
    const pair = await startPair(chunks);
    try {
      for (let run = 1; run <= runs; run++) {
        const { value: rendered, cpu } = await cpuDuring(pair.map((p) => p.pid!), () => renderOnce(label, run));
        const { seconds, frames, file, renderKey, requestedAt } = rendered;
        results[label]!.push(seconds);
        // Where the master cut itself (one chunk per free render slot, at most RENDER_SPLIT_CHUNKS).
        const seams = seamsOf(await logsOf(pair), renderKey);
        console.log(`${templateId} ${label} (RENDER_SPLIT_CHUNKS=${chunks}) run ${run}: ${seconds.toFixed(2)} s request -> done, ${frames} frames, chunks: ${seams.length > 0 ? `${seams.length + 1}, seams at ${seams.join(', ')}` : 'none (whole)'}`);
        // CPU seconds of each worker's process tree (node, Chromium, ffmpeg) during the run: on its pinned core, the time it was busy.
        console.log(`    CPU: ${cpu.map((s, i) => `worker ${i} ${s.toFixed(2)} s`).join(', ')}; timeline: ${await timelineOf(pair, renderKey, requestedAt)}`);
        if (seams.length > 0) await printSeamChecks(file, seams);
      }
      for (let run = 1; run <= liveRuns; run++) {
        const times = await renderLiveOnce(label, run);
        live[label]!.push(times);
        const seams = seamsOf(await logsOf(pair), times.renderKey);
        console.log(
          `${templateId} ${label} live cold master run ${run}: first stream byte ${times.firstByte.toFixed(2)} s, first fragment ${times.firstFragment.toFixed(2)} s, stream end ${times.streamEnd.toFixed(2)} s (${times.bytes} bytes), done ${times.done.toFixed(2)} s${seams.length > 0 ? `, seams at ${seams.join(', ')}` : ''}`,
        );
        if (seams.length > 0) await printSeamChecks(times.file, seams);
      }
    } finally {
      await stopPair(pair);
    }
  }
  const best = (xs: number[]) => Math.min(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const label of ['whole', 'split'] as const) {
    const runsOf = live[label]!;
    if (runsOf.length === 0) continue;
    console.log(`live ${label} (median of ${runsOf.length}): first stream byte ${median(runsOf.map((r) => r.firstByte)).toFixed(2)} s, first fragment ${median(runsOf.map((r) => r.firstFragment)).toFixed(2)} s, stream end ${median(runsOf.map((r) => r.streamEnd)).toFixed(2)} s, done ${median(runsOf.map((r) => r.done)).toFixed(2)} s`);
  }
  console.log(`median: whole ${median(results.whole!).toFixed(2)} s, split ${median(results.split!).toFixed(2)} s, speed-up ${(median(results.whole!) / median(results.split!)).toFixed(2)}x (target >= 1.7x)`);
  console.log(`best: whole ${best(results.whole!).toFixed(2)} s, split ${best(results.split!).toFixed(2)} s, speed-up ${(best(results.whole!) / best(results.split!)).toFixed(2)}x (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
} finally {
  await rq.close();
  await closeRedisConnection(conn);
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
