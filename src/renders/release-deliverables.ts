import type { Redis } from 'ioredis';
import { redisKeys } from '../redis/index.js';
import { decodePlan, planDeliverables, type DeliverablePlan, type PlannedDeliverable } from './deliverable-plan.js';
import { queueTranscodeJobs, type DeliverableRequestsOptions } from './queue-transcode-jobs.js';

/** The render worker's side of the render -> transcode chain (the producers' side: deliverable-requests.ts). */
export interface DeliverableRelease {
  /** Called once a master is published: queues every wanted deliverable. Returns the jobs added. */
  release(renderKey: string, masterStorageKey: string): Promise<number>;
  /** The keys of a master's wanted deliverables (for a master that failed for good: they will never be cut). */
  wantedKeys(renderKey: string): Promise<string[]>;
}

/**
 * Hands a published master's wanted deliverables to the transcode queue.
 * The worker marks the master done before it reads the wanted set (so a
 * request racing the publish is either answered at once or seen here), and
 * adds the jobs before removing the ids, so a worker that dies in between
 * leaves them for the next release.
 */
export function createDeliverableRelease(redis: Redis, options: DeliverableRequestsOptions): DeliverableRelease {
  const keys = options.keys ?? redisKeys;
  // Plans are content-addressed (their id is their hash): a cached one never goes stale.
  const plans = new Map<string, DeliverablePlan>();

  const loadPlan = async (id: string): Promise<DeliverablePlan | undefined> => {
    const cached = plans.get(id);
    if (cached) return cached;
    const raw = await redis.get(keys.plan(id));
    if (!raw) return undefined;
    const plan = decodePlan(raw);
    plans.set(id, plan);
    return plan;
  };

  return {
    async release(renderKey, masterStorageKey) {
      const ids = await redis.smembers(keys.wanted(renderKey));
      if (ids.length === 0) return 0;
      const deliverables: PlannedDeliverable[] = [];
      for (const id of ids) {
        const plan = await loadPlan(id);
        // An expired plan cannot be rebuilt; its request is dropped with it.
        if (plan) deliverables.push(...planDeliverables(plan, renderKey, masterStorageKey));
      }
      await queueTranscodeJobs(options, deliverables);
      await redis.srem(keys.wanted(renderKey), ...ids);
      return deliverables.length;
    },
    async wantedKeys(renderKey) {
      const ids = await redis.smembers(keys.wanted(renderKey));
      const found: string[] = [];
      for (const id of ids) {
        const plan = await loadPlan(id);
        // The storage key only names the master in the jobs' data; the keys do not depend on it.
        if (plan) found.push(...planDeliverables(plan, renderKey, '').map((d) => d.deliverableKey));
      }
      return found;
    },
  };
}
