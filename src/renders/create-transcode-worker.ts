import { createJobWorker, type JobWorker, type JobWorkerOptions, queueNames } from '../queue/index.js';
import { processTranscodeJob, type TranscodeJobContext, type TranscodeJobResult } from './process-transcode-job.js';
import type { TranscodeJobData } from './transcode-job.schema.js';

export type TranscodeWorker = JobWorker<TranscodeJobData, TranscodeJobResult>;

/**
 * The transcode queue's worker. Its concurrency is the sum of its GPU and
 * CPU slots (ctx.slots), so every job it takes finds a slot.
 */
export function createTranscodeWorker(ctx: TranscodeJobContext, options: Omit<JobWorkerOptions, 'concurrency'>): TranscodeWorker {
  return createJobWorker<TranscodeJobData, TranscodeJobResult, { percent: number }>((job) => processTranscodeJob(ctx, job), {
    ...options,
    concurrency: ctx.slots.concurrency,
    queueName: options.queueName ?? queueNames.transcode,
  });
}
