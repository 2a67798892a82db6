import type { BackoffStrategy } from 'bullmq';

/** The custom backoff type webhook jobs are added with. */
export const WEBHOOK_BACKOFF_TYPE = 'webhook-schedule';

/** Default delays between attempts: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000].map((s) => s * 1000);

/**
 * The delay before retry number `retry` (1 for the first retry). Past the
 * end of the schedule the last entry repeats (a worker whose schedule is
 * shorter than the producer's).
 */
export function webhookRetryDelay(schedule: readonly number[], retry: number): number {
  if (schedule.length === 0) return 0;
  return schedule[Math.min(Math.max(retry, 1), schedule.length) - 1]!;
}

/**
 * BullMQ custom backoff for webhook jobs: the schedule, except that a
 * `Retry-After` the receiver sent (carried on the error as
 * `details.retryAfterMs`) is honoured instead, capped at `maxRetryAfterMs`
 * so a receiver cannot park a message forever.
 */
export function createWebhookBackoff(schedule: readonly number[], maxRetryAfterMs = 24 * 3_600_000): BackoffStrategy {
  return (attemptsMade, _type, err) => {
    const retryAfter = (err as { details?: { retryAfterMs?: unknown } } | undefined)?.details?.retryAfterMs;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter, maxRetryAfterMs);
    return webhookRetryDelay(schedule, attemptsMade);
  };
}
