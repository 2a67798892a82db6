/**
 * Prometheus metrics of the farm: one registry per process (createFarmMetrics),
 * typed hooks for the domain code, queue depth read on scrape, and the
 * operations HTTP server (`/metrics`, `/healthz`, `/readyz`).
 */
export {
  createFarmMetrics,
  type BrowserPoolStatsSource,
  type EncoderCapsLabels,
  type FarmMetrics,
  type FarmMetricsOptions,
  type IngestedCounts,
  type JobSettled,
  type RenderStats,
  type WebhookDeliveryOutcome,
} from './create-farm-metrics.js';
export {
  INGEST_RESULTS,
  METRIC_PREFIX,
  metricLabels,
  metricNames,
  QUEUE_STATES,
  type CacheLayer,
  type CacheResult,
  type FarmRole,
  type IngestResult,
  type JobOutcome,
  type QueueState,
} from './metric-names.js';
export { watchQueues, type QueueCountSource, type WatchQueuesOptions } from './watch-queues.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './start-ops-server.js';
export { startProcessOps, type ProcessOps, type ProcessOpsDeps, type ProcessOpsOptions } from './start-process-ops.js';
