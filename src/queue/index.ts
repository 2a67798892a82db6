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
export {
  createJobWorker,
  createRenderWorker,
  type JobLike,
  type JobWorker,
  type JobWorkerOptions,
  type RenderWorker,
  type RenderWorkerOptions,
} from './create-job-worker.js';
export { checkEvictionPolicy, type EvictionCheckMode, type EvictionCheckResult } from './check-eviction-policy.js';
export { sweepFinishedJobs } from './sweep-finished-jobs.js';
export { transcodeJobSchema, deliverableStorageKey, type TranscodeJobData } from './transcode-job.schema.js';
export {
  createDeliverablePlan,
  planDeliverables,
  planId,
  type DeliverablePlan,
  type PlannedDeliverable,
} from './deliverable-plan.js';
export {
  createDeliverableRequests,
  type DeliverableRequest,
  type DeliverableRequests,
  type DeliverableRequestsOptions,
} from './deliverable-requests.js';
export { createTranscodeSlots, type TranscodeSlot, type TranscodeSlots, type TranscodeSlotsOptions } from './transcode-slots.js';
export {
  processTranscodeJob,
  type TranscodeFn,
  type TranscodeJobContext,
  type TranscodeJobResult,
  type TranscodeOutcome,
} from './process-transcode-job.js';
export { createTranscodeWorker, type TranscodeWorker } from './create-transcode-worker.js';
export {
  startWorkerHeartbeat,
  listWorkers,
  workerKey,
  type WorkerRole,
  type WorkerHeartbeat,
  type WorkerHeartbeatOptions,
  type WorkerRecord,
} from './worker-heartbeat.js';
export { DELIVERIES_PER_JOB } from './render-job.schema.js';
