/** Public knobs of render jobs; every field is optional and resolved once. */
export interface RenderJobOptionsInput {
  /** Total tries of a job, the first one included. Default 3. */
  attempts?: number;
  /** Base delay of the exponential backoff between tries. Default 2000 ms. */
  backoffDelayMs?: number;
  /** Share of each backoff delay that is randomised (0..1). Default 0.5. */
  backoffJitter?: number;
  /** Completed jobs are removed after this age. Default 1 hour. */
  completedRetentionSeconds?: number;
  /** At most this many completed jobs are kept (the newest), whatever their age. Default 10,000; 0: no cap. */
  completedRetentionCount?: number;
  /** Failed jobs are removed after this age. Default 24 hours. */
  failedRetentionSeconds?: number;
}

/** Completed jobs kept at most, by default (JOB_KEEP_COMPLETED_COUNT). */
export const DEFAULT_COMPLETED_RETENTION_COUNT = 10_000;

/** The options every render job is added with (besides jobId and priority). */
export interface RenderJobOptions {
  attempts: number;
  backoff: { type: 'exponential'; delay: number; jitter: number };
  /** Ages in seconds; `count` caps completed jobs kept (absent: no cap). */
  removeOnComplete: { age: number; count?: number };
  removeOnFail: { age: number };
}

/**
 * Resolves the job options shared by the API, Live URLs and campaign fan-out.
 *
 * - Backoff is BullMQ's exponential strategy with jitter, so a burst of jobs
 *   failing together (a browser crash, a Redis blip) does not retry in lockstep.
 * - Retention is by age, never "keep forever": job data carries props, which
 *   are personal data, so finished jobs must disappear from Redis.
 * - Completed jobs are also capped by count: by age alone they grow as
 *   render rate x age (at 116 renders/s and 1 h, ~418k jobs, ~0.5 GB of
 *   Redis), so the cap bounds Redis whatever the rate (docs/capacity.md).
 */
export function resolveRenderJobOptions(input: RenderJobOptionsInput = {}): RenderJobOptions {
  const attempts = input.attempts ?? 3;
  const delay = input.backoffDelayMs ?? 2_000;
  const jitter = input.backoffJitter ?? 0.5;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be an integer >= 1');
  if (!(delay >= 0)) throw new RangeError('backoffDelayMs must be >= 0');
  const count = input.completedRetentionCount ?? DEFAULT_COMPLETED_RETENTION_COUNT;
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('backoffJitter must be within 0..1');
  if (!Number.isInteger(count) || count < 0) throw new RangeError('completedRetentionCount must be an integer >= 0');
  const age = input.completedRetentionSeconds ?? 3_600;
  return {
    attempts,
    backoff: { type: 'exponential', delay, jitter },
    // 0 means "no cap": BullMQ would read count 0 as "keep none".
    removeOnComplete: count > 0 ? { age, count } : { age },
    removeOnFail: { age: input.failedRetentionSeconds ?? 86_400 },
  };
}
