export { createStatsRecorder, type FinishedAttempt, type StatsRecorder, type StatsRecorderOptions } from './create-stats-recorder.js';
export {
  createQueueStats,
  type CompletionWindow,
  type OnlineWorker,
  type QueueCounts,
  type QueueStats,
  type QueueStatsDeps,
  type QueueStatsOptions,
  type QueueStatsReader,
  type ReadStatsOptions,
  type StatsBucket,
} from './create-queue-stats.js';
export { DEFAULT_BUCKET_SECONDS, statsBucketKey } from './ops-stats-keys.js';
