import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { claimCampaignKeys, redisKeys, runScript } from '../redis/index.js';
import type { ObjectStore } from '../storage/index.js';
import { storedOutput } from './done-and-stored.js';
import type { PreparedRenderJob } from './prepare-render-job.js';
import { claimJobSlot } from './request-once.js';
import type { RenderJobData } from './render-job.schema.js';

/** What a campaign's batch request needs (fan-out passes its own deps). */
export interface QueueNewRendersDeps {
  redis: Redis;
  queue: Queue<RenderJobData>;
  store: Pick<ObjectStore, 'head'>;
}

/** The fan-out chunk whose keys are claimed: its campaign, number, key hash (redisKeys.campaignChunkKeys) and the campaign's meta hash (its TTL). */
export interface CampaignChunk {
  campaignId: string;
  chunk: number;
  keys: string;
  meta: string;
}

/** What happened to one chunk's distinct render keys. */
export interface QueueOutcome {
  /** Keys new to this campaign. */
  fresh: number;
  /** The jobs of those keys (their deliverables are requested once per campaign). */
  freshJobs: PreparedRenderJob[];
  /** Jobs this campaign added. */
  added: number;
  /** Their render keys. */
  addedKeys: Set<string>;
  /** Keys already done before the campaign: counted rendered at once. */
  cached: string[];
  /** Keys whose job another producer already queued: settled later from the output index. */
  joined: string[];
  /** The Redis key of a render's job hash (a commit checks whose job won an id). */
  jobKey: (renderKey: string) => string;
  /**
   * Sends the added jobs to Redis (one addBulk) on its first call; every call
   * returns the same promise, settled once they are in. The outcome comes
   * back as soon as the claim is known, and nothing is added before this is
   * called, so a caller can send its next batch's claim first: Redis then
   * answers that claim while this process builds this addBulk, instead of
   * after running it.
   */
  add: () => Promise<void>;
}

const NEW = 1;
const JOB_EXISTS = 2;
const INDEXED_DONE = 4;
const DONE = { state: 'done' } as const;

/**
 * Adds the renders of one chunk that neither this campaign (the chunk's key
 * hash, its jobs) nor anyone else (output index + store, existing job) has
 * made or queued: one claim script, a store check for the few already done,
 * then one addBulk, sent when the caller calls `add`. The claim is made in the chunk's own key hash, so the
 * same chunk re-run after a crash claims its keys again (job ids are the
 * render keys, so nothing is queued twice); each job added carries the
 * chunk's number, where its hooks count its outcome.
 */
export async function queueNewRenders(deps: QueueNewRendersDeps, campaign: CampaignChunk, jobs: Map<string, PreparedRenderJob>): Promise<QueueOutcome> {
  const outcome: QueueOutcome = { fresh: 0, freshJobs: [], added: 0, addedKeys: new Set(), cached: [], joined: [], jobKey: (key) => deps.queue.toKey(key), add: () => Promise.resolve() };
  if (jobs.size === 0) return outcome;
  const all = [...jobs.values()];
  // Each render key travels once, inside its job hash's name: the script reads it back from there.
  const scriptKeys = [campaign.keys, campaign.meta];
  for (const job of all) scriptKeys.push(deps.queue.toKey(job.renderKey), redisKeys.output(job.renderKey));
  const claims = (await runScript(deps.redis, claimCampaignKeys, scriptKeys, [campaign.campaignId, deps.queue.toKey('').length])) as number[];
  const toAdd: PreparedRenderJob[] = [];
  // Only keys indexed done or with a job already need another round trip (the store, the job's state);
  // the rest, nearly every key of a fresh campaign, go straight to the addBulk without a promise each.
  const known = async (job: PreparedRenderJob, code: number) => {
    // The claim script read the index; done-and-stored asks the store (a deleted output is rendered again).
    if (code & INDEXED_DONE && (await storedOutput(deps.store, DONE, job.storageKey))) outcome.cached.push(job.renderKey);
    // Campaigns never raise a priority: their jobs are the lowest class.
    else if (code & JOB_EXISTS && (await claimJobSlot(deps.queue, job.renderKey)).slot === 'joined') outcome.joined.push(job.renderKey);
    else toAdd.push(job);
  };
  const checks: Promise<void>[] = [];
  for (let i = 0; i < all.length; i++) {
    const code = claims[i] ?? 0;
    if (!(code & NEW)) continue;
    const job = all[i]!;
    outcome.fresh++;
    outcome.freshJobs.push(job);
    if (code & (INDEXED_DONE | JOB_EXISTS)) checks.push(known(job, code));
    else toAdd.push(job);
  }
  await Promise.all(checks);
  if (toAdd.length > 0) {
    // The chunk's jobs are its own (prepared for it by the fan-out): they are stamped and added as they are, not copied.
    for (const job of toAdd) job.data.campaignChunk = campaign.chunk;
    let adding: Promise<void> | undefined;
    outcome.add = () => {
      if (!adding) {
        adding = deps.queue.addBulk(toAdd).then(() => undefined);
        // Awaited by the caller later; a failure is not reported as unhandled meanwhile.
        adding.catch(() => undefined);
      }
      return adding;
    };
  }
  outcome.added = toAdd.length;
  for (const job of toAdd) outcome.addedKeys.add(job.renderKey);
  return outcome;
}
