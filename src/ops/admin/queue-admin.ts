import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors/index.js';

/** States `cleanQueue` may remove from. Active jobs are never cleaned: a worker holds them. */
export const cleanableStates = ['completed', 'failed', 'delayed', 'wait', 'prioritized'] as const;
export type CleanableState = (typeof cleanableStates)[number];

const BATCH = 1_000;

/**
 * Moves failed jobs back to waiting so workers run them again: all of them,
 * or those that failed at or after `sinceMs` (epoch ms). Returns how many
 * were retried. The failed set is scored by finish time, so the window is a
 * range read (on `redis`, the queue's connection), taken in batches.
 */
export async function retryFailedJobs(queue: Queue, redis: Redis, options: { sinceMs?: number } = {}): Promise<{ retried: number; skipped: number }> {
  const key = queue.toKey('failed');
  const min = options.sinceMs === undefined ? '-inf' : String(options.sinceMs);
  // Jobs that fail again while this runs get a newer score: the upper bound keeps them out of this pass.
  const max = String(Date.now());
  let retried = 0;
  let skipped = 0;
  const seen = new Set<string>();
  for (;;) {
    // Retried jobs leave the set, so each round reads the (new) first batch; ids that could not move are remembered and skipped.
    const ids = (await redis.zrangebyscore(key, min, max, 'LIMIT', 0, BATCH + seen.size)).filter((id) => !seen.has(id));
    if (ids.length === 0) break;
    for (const id of ids.slice(0, BATCH)) {
      seen.add(id);
      const job = await Job.fromId(queue, id);
      if (!job) {
        skipped++;
        continue;
      }
      try {
        await job.retry('failed');
        seen.delete(id);
        retried++;
      } catch {
        // Removed or retried by someone else meanwhile.
        skipped++;
      }
    }
  }
  return { retried, skipped };
}

/**
 * Removes jobs of one state older than `olderThanMs` (finished time for
 * completed and failed, creation time otherwise), in batches. Returns how
 * many were removed.
 */
export async function cleanQueue(queue: Queue, options: { olderThanMs: number; state?: CleanableState }): Promise<number> {
  const state = options.state ?? 'completed';
  if (!cleanableStates.includes(state)) {
    throw new AppError('INVALID_ARGUMENT', `cannot clean state "${state}"; use one of ${cleanableStates.join(', ')}`);
  }
  let removed = 0;
  for (;;) {
    const ids = await queue.clean(options.olderThanMs, BATCH, state);
    removed += ids.length;
    if (ids.length < BATCH) break;
  }
  return removed;
}
