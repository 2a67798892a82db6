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
import {
  createRenderStreamWriter,
  createRenderWorker,
  type OutputIndex,
  type RenderJobContext,
  type RenderJobData,
  type RenderWorker,
} from '../src/renders/index.js';
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
}

export interface StubRenderWorker {
  /** Every job started so far, in start order. */
  starts: StubRenderStart[];
  worker: RenderWorker;
  close(): Promise<void>;
}

export const STUB_VIDEO_BYTES = Buffer.from('stub mp4\n');

/** Starts the worker (already taking jobs when this returns). */
export function startStubRenderWorker(deps: StubRenderWorkerDeps, options: StubRenderWorkerOptions): StubRenderWorker {
  const hooks = createCampaignHooks(deps.redis);
  const ctx: RenderJobContext = {
    renderVideo: (async (request: { out: string; onStreamChunk?: (chunk: Buffer) => void }) => {
      request.onStreamChunk?.(STUB_VIDEO_BYTES);
      await options.hold?.();
      await writeFile(request.out, STUB_VIDEO_BYTES);
      return {};
    }) as unknown as RenderJobContext['renderVideo'],
    store: deps.store,
    index: deps.index,
    workDir: deps.workDir,
    onRendered: hooks.onRendered,
    onFailed: hooks.onFailed,
    openStream: (renderKey, attempt) => createRenderStreamWriter(deps.redis, renderKey, attempt),
  };
  const connection = deps.redis.duplicate();
  const worker = createRenderWorker(ctx, { connection, concurrency: options.concurrency, autorun: false });
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
