import type { Redis } from 'ioredis';
import { redisKeys, runScript, wantDeliverables } from '../redis/index.js';
import { encodePlan, planDeliverables, planId, type DeliverablePlan } from './deliverable-plan.js';
import { queueTranscodeJobs, type DeliverableRequestsOptions } from './queue-transcode-jobs.js';

/** One master and the plan to cut from it. */
export interface DeliverableRequest {
  renderKey: string;
  masterStorageKey: string;
  plan: DeliverablePlan;
}

/**
 * The producers' side of the render -> transcode chain (API, campaigns, Live
 * URLs). A producer asks for deliverables of a master; when the master is
 * already published its transcode jobs are added at once, otherwise the plan
 * id joins the master's "wanted" set and the render worker adds the jobs when
 * it publishes the master (release-deliverables.ts).
 *
 * Why not a BullMQ flow: a flow's child has one parent, and one master feeds
 * many deliverable sets (email and web share a landscape master, campaigns
 * share masters), which BullMQ refuses (a child already owned by another
 * parent, error -7). Jobs are still BullMQ's: the transcode job id is the
 * deliverable key, so every deliverable is made once, and a failed transcode
 * retries on its own without touching the master.
 *
 * No request is lost to a race: the script checks "master done" and adds to
 * the wanted set atomically, and the release reads the set only after the
 * master is marked done.
 *
 * A master whose done record expired (OUTPUT_INDEX_DONE_TTL_S) reads as not
 * done here, and no store lookup is made: every producer asks for the master
 * first, which settles it. Live URLs and the API go through requestOnce,
 * which finds the stored master and re-creates its record before this call;
 * a campaign queues it as a render job, whose worker finds it stored
 * (store.head), re-indexes it and releases the wanted set as for a render.
 */
export interface DeliverableRequests {
  /** Requests deliverables for many masters in one script call; resolves with how many were queued at once. */
  request(requests: readonly DeliverableRequest[]): Promise<{ queuedNow: number; waiting: number }>;
}

export function createDeliverableRequests(redis: Redis, options: DeliverableRequestsOptions): DeliverableRequests {
  const keys = options.keys ?? redisKeys;
  const ttl = options.ttlSeconds ?? 7 * 86_400;

  return {
    async request(requests) {
      if (requests.length === 0) return { queuedNow: 0, waiting: 0 };
      const ids = requests.map((r) => planId(r.plan));
      // Plans are stored (and their TTL refreshed) before any id points at them.
      const distinct = new Map(requests.map((r, i) => [ids[i]!, r.plan]));
      const tx = redis.pipeline();
      for (const [id, plan] of distinct) tx.set(keys.plan(id), encodePlan(plan), 'EX', ttl);
      await tx.exec();
      const scriptKeys = requests.flatMap((r) => [keys.wanted(r.renderKey), keys.output(r.renderKey)]);
      const done = (await runScript(redis, wantDeliverables, scriptKeys, [String(ttl), ...ids])) as number[];
      const now = requests.filter((_, i) => done[i] === 1);
      await queueTranscodeJobs(options, now.flatMap((r) => planDeliverables(r.plan, r.renderKey, r.masterStorageKey)));
      return { queuedNow: now.length, waiting: requests.length - now.length };
    },
  };
}
