export { QUEUE_PREFIX, queueNames, priorities, type PriorityClass } from './queue-names.js';
export { renderJobSchema, renderOutputKey, type RenderJobData } from './render-job.schema.js';
export { renderJobKey } from './render-job-key.js';
export { resolveRenderJobOptions, type RenderJobOptions, type RenderJobOptionsInput } from './render-job-options.js';
export { renderStateFromJob, contentTypeOf, type RenderState } from './render-state.js';
export { outputExists, type RenderOutputIndex, type RenderRegistry } from './render-deps.js';
export { createRedisConnection, closeRedisConnection } from './redis-connection.js';
export { createRenderQueue, type RenderQueue, type RenderQueueOptions } from './create-render-queue.js';
export {
  createRenderJobPreparer,
  prepareRenderJob,
  renderRequestInputSchema,
  type PrepareRenderJobDeps,
  type PreparedRenderJob,
  type RenderRequestInput,
} from './prepare-render-job.js';
export { enqueueRender, type EnqueueRenderDeps, type EnqueueRenderResult } from './enqueue-render.js';
export { getRenderStatus, type RenderStatus, type RenderStatusDeps, type RenderJobProgress } from './get-render-status.js';
export { waitForRender, type WaitForRenderDeps } from './wait-for-render.js';
export {
  processRenderJob,
  type JobLogger,
  type RenderJobContext,
  type RenderJobLike,
  type RenderJobResult,
} from './process-render-job.js';
export { createRenderWorker, type RenderWorker, type RenderWorkerOptions } from './create-render-worker.js';
export { checkEvictionPolicy, type EvictionCheckMode, type EvictionCheckResult } from './check-eviction-policy.js';
export { sweepFinishedJobs } from './sweep-finished-jobs.js';
