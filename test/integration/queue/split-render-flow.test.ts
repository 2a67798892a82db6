import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import type { JoinChunksRequest, RenderRequest } from '../../../src/pipeline/index.js';
import { enqueueRender, getRenderStatus, idleRenderSlots, renderOutputKey, waitForRender, type RenderJobContext, type RenderJobData, type RenderSplitContext } from '../../../src/renders/index.js';
import { priorities, startWorkerHeartbeat } from '../../../src/queue/index.js';
import { fakeRender, registry, until, useQueueKit, type QueueKit } from './queue-test-kit.js';

/**
 * The queue side of split renders with a stand-in render and join (fast, no
 * Chromium): the master's job fans its chunks out as child jobs that any
 * worker takes, is parked until they are done, then joins them once and
 * publishes like an unsplit render. The real media and a real kill -9 are in
 * split-render-queue.test.ts.
 */
const env = useQueueKit({ attempts: 2, backoffDelayMs: 50 });

interface Recorder {
  renderVideo: RenderJobContext['renderVideo'];
  /** Each render's frames ([start, end] inclusive, undefined: the whole video) and whether it was a chunk. */
  renders: { frames?: { start: number; end: number }; chunk: boolean }[];
  joins: JoinChunksRequest[];
  split: (options?: Partial<RenderSplitContext>) => RenderSplitContext;
}

function recorder(
  kit: QueueKit,
  failChunk?: (frames: { start: number; end: number }, attempt: number) => Error | undefined,
  delayMs = 20,
): Recorder {
  const fake = fakeRender({ delayMs });
  const rec: Recorder = {
    renders: [],
    joins: [],
    renderVideo: async (request: RenderRequest) => {
      rec.renders.push({ frames: request.frames, chunk: request.chunk === true });
      const attempt = rec.renders.filter((r) => r.frames?.start === request.frames?.start && r.chunk).length;
      const failure = request.frames && failChunk?.(request.frames, attempt);
      if (failure) throw failure;
      return fake.renderVideo(request);
    },
    split: (options = {}) => ({
      options: { minFrames: 100, chunks: 3 },
      frameCount: (templateId) => registry.get(templateId).durationInFrames,
      joinChunks: async (request) => {
        rec.joins.push(request);
        const parts = await Promise.all(request.chunks.map((c) => readFile(c.path, 'utf8')));
        await writeFile(request.out, `joined ${request.range.start}-${request.range.end}: ${parts.length} parts`);
      },
      store: kit.store,
      ...options,
    }),
  };
  return rec;
}

