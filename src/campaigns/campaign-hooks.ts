import type { Redis } from 'ioredis';
import { countCampaignOutcome, countDeliverableOutcome, redisKeys, runScript } from '../redis/index.js';
import { CAMPAIGN_ID_PATTERN } from './campaign-id.js';
import type { OnCampaignCompleted } from './campaign-completed-event.js';
import { campaignKeys, chunkKeys } from './campaign-keys.js';


/** `cached`: rendered without work (its output was found stored), counted in `rendered` and in `cached`. */
export type RenderOutcome = 'rendered' | 'cached' | 'failed';

/**
 * Records an outcome for a campaign, in the key hash of the fan-out chunk that claimed the key:
 * 0 not counted (already counted, or not its key), 1 counted, 2 counted and the campaign turned
 * `done` with it.
 */
export async function countOutcome(redis: Redis, campaignId: string, chunk: number, renderKey: string, outcome: RenderOutcome): Promise<0 | 1 | 2> {
  const k = campaignKeys(campaignId);
  const counted = await runScript(redis, countCampaignOutcome, [k.meta, chunkKeys(campaignId, chunk), k.foreign], [renderKey, outcome, String(Date.now()), String(chunk)]);
  return Number(counted) as 0 | 1 | 2;
}

/** What the hooks read of a render job's data: the campaign and the fan-out chunk that queued it. */
export interface CampaignJobData {
  campaignId?: string;
  campaignChunk?: number;
}

/** The hooks engineer B's render processor calls (RenderJobContext.onRendered / onFailed). */
export interface CampaignHooks {
  onRendered(data: CampaignJobData, renderKey: string, cached?: boolean): Promise<void>;
  onFailed(data: CampaignJobData, renderKey: string, error?: unknown): Promise<void>;
}

/**
 * Hooks for the render worker: a job carrying a campaign id counts its
 * outcome in that campaign, idempotently (a job retried after its hook ran,
 * or a key rendered twice, is counted once), in the key hash of the chunk
 * the job carries (a job without one, queued by an older version, counts
 * nothing). Jobs another producer owns
 * (BullMQ kept the first job for a key) carry no campaign id or another
 * one: fan-out records such keys as "foreign" and `status()` settles them
 * from the output index. A hook failure is swallowed after `onError`: the
 * render is published whatever the counters say.
 */
export function createCampaignHooks(redis: Redis, options: { onError?: (err: unknown) => void; onCompleted?: OnCampaignCompleted } = {}): CampaignHooks {
  const count = async (data: CampaignJobData, renderKey: string, outcome: RenderOutcome) => {
    if (!data.campaignId || !CAMPAIGN_ID_PATTERN.test(data.campaignId) || !Number.isInteger(data.campaignChunk)) return;
    try {
      if ((await countOutcome(redis, data.campaignId, data.campaignChunk!, renderKey, outcome)) === 2) await options.onCompleted?.(data.campaignId);
    } catch (err) {
      options.onError?.(err);
    }
  };
  return {
    onRendered: (data, renderKey, cached) => count(data, renderKey, cached ? 'cached' : 'rendered'),
    onFailed: (data, renderKey) => count(data, renderKey, 'failed'),
  };
}

export type DeliverableOutcome = 'cut' | 'failed';

/**
 * Counts a settled channel deliverable in every campaign waiting on it
 * (the waiters the fan-out commit recorded), each once per channel. The
 * transcode worker calls it after it wrote the output index (cut or failed
 * for good); the render worker calls it with `failed` for the deliverables
 * of a master that failed for good (they will never be cut). Returns the
 * campaigns that became done with it.
 */
export async function settleDeliverable(redis: Redis, deliverableKey: string, outcome: DeliverableOutcome): Promise<string[]> {
  const waitersKey = redisKeys.deliverableWaiters(deliverableKey);
  const waiters = await redis.smembers(waitersKey);
  const done: string[] = [];
  for (const waiter of waiters) {
    const [campaignId = '', channel = ''] = waiter.split(' ');
    if (!CAMPAIGN_ID_PATTERN.test(campaignId) || !/^[a-z0-9-]{1,32}$/.test(channel)) {
      await redis.srem(waitersKey, waiter);
      continue;
    }
    const counted = await runScript(redis, countDeliverableOutcome, [campaignKeys(campaignId).meta, waitersKey], [waiter, channel, outcome, String(Date.now())]);
    if (counted === 2) done.push(campaignId);
  }
  return done;
}
