import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { deliverableSpecSchema } from '../encode/index.js';
import { redisKeys, runScript, wantDeliverables, type RedisKeys } from '../redis/index.js';
import { createDeliverablePlan, planDeliverables, planId, type DeliverablePlan, type PlannedDeliverable } from './deliverable-plan.js';
import { priorities, type RenderJobOptions } from '../queue/index.js';
import type { TranscodeJobData } from './transcode-job.schema.js';

export interface DeliverableRequestsOptions {
  /** The transcode queue (producer side). */
  queue: Queue<TranscodeJobData>;
  /** Options every transcode job is added with (attempts, backoff, retention). */
  jobOptions: RenderJobOptions;
  /** The key registry: plan, "wanted" and output index keys (whose `state` says a master is done). Default: the farm's. */
  keys?: Pick<RedisKeys, 'plan' | 'wanted' | 'output'>;
  /** How long an unfulfilled request and its plan are kept. Default 7 days. */
  ttlSeconds?: number;
}

/** One master and the plan to cut from it. */
export interface DeliverableRequest {
  renderKey: string;
  masterStorageKey: string;
  plan: DeliverablePlan;
}

/**
 * The render -> transcode chain. A producer asks for deliverables of a
 * master; when the master is already published its transcode jobs are added
 * at once, otherwise the plan id joins the master's "wanted" set and the
 * render worker adds the jobs when it publishes the master (`release`).
 *
 * Why not a BullMQ flow: a flow's child has one parent, and one master feeds
 * many deliverable sets (email and web share a landscape master, campaigns
 * share masters), which BullMQ refuses (a child already owned by another
 * parent, error -7). Jobs are still BullMQ's: the transcode job id is the
 * deliverable key, so every deliverable is made once, and a failed transcode
 * retries on its own without touching the master.
 *
 * No request is lost to a race: the script checks "master done" and adds to
 * the wanted set atomically, and the render worker marks the master done
 * before it reads the set; it adds the jobs before removing the ids, so a
 * worker that dies in between leaves them for the next `release`.
 */
export interface DeliverableRequests {
  /** Requests deliverables for many masters in one script call; resolves with how many were queued at once. */
  request(requests: readonly DeliverableRequest[]): Promise<{ queuedNow: number; waiting: number }>;
  /** Called once a master is published: queues every wanted deliverable. Returns the jobs added. */
  release(renderKey: string, masterStorageKey: string): Promise<number>;
}


const storedPlanSchema = z.object({
  templateId: z.string(),
  posterSeconds: z.number().optional(),
  priorityClass: z.enum(['live', 'api', 'campaign']),
  specs: z.array(deliverableSpecSchema),
});

export function createDeliverableRequests(redis: Redis, options: DeliverableRequestsOptions): DeliverableRequests {
  const keys = options.keys ?? redisKeys;
  const ttl = options.ttlSeconds ?? 7 * 86_400;
  const wantedKey = keys.wanted;
  const planKey = keys.plan;
  const plans = new Map<string, DeliverablePlan>();

  const add = async (deliverables: PlannedDeliverable[]) => {
    if (deliverables.length === 0) return;
    await options.queue.addBulk(
      deliverables.map((d) => ({
        name: d.data.spec.kind,
        data: d.data,
        // Removed once done: a retained job would swallow the re-add after its
        // output was evicted, and the output index already dedupes finished work.
        opts: { ...options.jobOptions, removeOnComplete: true, jobId: d.deliverableKey, priority: priorities[d.data.priorityClass] },
      })),
    );
  };

  const loadPlan = async (id: string): Promise<DeliverablePlan | undefined> => {
    const cached = plans.get(id);
    if (cached) return cached;
    const raw = await redis.get(planKey(id));
    if (!raw) return undefined;
    const plan = createDeliverablePlan(storedPlanSchema.parse(JSON.parse(raw)));
    plans.set(id, plan);
    return plan;
  };

  return {
    async request(requests) {
      if (requests.length === 0) return { queuedNow: 0, waiting: 0 };
      const ids = requests.map((r) => planId(r.plan));
      // Plans are stored (and their TTL refreshed) before any id points at them.
      const distinct = new Map(requests.map((r, i) => [ids[i]!, r.plan]));
      const tx = redis.pipeline();
      for (const [id, plan] of distinct) tx.set(planKey(id), JSON.stringify(plan), 'EX', ttl);
      await tx.exec();
      const scriptKeys = requests.flatMap((r) => [wantedKey(r.renderKey), keys.output(r.renderKey)]);
      const done = (await runScript(redis, wantDeliverables, scriptKeys, [String(ttl), ...ids])) as number[];
      const now = requests.filter((_, i) => done[i] === 1);
      await add(now.flatMap((r) => planDeliverables(r.plan, r.renderKey, r.masterStorageKey)));
      return { queuedNow: now.length, waiting: requests.length - now.length };
    },

    async release(renderKey, masterStorageKey) {
      const ids = await redis.smembers(wantedKey(renderKey));
      if (ids.length === 0) return 0;
      const deliverables: PlannedDeliverable[] = [];
      for (const id of ids) {
        const plan = await loadPlan(id);
        // An expired plan cannot be rebuilt; its request is dropped with it.
        if (plan) deliverables.push(...planDeliverables(plan, renderKey, masterStorageKey));
      }
      await add(deliverables);
      await redis.srem(wantedKey(renderKey), ...ids);
      return deliverables.length;
    },
  };
}
