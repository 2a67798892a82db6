export { adminAuth } from './admin-auth.js';
export { createQueueDashboard, type QueueDashboardDeps, type QueueDashboardOptions } from './create-queue-dashboard.js';
export { cleanQueue, cleanableStates, retryFailedJobs, type CleanableState } from './queue-admin.js';
export { formatDuration, parseDuration } from './parse-duration.js';
