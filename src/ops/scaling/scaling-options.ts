import type { Config } from '../../config/index.js';
import { queueNames } from '../../queue/index.js';

/** The operator's side of the scaling advice. */
export interface ScalingOptions {
  /** The backlog should be gone within this many seconds (OPS_TARGET_DRAIN_S). */
  targetDrainSec: number;
  /** Bounds of the advice (OPS_MIN_WORKERS, OPS_MAX_WORKERS). */
  minWorkers: number;
  maxWorkers: number;
  /** Jobs one worker of a queue runs at once, assumed while no worker is online. */
  concurrency: Record<string, number>;
}

/**
 * Scaling options from config. The concurrency a worker of each queue is
 * assumed to run: render WORKER_CONCURRENCY, transcode
 * TRANSCODE_CPU_CONCURRENCY (the path every machine has), webhooks
 * WEBHOOK_CONCURRENCY, each overridden by OPS_WORKER_CONCURRENCY.
 */
export function scalingOptionsFromConfig(config: Readonly<Config>): ScalingOptions {
  const webhooks = (config as { webhooks?: { concurrency?: number } }).webhooks?.concurrency ?? 1;
  return {
    targetDrainSec: config.scaling.targetDrainSeconds,
    minWorkers: config.scaling.minWorkers,
    maxWorkers: config.scaling.maxWorkers,
    concurrency: {
      [queueNames.render]: config.worker.concurrency,
      [queueNames.transcode]: Math.max(1, config.transcode.cpuConcurrency),
      [queueNames.webhooks]: webhooks,
      ...config.scaling.workerConcurrency,
    },
  };
}
