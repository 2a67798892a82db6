import type { QueueStats } from '../queue-stats/index.js';
import { recommendWorkers } from './recommend-workers.js';
import type { ScalingOptions } from './scaling-options.js';

/** The scaling advice for one queue, from its measured stats. */
export interface QueueAdvice {
  queue: string;
  /** Worker processes to run for the target drain time. */
  workers: number;
  /** Workers online now (heartbeats). */
  current: number;
  /** Seconds to empty the backlog with the workers online now; Infinity: never at this rate; null: unknown (no service time yet). */
  drainSec: number | null;
  targetDrainSec: number;
  /** The concurrency per worker the advice assumes (the online workers' mean, else the configured one). */
  concurrencyPerWorker: number;
  reason: string;
}

/**
 * Applies recommendWorkers to a queue's measured stats. Without a measured
 * service time (no job finished in the last hour) nothing can be computed:
 * a queue with work then gets at least one worker, which will measure it.
 */
export function adviseQueue(stats: QueueStats, options: ScalingOptions): QueueAdvice {
  const current = stats.workers.length;
  const concurrencyPerWorker = current > 0 ? stats.onlineConcurrency / current : (options.concurrency[stats.queue] ?? 1);
  const base = { queue: stats.queue, current, targetDrainSec: options.targetDrainSec, concurrencyPerWorker };
  const arrival = stats.arrivalPerSec ?? 0;
  const idle = stats.backlog === 0 && arrival === 0;
  if (stats.serviceSecPerJob === null || stats.serviceSecPerJob <= 0) {
    if (idle) return { ...base, workers: options.minWorkers, drainSec: 0, reason: `idle: ${options.minWorkers} (min)` };
    const workers = Math.min(options.maxWorkers, Math.max(options.minWorkers, 1, current));
    return {
      ...base,
      workers,
      drainSec: current === 0 ? Number.POSITIVE_INFINITY : null,
      reason: `no service time measured yet (no job finished in the last hour): ${workers} worker(s) until one is`,
    };
  }
  const advice = recommendWorkers({
    backlog: stats.backlog,
    arrivalPerSec: arrival,
    serviceSecPerJob: stats.serviceSecPerJob,
    concurrencyPerWorker,
    targetDrainSec: options.targetDrainSec,
    min: options.minWorkers,
    max: options.maxWorkers,
    current,
  });
  return { ...base, workers: advice.workers, drainSec: advice.drainSec, reason: advice.reason };
}
