import { createJobWorker, queueNames, type JobWorker, type JobWorkerOptions } from '../queue/index.js';
import type { RenderJobProgress } from './get-render-status.js';
import { makeRoomForLive } from './make-room-for-live.js';
import { processRenderJob } from './process-render-job.js';
import type { RenderJobContext, RenderJobResult } from './render-job-context.js';
import type { RenderJobData } from './render-job.schema.js';

export interface RenderWorkerOptions extends JobWorkerOptions {
  /**
   * Put a campaign render back when a Live render has waited this long with
   * every slot busy (RENDER_LIVE_PREEMPT_AFTER_MS; 0 or absent: never).
   */
  livePreemptAfterMs?: number;
}
export type RenderWorker = JobWorker<RenderJobData, RenderJobResult>;

/** The render queue's worker: processRenderJob behind createJobWorker, making room for Live renders. */
export function createRenderWorker(ctx: RenderJobContext, options: RenderWorkerOptions): RenderWorker {
  const { livePreemptAfterMs, ...jobOptions } = options;
  const queueName = options.queueName ?? queueNames.render;
  const worker = createJobWorker<RenderJobData, RenderJobResult, RenderJobProgress>((job) => processRenderJob(ctx, job), { ...jobOptions, queueName });
  if (!livePreemptAfterMs) return worker;
  let stop: (() => Promise<void>) | undefined;
  return {
    ...worker,
    run() {
      stop ??= makeRoomForLive(worker, options.connection, options.concurrency ?? 1, {
        afterMs: livePreemptAfterMs,
        queueName,
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(ctx.log ? { log: ctx.log } : {}),
      });
      worker.run();
    },
    async shutdown(graceMs) {
      await stop?.();
      return worker.shutdown(graceMs);
    },
  };
}