async function storedNames(kit: QueueKit): Promise<string[]> {
  return (await readdir(path.join(kit.storeRoot, 'renders')).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
}

describe('split renders through the render queue', () => {
  it('cuts a long master into chunk jobs that any worker takes, joins them once and publishes under the render key', async () => {
    const { kit } = env;
    const rec = recorder(kit);
    const rendered: string[] = [];
    const ctx = { renderVideo: rec.renderVideo, split: rec.split(), onRendered: (_d: RenderJobData, key: string) => void rendered.push(key) };
    kit.startWorker(ctx);
    kit.startWorker(ctx);
    // `reference`: 150 frames, cut into 3 chunks of 50.
    const { renderKey, storageKey } = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 1 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, renderKey, 30_000)).state).toBe('done');

    expect(rec.renders.map((r) => [r.frames, r.chunk]).sort((a, b) => (a[0] as { start: number }).start - (b[0] as { start: number }).start)).toEqual([
      [{ start: 0, end: 49 }, true],
      [{ start: 50, end: 99 }, true],
      [{ start: 100, end: 149 }, true],
    ]);
    expect(rec.joins).toHaveLength(1);
    expect(rec.joins[0]!.range).toEqual({ start: 0, end: 150 });
    expect(rec.joins[0]!.chunks.map((c) => c.frames)).toEqual([50, 50, 50]);
    // One output under the key an unsplit render uses; the chunk files are gone; indexed and hooked once.
    expect(storageKey).toBe(renderOutputKey(renderKey, 'mp4'));
    expect(await storedNames(kit)).toEqual([path.basename(storageKey)]);
    expect(await readFile(path.join(kit.storeRoot, storageKey), 'utf8')).toBe('joined 0-150: 3 parts');
    expect(await kit.index.get(renderKey)).toMatchObject({ state: 'done', storageKey, contentType: 'video/mp4' });
    await until(() => rendered.length > 0, 10_000, 'onRendered');
    expect(rendered).toEqual([renderKey]);
    const chunkJobs = await Promise.all([0, 1, 2].map((i) => kit.rq.queue.getJobState(`${renderKey}:chunk:${i}of3`)));
    for (const state of chunkJobs) expect(['completed', 'unknown']).toContain(state);

    // The output lost from the store: asked again, the finished master is replaced and split afresh.
    await kit.store.delete(storageKey);
    await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Ana', points: 1 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, renderKey, 30_000)).state).toBe('done');
    expect(rec.renders.filter((r) => r.chunk)).toHaveLength(6);
    expect(rec.joins).toHaveLength(2);
    expect(await storedNames(kit)).toEqual([path.basename(storageKey)]);
  }, 60_000);

  it('retries a lost chunk alone; a chunk that fails for good fails the render once (index, onFailed) and leaves no chunk file', async () => {
    const { kit } = env;
    // Chunk [50, 100) fails its first try: only it is rendered again.
    const flaky = recorder(kit, (frames, attempt) => (frames.start === 50 && attempt === 1 ? new Error('worker lost') : undefined));
    const flakyWorker = kit.startWorker({ renderVideo: flaky.renderVideo, split: flaky.split() });
    const first = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Flaky', points: 2 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, first.renderKey, 30_000)).state).toBe('done');
    const tries = (start: number) => flaky.renders.filter((r) => r.frames?.start === start).length;
    expect([tries(0), tries(50), tries(100)]).toEqual([1, 2, 1]);
    expect(flaky.joins).toHaveLength(1);
    await flakyWorker.shutdown(0);

    const failed: string[] = [];
    const broken = recorder(kit, (frames) => (frames.start === 100 ? new AppError('TEMPLATE_ERROR', 'the template threw') : undefined));
    const brokenWorker = kit.startWorker({ renderVideo: broken.renderVideo, split: broken.split(), onFailed: (_d, key) => void failed.push(key) });
    const second = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Broken', points: 3 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, second.renderKey, 30_000)).state).toBe('failed');
    expect(await kit.index.get(second.renderKey)).toMatchObject({ state: 'failed', error: 'CHUNK_FAILED' });
    await until(() => failed.length > 0, 10_000, 'onFailed');
    expect(failed).toEqual([second.renderKey]);
    expect(broken.joins).toHaveLength(0);
    // Only the first render's output remains: the failed one's chunks were removed.
    expect(await storedNames(kit)).toEqual([path.basename(first.storageKey)]);
    await brokenWorker.shutdown(0);

    // Asked again, the failed master is replaced (its chunk jobs go with it) and split afresh.
    const fixed = recorder(kit);
    kit.startWorker({ renderVideo: fixed.renderVideo, split: fixed.split() });
    const again = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Broken', points: 3 }, priorityClass: 'api' });
    expect(again.renderKey).toBe(second.renderKey);
    expect((await waitForRender(kit.deps, again.renderKey, 30_000)).state).toBe('done');
    expect(fixed.renders.filter((r) => r.chunk)).toHaveLength(3);
    expect(fixed.joins).toHaveLength(1);
  }, 60_000);

  it('cuts a master into one chunk per idle render slot (live heartbeats less active jobs), at most RENDER_SPLIT_CHUNKS; a lone worker renders whole', async () => {
    const { kit } = env;
    // Three slots on this queue (concurrency 2 + 1); another queue's worker is not counted.
    const beat = (id: string, concurrency: number, queue = kit.queueName) =>
      startWorkerHeartbeat(kit.redis, { role: 'render', id, info: { concurrency, queue } });
    const big = beat('w-big', 2);
    const small = beat('w-small', 1);
    const other = beat('w-other', 4, 'another-queue');
    await Promise.all([big.beat(), small.beat(), other.beat()]);
    try {
      const idleSlots = () => idleRenderSlots(kit.redis, kit.rq.queue);
      expect(await idleSlots()).toBe(3);
      // A render waiting: no slot is offered to a split.
      const waiting = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Waiting', points: 9 }, priorityClass: 'api' });
      expect(await idleSlots()).toBe(0);
      await kit.rq.queue.remove(waiting.renderKey);
      expect(await idleSlots()).toBe(3);
      const run = async (chunks: number, name: string) => {
        const rec = recorder(kit);
        const worker = kit.startWorker({ renderVideo: rec.renderVideo, split: rec.split({ options: { minFrames: 100, chunks }, idleSlots }) }, { concurrency: 3 });
        const { renderKey } = await enqueueRender(kit.deps, { templateId: 'reference', props: { name, points: 9 }, priorityClass: 'api' });
        expect((await waitForRender(kit.deps, renderKey, 30_000)).state).toBe('done');
        await worker.shutdown(0);
        return rec;
      };
      // The master's own slot (freed when it parks) and the two idle ones: 3 chunks, under the cap of 8.
      const three = await run(8, 'Three');
      expect(three.renders.map((r) => r.frames?.start).sort((a, b) => a! - b!)).toEqual([0, 50, 100]);
      expect(three.joins.map((j) => j.chunks.length)).toEqual([3]);
      // Capped by RENDER_SPLIT_CHUNKS.
      const capped = await run(2, 'Capped');
      expect(capped.joins.map((j) => j.chunks.map((c) => c.frames))).toEqual([[75, 75]]);
      // Heartbeats gone (stopped; a crashed worker's expires): one slot left, the master's, so it renders whole.
      await big.stop();
      const lone = await run(8, 'Lone');
      expect(lone.renders).toEqual([{ frames: undefined, chunk: false }]);
      expect(lone.joins).toEqual([]);
    } finally {
      await Promise.all([big.stop(), small.stop(), other.stop()]);
    }
  }, 90_000);

  it('a master whose join fails joins again without re-rendering its chunks, and reads rendering (active) meanwhile, not queued', async () => {
    const { kit } = env;
    const rec = recorder(kit);
    const join = rec.split().joinChunks;
    const seen: { index?: string; status: string }[] = [];
    const split = rec.split({
      joinChunks: async (request) => {
        // The join's temp file is named after the render key.
        const key = path.basename(request.out).split('.')[0]!;
        seen.push({ index: (await kit.index.get(key))?.state, status: (await getRenderStatus(kit.deps, key)).state });
        if (seen.length === 1) throw new Error('ffmpeg lost');
        return join(request);
      },
    });
    kit.startWorker({ renderVideo: rec.renderVideo, split });
    const { renderKey } = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Rejoin', points: 10 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, renderKey, 30_000)).state).toBe('done');
    expect(seen).toEqual([
      { index: 'rendering', status: 'active' },
      { index: 'rendering', status: 'active' },
    ]);
    expect(rec.renders.filter((r) => r.chunk)).toHaveLength(3);
    expect(await kit.index.get(renderKey)).toMatchObject({ state: 'done' });
  }, 60_000);

  it('a worker that splits nothing itself (RENDER_SPLIT_CHUNKS=1) still renders the chunks of a master split elsewhere, and joins it', async () => {
    const { kit } = env;
    // A splits (3 chunks) and parks the master; its chunks are slow, so it stops before any is done.
    const a = recorder(kit, undefined, 5_000);
    const workerA = kit.startWorker({ renderVideo: a.renderVideo, split: a.split() });
    const { renderKey } = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Handover', points: 11 }, priorityClass: 'api' });
    await until(async () => (await kit.rq.queue.getJobState(renderKey)) === 'waiting-children', 20_000, 'the master parked');
    await workerA.shutdown(0);
    const b = recorder(kit);
    kit.startWorker({ renderVideo: b.renderVideo, split: b.split({ options: { minFrames: 100, chunks: 1 } }) });
    expect((await waitForRender(kit.deps, renderKey, 30_000)).state).toBe('done');
    expect(a.joins).toEqual([]);
    expect(b.joins.map((j) => j.chunks.map((c) => c.frames))).toEqual([[50, 50, 50]]);
    expect(b.renders.every((r) => r.chunk)).toBe(true);
  }, 60_000);

  it('renders whole when other renders wait (workers busy), below the minimum length, and for a streamed Live master without a chunk stream', async () => {
    const { kit } = env;
    const busy = recorder(kit);
    const busyWorker = kit.startWorker({ renderVideo: busy.renderVideo, split: busy.split({ idleSlots: async () => 0 }) });
    const a = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Busy', points: 4 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, a.renderKey, 30_000)).state).toBe('done');
    expect(busy.renders).toEqual([{ frames: undefined, chunk: false }]);
    await busyWorker.shutdown(0);

    const short = recorder(kit);
    const shortWorker = kit.startWorker({ renderVideo: short.renderVideo, split: short.split({ options: { minFrames: 151, chunks: 3 } }) });
    const b = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Short', points: 5 }, priorityClass: 'api' });
    expect((await waitForRender(kit.deps, b.renderKey, 30_000)).state).toBe('done');
    expect(short.renders).toEqual([{ frames: undefined, chunk: false }]);
    await shortWorker.shutdown(0);

    // A cold Live URL streams the master while it renders: a worker that cannot stream a split (no openChunkStream) renders it whole.
    const live = recorder(kit);
    const streamed: string[] = [];
    const openStream = (key: string) => ({ write: () => undefined, end: async () => void streamed.push(key), fail: async () => undefined });
    kit.startWorker({ renderVideo: live.renderVideo, split: live.split(), openStream });
    const c = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Live', points: 6 }, priorityClass: 'live' });
    expect((await waitForRender(kit.deps, c.renderKey, 30_000)).state).toBe('done');
    expect(live.renders).toEqual([{ frames: undefined, chunk: false }]);
    expect(streamed).toEqual([c.renderKey]);
    expect([busy, short, live].flatMap((r) => r.joins)).toEqual([]);
  }, 60_000);

  it('a streamed Live master renders its first chunk itself and streams it, appends the others in order, and streams nothing more once it parks', async () => {
    const { kit } = env;
    const steps: string[] = [];
    const writers: string[] = [];
    const openStream = () => ({
      write: () => undefined,
      end: async () => void writers.push('end'),
      fail: async (code: string) => void writers.push(`fail ${code}`),
    });
    const openChunkStream: RenderSplitContext['openChunkStream'] = async () => ({
      write: async () => void (steps.at(-1) === 'write' || steps.push('write')),
      append: async ({ startFrame }) => void steps.push(`append ${startFrame}`),
      end: async () => void steps.push('end'),
      kill: () => void steps.push('kill'),
    });
    // A chunk after the first takes `laterMs`: longer than streamWaitMs, the master stops waiting in its slot and parks.
    const streaming = (laterMs: number) => {
      const rec = recorder(kit);
      const streamable: boolean[] = [];
      const renderVideo = async (request: RenderRequest) => {
        if (request.chunk) streamable.push(request.streamable === true);
        if (request.frames && request.frames.start > 0) await new Promise((r) => setTimeout(r, laterMs));
        await request.onChunkStream?.(Buffer.from('ts'));
        return rec.renderVideo(request);
      };
      const ctx = { renderVideo, openStream, split: rec.split({ openChunkStream, streamWaitMs: 1_000 }) };
      return { rec, streamable, workers: [kit.startWorker(ctx), kit.startWorker(ctx)] };
    };

    const fast = streaming(0);
    const a = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Stream', points: 9 }, priorityClass: 'live' });
    expect((await waitForRender(kit.deps, a.renderKey, 30_000)).state).toBe('done');
    // The first chunk streamed as it rendered, then the later ones in order; the stream ends once the master is published.
    expect(steps).toEqual(['write', 'append 50', 'append 100', 'end']);
    expect(writers).toEqual(['end']);
    expect(fast.rec.renders.map((r) => r.frames?.start).sort()).toEqual([0, 100, 50]);
    expect(fast.streamable).toEqual([true, true, true]);
    expect(fast.rec.joins).toHaveLength(1);
    await Promise.all(fast.workers.map((w) => w.shutdown(0)));

    steps.length = 0;
    writers.length = 0;
    const late = streaming(3_000);
    const b = await enqueueRender(kit.deps, { templateId: 'reference', props: { name: 'Late', points: 10 }, priorityClass: 'live' });
    expect((await waitForRender(kit.deps, b.renderKey, 60_000)).state).toBe('done');
    // Parked: the stream failed at once (viewers fall back to the stored master), the resumed master streamed nothing.
    expect(steps).toEqual(['write', 'kill']);
    expect(writers).toEqual(['fail PARKED', 'fail RESTARTED']);
    // The first chunk, rendered by the master before it parked, was rendered again as a child job: the join has every chunk.
    expect(late.rec.renders.filter((r) => r.frames?.start === 0)).toHaveLength(2);
    expect(late.streamable.every(Boolean)).toBe(true);
    expect(late.rec.joins).toHaveLength(1);
  }, 90_000);

  it('a parked master reads as active with the frames of its finished chunks; a higher-priority request raises its waiting chunks', async () => {
    const { kit } = env;
    // Slow chunks and one worker: while the first chunk renders, the two others wait at campaign priority.
    const slow = recorder(kit, undefined, 3_000);
    kit.startWorker({ renderVideo: slow.renderVideo, split: slow.split() });
    const input = { templateId: 'reference', props: { name: 'Raise', points: 8 }, campaignId: 'c1', priorityClass: 'campaign' as const };
    const { renderKey } = await enqueueRender(kit.deps, input);
    const chunkIds = [0, 1, 2].map((i) => `${renderKey}:chunk:${i}of3`);
    await until(async () => (await kit.rq.queue.getJobState(renderKey)) === 'waiting-children', 20_000, 'the master parked');
    const waiting = async () => {
      const jobs = await Promise.all(chunkIds.map((id) => kit.rq.queue.getJob(id)));
      const states = await Promise.all(jobs.map((j) => j?.getState()));
      return jobs.filter((j, i) => j && (states[i] === 'prioritized' || states[i] === 'waiting'));
    };
    const before = await waiting();
    expect(before.length).toBeGreaterThan(0);
    for (const job of before) expect(job!.priority).toBe(priorities.campaign);

    expect((await enqueueRender(kit.deps, { ...input, priorityClass: 'api' })).renderKey).toBe(renderKey);
    for (const job of before) expect((await kit.rq.queue.getJob(job!.id!))?.priority, job!.id).toBe(priorities.api);

    // Its status while parked: active, with the frames of the chunks finished so far.
    const parked = await until(
      async () => {
        const status = await getRenderStatus(kit.deps, renderKey);
        return status.state === 'active' && (status.progress?.framesDone ?? 0) > 0 ? status : undefined;
      },
      30_000,
      'progress of the parked master',
    );
    expect(parked.progress).toMatchObject({ totalFrames: 150 });
    expect([[50, 33], [100, 66]]).toContainEqual([parked.progress!.framesDone, parked.progress!.percent]);
    expect((await waitForRender(kit.deps, renderKey, 60_000)).state).toBe('done');
  }, 90_000);
});
