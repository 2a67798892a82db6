import type { Queue } from 'bullmq';
import type { RenderJobOptions } from './render-job-options.js';

const BATCH = 1000;

/**
 * Removes completed and failed jobs older than their retention age, and the
 * oldest completed jobs beyond the retention count.
 *
 * BullMQ applies `removeOnComplete/removeOnFail: { age, count }` only when a
 * later job finishes, so on an idle queue old jobs (and the props, personal
 * data, they carry) would stay forever. Jobs that completed under an earlier,
 * larger count (or none) would also stay above the cap until enough new jobs
 * finish. Workers run this on a timer as well. Returns how many jobs were removed.
 */
export async function sweepFinishedJobs(queue: Queue, retention: Pick<RenderJobOptions, 'removeOnComplete' | 'removeOnFail'>): Promise<number> {
  let removed = 0;
  for (const [type, keep] of [
    ['completed', retention.removeOnComplete],
    ['failed', retention.removeOnFail],
  ] as const) {
    // clean() takes a grace in ms and a batch limit; loop until a batch comes back short.
    for (;;) {
      const ids = await queue.clean(keep.age * 1000, BATCH, type);
      removed += ids.length;
      if (ids.length < BATCH) break;
    }
  }
  const count = retention.removeOnComplete.count;
  if (count !== undefined && count > 0) {
    // clean() takes the oldest first (ZRANGEBYSCORE on the finish time), so a limit of the excess with
    // no grace trims down to the newest `count`.
    for (let excess = (await queue.getCompletedCount()) - count; excess > 0; ) {
      const ids = await queue.clean(0, Math.min(excess, BATCH), 'completed');
      removed += ids.length;
      excess -= ids.length;
      if (ids.length === 0) break;
    }
  }
  return removed;
}
