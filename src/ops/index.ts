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
