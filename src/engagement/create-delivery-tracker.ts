import type { Redis } from 'ioredis';
import { propsHash } from '../cache/index.js';
import type { Logger } from 'pino';
import type { EventIngest } from './create-event-ingest.js';
import { engagementKeys, renderWaitersKey } from './engagement-keys.js';
import { recordRenderWaiters, scriptRunner } from '../redis/index.js';
import { serverEventId } from './server-event-id.js';

/** One recipient's output on one channel. */
export interface DeliveryEntry {
  recipientId: string;
  channel: string;
  /** sha256 of the recipient's canonical props (the consistency score compares it across channels). */
  propsHash: string;
}

export interface DeliveryTrackerOptions {
  /** Waiting records expire after this (a render that never comes). Default 30 days. */
  ttlSeconds?: number;
  /** Delivered events per ingest call. Default 500. */
  batch?: number;
}

export type DeliveryTracker = ReturnType<typeof createDeliveryTracker>;

/** What the tracker reads from a published render job's data (src/queue RenderJobData). */
export interface RenderedJob {
  campaignId?: string;
  templateId: string;
  props: unknown;
  /** [recipientId, channels] pairs fan-out put in the job. */
  deliveries?: readonly (readonly [string, readonly string[]])[];
}

/**
 * `delivered` events of campaigns. Prerender mode: fan-out puts each
 * recipient waiting on a master in the data of the job it adds; the others
 * (a master another producer queued or had cached, a props row repeated in
 * a later chunk) are recorded as waiting on its render key in Redis
 * (`awaitRenders`, one script call per chunk). When the render worker
 * publishes that render, `onRendered` turns both into `delivered` events. Keys already rendered at fan-out are delivered
 * at once (`settleRendered`), lazy campaigns when their links can be issued
 * (`deliverNow`).
 *
 * Ids are deterministic (campaign, recipient, channel, props hash), so a
 * hook that runs twice, or a race between fan-out and the worker, counts
 * one delivery.
 */
export function createDeliveryTracker(deps: { redis: Redis; ingest: Pick<EventIngest, 'ingest'>; logger?: Logger }, options: DeliveryTrackerOptions = {}) {
  const ttl = options.ttlSeconds ?? 30 * 86_400;
  const batch = options.batch ?? 500;
  const recordWaiting = scriptRunner(deps.redis, recordRenderWaiters);

  async function deliverNow(campaignId: string, templateId: string, entries: readonly DeliveryEntry[], ts = Date.now()): Promise<void> {
    for (let i = 0; i < entries.length; i += batch) {
      const events = entries.slice(i, i + batch).map((e) => ({
        id: serverEventId(['delivered', campaignId, e.recipientId, e.channel, e.propsHash]),
        type: 'delivered' as const,
        campaignId,
        recipientId: e.recipientId,
        channel: e.channel,
        templateId,
        ts,
        meta: { propsHash: e.propsHash },
      }));
      await deps.ingest.ingest(events, { trusted: true, source: 'farm' });
    }
  }

  /**
   * A master was published: the recipients its job carries (fan-out puts
   * them in the job's data) and those waiting in Redis, of any campaign, are
   * delivered. Returns how many (recipient, channel) entries.
   */
  async function onRendered(renderKey: string, job?: RenderedJob): Promise<number> {
    let delivered = 0;
    if (job?.campaignId && job.deliveries?.length) {
      const hash = propsHash(job.props);
      const entries = job.deliveries.flatMap(([recipientId, channels]) => channels.map((channel) => ({ recipientId, channel, propsHash: hash })));
      await deliverNow(job.campaignId, job.templateId, entries);
      delivered += entries.length;
    }
    const waitersKey = renderWaitersKey(renderKey);
    const campaigns = await deps.redis.smembers(waitersKey);
    for (const campaignId of campaigns) {
      const waitKey = engagementKeys(campaignId).waitingOn(renderKey);
      const members = await deps.redis.smembers(waitKey);
      const byTemplate = new Map<string, DeliveryEntry[]>();
      for (const member of members) {
        const [recipientId, channel, propsHash, templateId] = JSON.parse(member) as [string, string, string, string];
        byTemplate.set(templateId, [...(byTemplate.get(templateId) ?? []), { recipientId, channel, propsHash }]);
      }
      for (const [templateId, entries] of byTemplate) await deliverNow(campaignId, templateId, entries);
      delivered += members.length;
      // Removed only once delivered: a crash in between re-delivers, and the ids dedupe it.
      if (members.length > 0) await deps.redis.srem(waitKey, ...members);
      await deps.redis.srem(waitersKey, campaignId);
    }
    return delivered;
  }

  return {
    deliverNow,
    onRendered,
    /** Records that these entries wait on their render key; call before the renders are queued. */
    async awaitRenders(campaignId: string, templateId: string, entries: readonly (DeliveryEntry & { renderKey: string })[]): Promise<void> {
      if (entries.length === 0) return;
      const keys = engagementKeys(campaignId);
      const waitKeys: string[] = [];
      const args: string[] = [String(ttl), campaignId];
      for (const e of entries) {
        waitKeys.push(keys.waitingOn(e.renderKey), renderWaitersKey(e.renderKey));
        args.push(JSON.stringify([e.recipientId, e.channel, e.propsHash, templateId]));
      }
      await recordWaiting(waitKeys, args);
    },
    /**
     * Fan-out, after a chunk's renders were claimed: the entries whose render
     * is already published (cached, or rendered earlier in this campaign)
     * are delivered now, in one ingest call, and stop waiting.
     */
    async settleRendered(campaignId: string, templateId: string, entries: readonly (DeliveryEntry & { renderKey: string })[], rendered: ReadonlySet<string>): Promise<void> {
      const now = entries.filter((e) => rendered.has(e.renderKey));
      if (now.length === 0) return;
      await deliverNow(campaignId, templateId, now);
      const tx = deps.redis.pipeline();
      for (const e of now) tx.srem(engagementKeys(campaignId).waitingOn(e.renderKey), JSON.stringify([e.recipientId, e.channel, e.propsHash, templateId]));
      await tx.exec();
    },
  };
}
