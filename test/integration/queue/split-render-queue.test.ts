import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputIndex, createRenderQueue, createRenders, enqueueRender, type RenderQueue, waitForRender } from '../../../src/renders/index.js';
import { probe } from '../../../src/encode/index.js';
import { eraseSubject, recordSubject } from '../../../src/live/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/index.js';
import { createFileStore } from '../../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { startWorkerProcess, type WorkerChild } from '../../helpers/worker-process.js';
import { createQueueStats } from '../../../src/ops/index.js';
import { parseMetricsText, valueOf } from '../../unit/ops/metrics/parse-metrics-text.js';
import { registry, until } from './queue-test-kit.js';

/**
 * Split renders through the render queue, with real worker processes
 * (docs/split-render.md): the master's job fans its chunks out as child jobs
 * that any worker takes, and joins them once they are all done. A worker
 * killed (-9) while it holds a chunk loses that chunk alone; an erasure in the
 * middle of a split render leaves nothing of the subject behind.
 */
let redis: EmbeddedRedis;
let storeRoot: string;
let workDir: string;
let rq: RenderQueue;
let conn: ReturnType<typeof createRedisConnection>;
const children: WorkerChild[] = [];
const queueName = `q-split-${randomUUID()}`;
/** The most chunks a render is cut into; two live workers of concurrency 1 give 2, the count the tests expect. */
const MAX_CHUNKS = 8;
const CHUNKS = 2;

function deps() {
  return { queue: rq.queue, events: rq.events, registry, index: createOutputIndex(conn), store: createFileStore({ root: storeRoot }) };
}

function startWorker(): WorkerChild {
  // Short locks so that a killed worker's chunk is taken over in seconds, not 30 s.
  const args = ['--concurrency', '1', '--queue', queueName, '--work-dir', workDir, '--lock-duration-ms', '2000', '--stalled-interval-ms', '1000'];
  const child = startWorkerProcess({
    redisUrl: redis.url,
    storeRoot,
    args,
    env: { RENDER_SPLIT_MIN_FRAMES: '2', RENDER_SPLIT_CHUNKS: String(MAX_CHUNKS), RENDER_POOL_SIZE: '1' },
  });
  children.push(child);
  return child;
}

/** The job ids this worker started, in order (its "render started" lines). */
function started(child: WorkerChild): string[] {
  return [...child.output().matchAll(/"renderKey":"([^"]+)"[^\n]*"msg":"render started"/g)].map((m) => m[1]!);
}

function chunkId(key: string, index: number): string {
  return `${key}:chunk:${index}of${CHUNKS}`;
}

async function visibleRenders(): Promise<string[]> {
  const names = await readdir(path.join(storeRoot, 'renders')).catch(() => [] as string[]);
  return names.filter((name) => !name.startsWith('.')).sort();
}

beforeAll(async () => {
  redis = await startTestRedis();
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-store-'));
  workDir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-split-work-'));
  rq = createRenderQueue({ redisUrl: redis.url, queueName });
  conn = createRedisConnection(redis.url);
});
afterAll(async () => {
  for (const child of children) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await rq?.close();
  if (conn) await closeRedisConnection(conn);
  await redis?.destroy();
  await Promise.all([storeRoot, workDir].filter(Boolean).map((d) => rm(d, { recursive: true, force: true })));
});

