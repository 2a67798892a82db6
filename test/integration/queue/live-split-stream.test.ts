import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputIndex, createRenderQueue, createRenderStreamHub, enqueueRender, type RenderQueue, waitForRender } from '../../../src/renders/index.js';
import { isFaststart } from '../../../src/encode/index.js';
import { closeRedisConnection, createRedisConnection } from '../../../src/queue/index.js';
import { createFileStore } from '../../../src/storage/index.js';
import { checkSplitVideo, type SplitCheck } from '../../helpers/split-checks.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';
import { startWorkerProcess, type WorkerChild } from '../../helpers/worker-process.js';
import { registry, until } from './queue-test-kit.js';

/**
 * A cold Live master split across render workers (docs/split-render.md,
 * "Live cold renders"), with two real worker processes, real Chromium and
 * ffmpeg: the master's worker renders the first chunk and streams it while
 * the other worker renders the second; the second follows in the same
 * fragmented MP4. The streamed bytes and the stored master are both one
 * whole video with its sound in place.
 */
let redis: EmbeddedRedis;
let dir: string;
let rq: RenderQueue;
let conn: ReturnType<typeof createRedisConnection>;
const children: WorkerChild[] = [];
const queueName = `q-live-split-${randomUUID()}`;
/** year-recap: 240 frames at 30 fps, with a soundtrack. */
const FPS = 30;
const FRAMES = 240;

function startWorker(): WorkerChild {
  const child = startWorkerProcess({
    redisUrl: redis.url,
    storeRoot: path.join(dir, 'store'),
    // Short locks: a killed worker's master is taken over in seconds, not 30 s.
    args: ['--concurrency', '1', '--queue', queueName, '--work-dir', path.join(dir, 'work'), '--lock-duration-ms', '2000', '--stalled-interval-ms', '1000'],
    env: { RENDER_SPLIT_MIN_FRAMES: '2', RENDER_SPLIT_CHUNKS: '8', RENDER_POOL_SIZE: '1' },
  });
  children.push(child);
  return child;
}

