import type { Redis } from 'ioredis';
import { QUEUE_PREFIX } from '../../queue/index.js';
import { recordQueueStats, scriptRunner } from '../../redis/index.js';
import { DEFAULT_BUCKET_SECONDS, DEFAULT_BUCKET_TTL_SECONDS, backlogKeys, statsBucketKey } from './ops-stats-keys.js';

/** One finished attempt of a job, as a worker saw it. */
export interface FinishedAttempt {
  /** completed; failed (final: no retry left, or unrecoverable); retried (failed, will run again). */
  outcome: 'completed' | 'failed' | 'retried';
  /** Processing time of this attempt, in ms (from moving to active to finishing). */
  durationMs: number;
  /**
   * A part of a job that another attempt completes (a chunk of a split
   * render): its time is added to the work behind the jobs' service time,
   * and it counts as no completion, failure or attempt of its own. Without
   * it a split master's service time would be its join alone.
   */
  part?: boolean;
}

export interface StatsRecorderOptions {
  queueName: string;
  prefix?: string;
  /** Bucket width; readers must use the same. Default 60 s. */
  bucketSeconds?: number;
  /** How long a bucket is kept. Default 2 h. */
  bucketTtlSeconds?: number;
  /** A failed write (Redis down): stats are best effort and never fail a job. Default: ignored. */
  onError?: (err: unknown) => void;
  /** Clock, for tests. */
  now?: () => number;
}

export interface StatsRecorder {
  /** Counts one finished attempt and samples the backlog, in one script call. */
  record(attempt: FinishedAttempt): Promise<void>;
  /** `record` without waiting, for createJobWorker's `recordQueueStats` option. */
  hook(attempt: FinishedAttempt): void;
  /** Samples the backlog only (stats readers call this, so an idle farm still has samples). Resolves with the backlog. */
  sample(): Promise<number>;
}

/**
 * Records finished jobs of one queue into per-minute Redis buckets, from
 * which `createQueueStats` measures service time and arrival rate. BullMQ's
 * own metrics count completions per minute but keep no durations, and jobs
 * removed on completion take their timestamps with them, so workers record
 * what the scaling advice needs themselves.
 */
export function createStatsRecorder(redis: Redis, options: StatsRecorderOptions): StatsRecorder {
  const prefix = options.prefix ?? QUEUE_PREFIX;
  const bucketSeconds = options.bucketSeconds ?? DEFAULT_BUCKET_SECONDS;
  const ttl = options.bucketTtlSeconds ?? DEFAULT_BUCKET_TTL_SECONDS;
  const now = options.now ?? Date.now;
  const keys = backlogKeys(options.queueName, prefix);
  const run = scriptRunner(redis, recordQueueStats);

  const call = (c: number, ff: number, fr: number, ms: number, timed = 1): Promise<number> => {
    const at = now();
    const bucket = statsBucketKey(options.queueName, bucketSeconds, Math.floor(at / 1000 / bucketSeconds), prefix);
    return run([bucket, keys.wait, keys.paused, keys.active, keys.prioritized, keys.delayed], [at, ttl, c, ff, fr, ms, timed]).then(Number);
  };

  const record = async (attempt: FinishedAttempt): Promise<void> => {
    const ms = Number.isFinite(attempt.durationMs) ? Math.max(0, Math.round(attempt.durationMs)) : -1;
    try {
      if (attempt.part) await call(0, 0, 0, ms, 0);
      else await call(attempt.outcome === 'completed' ? 1 : 0, attempt.outcome === 'failed' ? 1 : 0, attempt.outcome === 'retried' ? 1 : 0, ms);
    } catch (err) {
      options.onError?.(err);
    }
  };
  return {
    record,
    hook(attempt) {
      void record(attempt);
    },
    sample() {
      return call(0, 0, 0, -1);
    },
  };
}
