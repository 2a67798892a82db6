/**
 * BullMQ plumbing only: the connection, queue names and priorities, opening a
 * queue, the job-worker adapter, heartbeats, the eviction check and the
 * sweeper. The render lifecycle on top of it lives in src/renders.
 */
export { FAN_OUT_QUEUE, QUEUE_PREFIX, queueNames, priorities, type PriorityClass } from './queue-names.js';
export { resolveRenderJobOptions, type RenderJobOptions, type RenderJobOptionsInput } from './render-job-options.js';
export { createRedisConnection, createSubscriberConnection, closeRedisConnection, farmNode, isClusterConnection } from './redis-connection.js';
export { openQueue, type QueueHandle, type QueueHandleOptions } from './open-queue.js';
export {
  createJobWorker,
  returnsToQueue,
  type FinishedAttempt,
  type JobLike,
  type JobLogger,
  type JobWorker,
  type JobWorkerOptions,
} from './create-job-worker.js';
export { isWaitingForChildren, type ChildJob, type JobChildren } from './job-children.js';
export { checkEvictionPolicy, type EvictionCheckMode, type EvictionCheckResult } from './check-eviction-policy.js';
export { sweepFinishedJobs } from './sweep-finished-jobs.js';
export {
  startWorkerHeartbeat,
  listWorkers,
  workerKey,
  type WorkerRole,
  type WorkerHeartbeat,
  type WorkerHeartbeatOptions,
  type WorkerRecord,
} from './worker-heartbeat.js';
