/**
 * Operations: metrics, health and readiness, queue statistics, scaling
 * advice and the admin dashboard. Each sub-folder exposes its own surface;
 * this file re-exports them.
 */
export * from './metrics/index.js';
export * from './health/index.js';
export * from './queue-stats/index.js';
export * from './scaling/index.js';
export * from './admin/index.js';
export type { ReadinessReport } from './health/readiness.js';
export { createQueueDashboard } from './admin/index.js';
export { createQueueStats, createStatsRecorder } from './queue-stats/index.js';
export { registerScalingMetrics, scalingOptionsFromConfig } from './scaling/index.js';
export { formatDuration, parseDuration } from './admin/parse-duration.js';
export { cleanQueue, cleanableStates, retryFailedJobs, type CleanableState } from './admin/queue-admin.js';
export type { QueueStats } from './queue-stats/create-queue-stats.js';
export { adviseQueue, type QueueAdvice } from './scaling/advise-queue.js';