/** The checks every MP4 master of year-recap passes, split or not (test/integration/render/split-render.test.ts). */
function expectWholeVideo(check: SplitCheck, what: string): void {
  expect(check.frames, `${what}: frames`).toBe(FRAMES);
  expect(check.videoDurationSec, `${what}: video duration`).toBeCloseTo(FRAMES / FPS, 3);
  expect(check.audioDurationSec, `${what}: audio duration`).toBeCloseTo(FRAMES / FPS, 2);
  expect(check.videoFirstPts, `${what}: first video packet`).toBe(0);
  expect(Math.abs(check.audioPresented!), `${what}: first sample heard at`).toBeLessThan(0.001);
  expect(check.frameTimeError, `${what}: pictures off n / fps by`).toBeLessThan(0.001);
  for (const seam of check.seams) {
    expect(seam.keyframe, `${what}: keyframe at ${seam.frame}`).toBe(true);
    expect(seam.audioGapSec, `${what}: audio gap at ${seam.frame}`).toBeLessThan(0.0001);
  }
  expect(check.audioGapSec, `${what}: largest audio gap`).toBeLessThan(0.0001);
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-live-split-'));
  rq = createRenderQueue({ redisUrl: redis.url, queueName });
  conn = createRedisConnection(redis.url);
});
afterAll(async () => {
  for (const child of children) if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await rq?.close();
  if (conn) await closeRedisConnection(conn);
  await redis?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const props = (firstName: string) => ({ firstName, memberTier: 'Gold', nightsStayed: 9, pointsEarned: 1234, topDestination: 'Porto', cta: { label: 'Book now' } });

describe('a cold Live master split across render workers', () => {
  let workers: WorkerChild[] = [];

  it('streams its first chunk before the other is done, then the other in the same MP4; stores the normal joined master', async () => {
    workers = [startWorker(), startWorker()];
    await until(() => workers.every((w) => /render worker ready/.test(w.output())), 120_000, 'workers ready');
    const store = createFileStore({ root: path.join(dir, 'store') });
    const deps = { queue: rq.queue, events: rq.events, registry, index: createOutputIndex(conn), store };
    const hub = createRenderStreamHub({ connect: () => createRedisConnection(redis.url), idleTimeoutMs: 120_000 });

    // One timeline of what happened, in the order this process saw it.
    const timeline: string[] = [];
    const { renderKey, storageKey } = await enqueueRender(deps, { templateId: 'year-recap', props: props('Streamed'), priorityClass: 'live' });
    const laterChunk = `${renderKey}:chunk:1of2`;
    const onCompleted = ({ jobId }: { jobId: string }) => {
      if (jobId === laterChunk) timeline.push('chunk 1 completed');
    };
    rq.events!.on('completed', onCompleted);
    const bytes: Buffer[] = [];
    let end: string | undefined;
    try {
      for await (const event of hub.subscribe(renderKey)) {
        if (event.type === 'data') {
          if (bytes.length === 0) timeline.push('first byte');
          // The chunk's completion is known by now or not: a fragment after it is one the master appended.
          if (timeline.includes('chunk 1 completed') && !timeline.includes('bytes after chunk 1')) timeline.push('bytes after chunk 1');
          bytes.push(event.chunk);
        } else end = event.type === 'end' ? `end ${event.total}` : `error ${event.code}`;
      }
    } finally {
      rq.events!.off('completed', onCompleted);
      await hub.close();
    }
    const output = workers.map((w) => w.output()).join('\n');
    expect(end, output.slice(-3000)).toBe(`end ${Buffer.concat(bytes).length}`);

    // It was split: the master's worker streamed the first chunk, the other rendered the second.
    const queued = /"starts":\[0,(\d+)\][^\n]*"msg":"split render: chunks queued, first chunk streamed here"/.exec(output);
    expect(queued, 'the master split itself and streamed its first chunk').not.toBeNull();
    const seam = Number(queued![1]);
    expect(timeline.indexOf('first byte')).toBe(0);
    expect(timeline, 'the stream began before the later chunk was done, and went on after it').toEqual(['first byte', 'chunk 1 completed', 'bytes after chunk 1']);

    // The streamed bytes: one fragmented MP4 of the whole video, sound from 0 and unbroken across the seam.
    const streamed = path.join(dir, 'streamed.mp4');
    await writeFile(streamed, Buffer.concat(bytes));
    expectWholeVideo(await checkSplitVideo(streamed, { fps: FPS, seams: [seam] }), 'streamed');

    // The stored master: the normal join (one faststart MP4, sound encoded once), under the render key.
    expect((await waitForRender(deps, renderKey, 120_000)).state).toBe('done');
    const stored = store.localPath!(storageKey)!;
    expect(await isFaststart(stored)).toBe(true);
    expectWholeVideo(await checkSplitVideo(stored, { fps: FPS, seams: [seam] }), 'stored');
    expect(await deps.index.get(renderKey)).toMatchObject({ state: 'done', storageKey, contentType: 'video/mp4' });
  }, 400_000);

  it("kill -9 of the master's worker while it streams: the viewer's stream is cut as a retried render's is; the other worker finishes the master", async () => {
    // The workers of the test above (two fresh ones when this test runs alone).
    if (workers.length === 0) workers = [startWorker(), startWorker()];
    await until(() => workers.every((w) => /render worker ready/.test(w.output())), 120_000, 'workers ready');
    const store = createFileStore({ root: path.join(dir, 'store') });
    const deps = { queue: rq.queue, events: rq.events, registry, index: createOutputIndex(conn), store };
    const hub = createRenderStreamHub({ connect: () => createRedisConnection(redis.url), idleTimeoutMs: 120_000 });
    const { renderKey, storageKey } = await enqueueRender(deps, { templateId: 'year-recap', props: props('Killed'), priorityClass: 'live' });
    const streaming = new RegExp(`"renderKey":"${renderKey}"[^\\n]*"msg":"split render: chunks queued, first chunk streamed here"`);
    let victim: WorkerChild | undefined;
    let outcome: string | undefined;
    try {
      for await (const event of hub.subscribe(renderKey)) {
        if (event.type === 'data' && !victim) {
          // The first byte is out: the master's worker is streaming its first chunk.
          victim = await until(() => workers.find((w) => streaming.test(w.output())), 20_000, "the master's worker");
          victim.proc.kill('SIGKILL');
        } else if (event.type !== 'data') outcome = event.type === 'error' ? event.code : 'end';
      }
    } finally {
      await hub.close();
    }
    expect(outcome, 'the stream of the lost try is cut, as a retried whole render cuts it').toBe('RESTARTED');
    await victim?.exited;
    const survivor = workers.find((w) => w !== victim)!;
    const status = await waitForRender(deps, renderKey, 240_000);
    expect(status.state, survivor.output().slice(-3000)).toBe('done');
    // The stored master is whole: the survivor joined every chunk (the first one queued again as a child).
    expect((await checkSplitVideo(store.localPath!(storageKey)!, { fps: FPS, seams: [] })).frames).toBe(FRAMES);
    expect(survivor.output()).toMatch(new RegExp(`"renderKey":"${renderKey}"[^\\n]*"msg":"render published"`));
  }, 400_000);
});
