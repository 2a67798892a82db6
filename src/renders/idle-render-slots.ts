import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { listWorkers } from '../queue/index.js';

/**
 * The render slots idle now on one render queue: the concurrency of the live
 * render workers that take it (their heartbeats: a crashed worker drops out
 * when its hash expires), less the jobs active on it. 0 while any render job
 * waits: a split costs farm CPU (each chunk pays a render's fixed cost, plus
 * the join), which pays for latency on idle workers, not for a backlog
 * (docs/capacity.md section 5). A split master asks this while it is active
 * itself, so its own slot is not counted (it frees it when it parks).
 */
export async function idleRenderSlots(redis: Redis, queue: Pick<Queue, 'name' | 'getJobCounts'>): Promise<number> {
  const [counts, workers] = await Promise.all([queue.getJobCounts('waiting', 'prioritized', 'active'), listWorkers(redis, 'render')]);
  if ((counts.waiting ?? 0) + (counts.prioritized ?? 0) > 0) return 0;
  // A worker that does not name its queue (an older build) is counted: it takes the default queue.
  const slots = workers
    .filter((w) => w.info.queue === undefined || w.info.queue === queue.name)
    .reduce((sum, w) => sum + Math.max(1, Number(w.info.concurrency) || 1), 0);
  return Math.max(0, slots - (counts.active ?? 0));
}
