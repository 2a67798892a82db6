/**
 * The farm's render worker (createRenderWorker -> processRenderJob: output
 * index, store, campaign hooks, the live byte stream) with only the renderer
 * stubbed: it sends one chunk of "video" on the live stream at once (a live
 * job's first byte), waits for `hold` (a timer in a bench, a gate in a test)
 * and writes a tiny file. Used by bench/live-during-campaign.ts and the
 * Live-ahead-of-campaigns test, which watch the order jobs start in.
 */
import { writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { createCampaignHooks } from '../src/campaigns/index.js';
import { throwIfAborted } from '../src/errors/index.js';
import {
  createRenderStreamWriter,
  createRenderWorker,
  type OutputIndex,
  type RenderJobContext,
  type RenderJobData,
  type RenderWorker,
} from '../src/renders/index.js';
import { redisNowMs } from '../src/redis/index.js';
import type { ObjectStore } from '../src/storage/index.js';

/** One job as the worker took it, in the order the worker took them. */
export interface StubRenderStart {
  jobId: string;
  priorityClass: RenderJobData['priorityClass'];
  campaignId?: string;
  /** When the job was added (BullMQ's timestamp, ms since the epoch). */
  addedAt: number;
  /** When Redis moved the job to active (BullMQ's processedOn, ms since the epoch). */
  activeAt: number;
}

export interface StubRenderWorkerDeps {
  /** Duplicated for the worker (BullMQ blocks on its connection) and used for the live stream. */
  redis: Redis;
  store: ObjectStore;
  index: OutputIndex;
  workDir: string;
}

export interface StubRenderWorkerOptions {
  /** Jobs taken at once (the worker's slots). */
  concurrency: number;
  /** Resolves when the stub render may end; default at once. */
  hold?: () => Promise<void>;
  /** The farm's RENDER_LIVE_PREEMPT_AFTER_MS (createRenderWorker's livePreemptAfterMs); default never. */
  livePreemptAfterMs?: number;
}

export interface StubRenderWorker {
  /** Every job started so far, in start order. */
  starts: StubRenderStart[];
  worker: RenderWorker;
  close(): Promise<void>;
}

export const STUB_VIDEO_BYTES = Buffer.from('stub mp4\n');

/** Resolves when the signal fires (never without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true })));
}

/** Starts the worker (already taking jobs when this returns). */
export function startStubRenderWorker(deps: StubRenderWorkerDeps, options: StubRenderWorkerOptions): StubRenderWorker {
  const hooks = createCampaignHooks(deps.redis);
  const ctx: RenderJobContext = {
    renderVideo: (async (request: { out: string; onStreamChunk?: (chunk: Buffer) => void; signal?: AbortSignal }) => {
      request.onStreamChunk?.(STUB_VIDEO_BYTES);
      // A held render still stops when its job is aborted (shutdown, or put back for a Live render), as a real one does.
      if (options.hold) await Promise.race([options.hold(), aborted(request.signal)]);
      throwIfAborted(request.signal);
      await writeFile(request.out, STUB_VIDEO_BYTES);
      return {};
    }) as unknown as RenderJobContext['renderVideo'],
    store: deps.store,
    index: deps.index,
    workDir: deps.workDir,
    onRendered: hooks.onRendered,
    onFailed: hooks.onFailed,
    openStream: (renderKey, attempt, startedAt) => createRenderStreamWriter(deps.redis, renderKey, attempt, startedAt),
    clock: () => redisNowMs(deps.redis),
  };
  const connection = deps.redis.duplicate();
  const worker = createRenderWorker(ctx, {
    connection,
    concurrency: options.concurrency,
    autorun: false,
    ...(options.livePreemptAfterMs ? { livePreemptAfterMs: options.livePreemptAfterMs } : {}),
  });
  const starts: StubRenderStart[] = [];
  // 'active' is emitted as each job starts, in the order the worker took them.
  worker.worker.on('active', (job) => {
    starts.push({
      jobId: job.id!,
      priorityClass: job.data.priorityClass,
      ...(job.data.campaignId === undefined ? {} : { campaignId: job.data.campaignId }),
      addedAt: job.timestamp,
      activeAt: job.processedOn ?? Date.now(),
    });
  });
  worker.run();
  return {
    starts,
    worker,
    async close() {
      await worker.shutdown(5_000);
      connection.disconnect();
    },
  };
}
