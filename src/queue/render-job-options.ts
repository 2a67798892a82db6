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
  /** Failed jobs are removed after this age. Default 24 hours. */
  failedRetentionSeconds?: number;
}

/** The options every render job is added with (besides jobId and priority). */
export interface RenderJobOptions {
  attempts: number;
  backoff: { type: 'exponential'; delay: number; jitter: number };
  /** Ages in seconds. */
  removeOnComplete: { age: number };
  removeOnFail: { age: number };
}

/**
 * Resolves the job options shared by the API, Live URLs and campaign fan-out.
 *
 * - Backoff is BullMQ's exponential strategy with jitter, so a burst of jobs
 *   failing together (a browser crash, a Redis blip) does not retry in lockstep.
 * - Retention is by age, never "keep forever": job data carries props, which
 *   are personal data, so finished jobs must disappear from Redis.
 */
export function resolveRenderJobOptions(input: RenderJobOptionsInput = {}): RenderJobOptions {
  const attempts = input.attempts ?? 3;
  const delay = input.backoffDelayMs ?? 2_000;
  const jitter = input.backoffJitter ?? 0.5;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be an integer >= 1');
  if (!(delay >= 0)) throw new RangeError('backoffDelayMs must be >= 0');
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError('backoffJitter must be within 0..1');
  return {
    attempts,
    backoff: { type: 'exponential', delay, jitter },
    removeOnComplete: { age: input.completedRetentionSeconds ?? 3_600 },
    removeOnFail: { age: input.failedRetentionSeconds ?? 86_400 },
  };
}