describe('split render through the queue', () => {
  let survivor: WorkerChild;

  it('kill -9 of a worker holding a chunk: that chunk alone is rendered again, by the other worker; one MP4 of the whole length', async () => {
    const pair = [startWorker(), startWorker()];
    await until(() => pair.every((w) => /render worker ready/.test(w.output())), 120_000, 'workers ready');
    const d = deps();
    // `reference`: 150 frames at 30 fps, cut into 2 chunks of 75: one per live render slot (heartbeats), under RENDER_SPLIT_CHUNKS.
    const { renderKey, storageKey } = await enqueueRender(d, { templateId: 'reference', props: { name: 'Split', points: 7 }, priorityClass: 'api' });

    // Whichever worker is first seen holding a chunk (started, not yet rendered) is killed.
    const holds = (w: WorkerChild) => {
      const chunks = started(w).filter((id) => id.startsWith(`${renderKey}:chunk:`));
      const rendered = (w.output().match(/"msg":"chunk rendered"/g) ?? []).length;
      return chunks.length > rendered ? chunks[chunks.length - 1] : undefined;
    };
    // Held: started by the worker, its "chunk rendered" not printed, and still active in Redis
    // (the output pipe may lag behind a chunk that has just finished).
    const holding = async () => {
      for (const w of pair) {
        const id = holds(w);
        if (id && (await rq.queue.getJobState(id)) === 'active' && holds(w) === id) return { w, id };
      }
      return undefined;
    };
    const { w: victim, id: lost } = await until(holding, 120_000, 'a chunk held by a worker');
    victim.proc.kill('SIGKILL');
    await victim.exited;
    survivor = pair.find((w) => w !== victim)!;

    const status = await waitForRender(d, renderKey, 240_000);
    expect(status.state, survivor.output().slice(-3000)).toBe('done');
    expect(survivor.output()).toMatch(/stalled job moved back to wait/);

    // Renders per chunk, over both workers: the lost chunk twice, every other one once.
    const all = [...started(victim), ...started(survivor)];
    for (let index = 0; index < CHUNKS; index++) {
      const id = chunkId(renderKey, index);
      expect(all.filter((j) => j === id), id).toHaveLength(id === lost ? 2 : 1);
    }
    expect(started(survivor)).toContain(lost);

    // One MP4, the whole length, stored under the key an unsplit render uses; the chunk files are gone.
    const info = await probe(d.store.localPath!(storageKey)!, { countFrames: true });
    expect(info.video?.frames).toBe(150);
    expect(info.durationSec).toBeCloseTo(5, 1);
    expect(await visibleRenders()).toEqual([path.basename(storageKey)]);
    const record = await d.index.get(renderKey);
    expect(record).toMatchObject({ state: 'done', storageKey, contentType: 'video/mp4', templateId: 'reference' });
    expect(survivor.output()).toMatch(new RegExp(`"renderKey":"${renderKey}"[^\\n]*"msg":"render published"`));

    // Counted once in the ops figures: the master's job is the one completed render, its chunks are apart.
    const stats = createQueueStats({ redis: conn });
    let serviceSec: number | null = null;
    try {
      const read = await until(async () => {
        const s = await stats.read(queueName);
        return s.windows[0]!.completed > 0 ? s : undefined;
      }, 20_000, 'the completion recorded');
      expect(read.windows[0]).toMatchObject({ completed: 1, failed: 0 });
      expect(read.history.reduce((n, b) => n + b.retried, 0)).toBe(0);
      serviceSec = read.serviceSecPerJob;
    } finally {
      await stats.close();
    }
    const port = /"port":(\d+)[^\n]*"msg":"metrics listening"/.exec(survivor.output())?.[1];
    const samples = parseMetricsText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const survivorChunks = started(survivor).filter((id) => id.startsWith(`${renderKey}:chunk:`)).length;
    expect(survivorChunks).toBeGreaterThan(0);
    expect(valueOf(samples, 'mastercut_job_duration_seconds_count', { queue: queueName, outcome: 'completed' })).toBe(1);
    expect(valueOf(samples, 'mastercut_render_chunk_duration_seconds_count', { outcome: 'completed' })).toBe(survivorChunks);
    // The one render's service time is its slot time: at least the survivor's chunks (the victim's finished ones add to it).
    const survivorChunkSec = valueOf(samples, 'mastercut_render_chunk_duration_seconds_sum', { outcome: 'completed' });
    expect(serviceSec).toBeGreaterThan(survivorChunkSec - 0.01);
  }, 400_000);

  it('an erasure in the middle of a split render: no chunk file, no output, no index entry is left', async () => {
    // The worker left by the test above (or a fresh one when this test runs alone), and a second:
    // a lone worker of concurrency 1 renders whole.
    survivor ??= startWorker();
    const second = startWorker();
    await until(() => [survivor, second].every((w) => /render worker ready/.test(w.output())), 120_000, 'workers ready');
    const d = deps();
    const before = await visibleRenders();
    const recipientId = `erased-${randomUUID()}`;
    const { renderKey } = await enqueueRender(d, { templateId: 'reference', props: { name: 'Gone', points: 3 }, priorityClass: 'api' });
    await recordSubject(conn, recipientId, { renderKeys: [renderKey] });
    await until(() => [survivor, second].some((w) => started(w).some((id) => id.startsWith(`${renderKey}:chunk:`))), 120_000, 'a chunk of the erased render started');

    const renders = createRenders({ queue: rq.queue, redis: conn, index: d.index, store: d.store });
    const erased = await eraseSubject(
      { redis: conn, renders, store: d.store, outputIndex: d.index, storedProps: { delete: async () => false } },
      recipientId,
      { actor: 'split-render-test' },
    );
    // The master's job was there (its chunks parked it, or one ran and held it).
    expect(erased.counts.jobs + erased.counts.activeJobs).toBeGreaterThanOrEqual(1);

    // Settled: nothing of the render is queued, running or parked any more.
    await until(
      async () => {
        const counts = await rq.queue.getJobCounts('active', 'waiting', 'prioritized', 'waiting-children', 'delayed');
        return Object.values(counts).every((n) => n === 0);
      },
      240_000,
      'the split render to settle',
    );
    expect(await visibleRenders()).toEqual(before);
    expect(await d.index.get(renderKey)).toBeUndefined();
    for (const w of [survivor, second]) expect(w.output()).not.toMatch(new RegExp(`"renderKey":"${renderKey}"[^\\n]*"msg":"render published"`));
    expect(['failed', 'unknown']).toContain(await rq.queue.getJobState(renderKey));
  }, 400_000);
});
