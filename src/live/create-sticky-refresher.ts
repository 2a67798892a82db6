import type { Redis } from 'ioredis';
import { deliverableKey } from '../cache/index.js';
import type { ChannelProfileResolver } from '../encode/index.js';
import { isAppError } from '../errors/index.js';
import type { RenderJobOptions } from '../queue/index.js';
import { stickyProps, type RecipientSource } from '../recipients/index.js';
import { redisKeys } from '../redis/index.js';
import { createDeliverablePlan, createRenderJobPreparer, type DeliverableRequests, type RenderRegistry, type Renders } from '../renders/index.js';
import { parseOnUpdateLink } from './sticky-on-update.js';

export interface StickyRefresherDeps {
  redis: Redis;
  registry: RenderRegistry;
  profiles: ChannelProfileResolver;
  jobOptions: RenderJobOptions;
  /** The render lifecycle campaigns use (requests at campaign priority). */
  renders: Pick<Renders, 'request'>;
  recipients: RecipientSource;
  /** The render -> transcode chain: links recorded with `cut` (prerendered campaigns) have their channel's deliverables re-cut. */
  deliverables?: DeliverableRequests;
  /** Records the new render (and the deliverables re-cut from it) under the recipient, so an erasure finds them. */
  recordSubject?: (recipientId: string, items: { renderKeys: string[]; deliverableKeys: string[] }) => Promise<void>;
}

/** What one refresh did: masters requested (new or already there), and links it could not render (no profile, incomplete, gone template). */
export interface StickyRefreshResult {
  /** The profile version rendered (undefined when there is no profile). */
  version?: number;
  requested: { templateId: string; channel: string; campaignId?: string; renderKey: string; recut: boolean }[];
  skipped: number;
}

/**
 * Refresh `on-update` of sticky links: when a recipient's profile changes,
 * each of their on-update links (recorded when they were made) has its
 * master rendered at once, at campaign priority, through the render
 * lifecycle, so the next open is a cache hit; a campaign's prerendered
 * links (`cut`) also have their channel deliverables re-cut from it. The render key is the props',
 * so a change that touches no mapped field requests nothing new (request
 * once finds it done). `on-open` links simply render on their next open,
 * and `never` links keep their first version: neither needs work here.
 */
export function createStickyRefresher(deps: StickyRefresherDeps) {
  return {
    async refresh(recipientId: string): Promise<StickyRefreshResult> {
      const members = await deps.redis.smembers(redisKeys.stickyOnUpdate(recipientId));
      const result: StickyRefreshResult = { requested: [], skipped: 0 };
      if (members.length === 0) return result;
      const snapshot = await deps.recipients.current(recipientId);
      if (snapshot) result.version = snapshot.version;
      for (const member of members.sort()) {
        const { templateId, channel, campaignId, cut } = parseOnUpdateLink(member);
        try {
          const template = deps.registry.get(templateId);
          const profile = deps.profiles(template, channel);
          const prepare = await createRenderJobPreparer(
            { registry: deps.registry, jobOptions: deps.jobOptions },
            { templateId: template.id, variant: profile.variant, format: 'mp4', priorityClass: 'campaign', ...(campaignId ? { campaignId } : {}) },
          );
          const job = prepare(stickyProps(template, snapshot));
          // A prerendered campaign's email GIF and SMS MP4 are read without an open: cut them now too, at campaign priority.
          const recut = Boolean(cut && deps.deliverables && profile.deliverables.length > 0);
          const deliverableKeys = recut ? profile.deliverables.map((spec) => deliverableKey(job.renderKey, spec)) : [];
          await deps.recordSubject?.(recipientId, { renderKeys: [job.renderKey], deliverableKeys });
          await deps.renders.request(job);
          if (recut) {
            const plan = createDeliverablePlan({ templateId: template.id, posterSeconds: template.posterFrame / template.fps, priorityClass: 'campaign', specs: profile.deliverables });
            await deps.deliverables!.request([{ renderKey: job.renderKey, masterStorageKey: job.storageKey, plan }]);
          }
          result.requested.push({ templateId: template.id, channel, ...(campaignId ? { campaignId } : {}), renderKey: job.renderKey, recut });
        } catch (err) {
          // A link that cannot render now (no profile, incomplete, unknown template) answers for itself when opened.
          if (!isAppError(err) || err.code === 'REDIS_UNAVAILABLE') throw err;
          result.skipped++;
        }
      }
      return result;
    },
  };
}

export type StickyRefresher = ReturnType<typeof createStickyRefresher>;
