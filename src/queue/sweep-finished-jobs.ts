import type { Queue } from 'bullmq';
import type { RenderJobOptions } from './render-job-options.js';

/**
 * Removes completed and failed jobs older than their retention age.
 *
 * BullMQ applies `removeOnComplete/removeOnFail: { age }` only when a later
 * job finishes, so on an idle queue old jobs (and the props, personal data,
 * they carry) would stay forever. Workers run this on a timer as well.
 * Returns how many jobs were removed.
 */
export async function sweepFinishedJobs(queue: Queue, retention: Pick<RenderJobOptions, 'removeOnComplete' | 'removeOnFail'>): Promise<number> {
  let removed = 0;
  for (const [type, keep] of [
    ['completed', retention.removeOnComplete],
    ['failed', retention.removeOnFail],
  ] as const) {
    const age = keep.age;
    // clean() takes a grace in ms and a batch limit; loop until a batch comes back short.
    for (;;) {
      const ids = await queue.clean(age * 1000, 1000, type);
      removed += ids.length;
      if (ids.length < 1000) break;
    }
  }
  return removed;
}
