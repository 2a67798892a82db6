/**
 * Split renders through the render queue (prints figures; not a test).
 *
 *   npx tsx bench/split-render-queue.ts [runs=1] [templateId=year-recap]
 *
 * Two render worker processes (`workers/render.ts`, as production runs
 * them), pinned to one core each (`taskset -c 0`, `-c 1`), one browser each,
 * on a private redis-server. First with splitting off (RENDER_SPLIT_CHUNKS=1:
 * one worker renders the whole master, the other stays idle), then with
 * RENDER_SPLIT_CHUNKS=8, a maximum: the master's job fans out one chunk job
 * per free render slot (two live workers of concurrency 1: two chunks, printed
 * from the workers' logs), and the resumed job joins them (docs/split-render.md). Each time is
 * from the request (enqueueRender) to the output indexed done, so it holds
 * the queue's own latency (child jobs, parking, resuming, reading the chunks
 * back from the store) that bench/split-render.ts leaves out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { probe } from '../src/encode/index.js';
import { createDefaultRegistry } from '../src/pipeline/index.js';
import { closeRedisConnection, createRedisConnection } from '../src/queue/index.js';
import { createOutputIndex, createRenderQueue, enqueueRender, waitForRender } from '../src/renders/index.js';
import { createFileStore } from '../src/storage/index.js';
import { repoRoot, TSX_LOADER } from './live-farm.js';

const runs = Number(process.argv[2] ?? 1);
const templateId = process.argv[3] ?? 'year-recap';

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-queue-bench-'));
const redis = await startEmbeddedRedis();
const queueName = `bench-split-${randomUUID()}`;
const storeRoot = path.join(dir, 'storage');
const rq = createRenderQueue({ redisUrl: redis.url, queueName });
const conn = createRedisConnection(redis.url);
const store = createFileStore({ root: storeRoot });
const registry = createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/bench') });
const deps = { queue: rq.queue, events: rq.events, registry, index: createOutputIndex(conn), store };

/** Two pinned render workers with these split settings; resolves once both are ready. */
async function startPair(chunks: number): Promise<ChildProcess[]> {
  const procs = [0, 1].map((core) => {
    const log = path.join(dir, `worker-${chunks}-${core}.log`);
    const fd = openSync(log, 'w');
    const proc = spawn(
      'taskset',
      ['-c', String(core), process.execPath, '--import', TSX_LOADER, path.join(repoRoot, 'workers/render.ts'), '--concurrency', '1', '--queue', queueName],
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

/** One cold master from request to `done`: wall seconds and the output's frames. */
async function renderOnce(label: string, run: number): Promise<{ seconds: number; frames: number | undefined }> {
  const startedAt = performance.now();
  const { renderKey, storageKey } = await enqueueRender(deps, { templateId, props: { firstName: `${label}${run}` }, priorityClass: 'api' });
  const status = await waitForRender(deps, renderKey, 600_000);
  const seconds = (performance.now() - startedAt) / 1000;
  if (status.state !== 'done') throw new Error(`${label} run ${run}: ${status.state}`);
  const info = await probe(store.localPath!(storageKey)!, { countFrames: true });
  return { seconds, frames: info.video?.frames };
}

try {
  const results: Record<string, number[]> = { whole: [], split: [] };
  for (const [label, chunks] of [['whole', 1], ['split', 8]] as const) {
    const pair = await startPair(chunks);
    try {
      for (let run = 1; run <= runs; run++) {
        const { seconds, frames } = await renderOnce(label, run);
        results[label]!.push(seconds);
        // The count the master chose (one chunk per free render slot, at most RENDER_SPLIT_CHUNKS).
        const logs = (await Promise.all(pair.map((p) => readFile((p as ChildProcess & { log: string }).log, 'utf8')))).join('\n');
        const cut = [...logs.matchAll(/"chunks":(\d+)[^\n]*"msg":"split render: chunks queued"/g)].map((m) => m[1]).at(-1) ?? 'none (whole)';
        console.log(`${templateId} ${label} (RENDER_SPLIT_CHUNKS=${chunks}) run ${run}: ${seconds.toFixed(2)} s request -> done, ${frames} frames, chunks: ${cut}`);
      }
    } finally {
      await stopPair(pair);
    }
  }
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`best: whole ${best(results.whole!).toFixed(2)} s, split ${best(results.split!).toFixed(2)} s, speed-up ${(best(results.whole!) / best(results.split!)).toFixed(2)}x (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
} finally {
  await rq.close();
  await closeRedisConnection(conn);
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
