import { createJobWorker, queueNames, type JobWorker, type JobWorkerOptions } from '../queue/index.js';
import type { RenderJobProgress } from './get-render-status.js';
import { processRenderJob } from './process-render-job.js';
import type { RenderJobContext, RenderJobResult } from './render-job-context.js';
import type { RenderJobData } from './render-job.schema.js';

export type RenderWorkerOptions = JobWorkerOptions;
export type RenderWorker = JobWorker<RenderJobData, RenderJobResult>;

/** The render queue's worker: processRenderJob behind createJobWorker. */
export function createRenderWorker(ctx: RenderJobContext, options: RenderWorkerOptions): RenderWorker {
  return createJobWorker<RenderJobData, RenderJobResult, RenderJobProgress>((job) => processRenderJob(ctx, job), {
    ...options,
    queueName: options.queueName ?? queueNames.render,
  });
}
