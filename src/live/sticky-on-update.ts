import type { Redis } from 'ioredis';
import { redisKeys } from '../redis/index.js';

/**
 * One refresh `on-update` sticky link of a recipient, as recorded under
 * `stku:<recipientId>` and read back by createStickyRefresher:
 * `template|channel|campaign|cut`. `cut` (campaign links that prerendered
 * deliverables) asks the refresher to re-cut the channel's deliverables too,
 * so an email GIF or SMS MP4 is current before anyone opens it.
 */
export interface StickyOnUpdateLink {
  templateId: string;
  channel: string;
  campaignId?: string;
  cut?: boolean;
}

export function formatOnUpdateLink(link: StickyOnUpdateLink): string {
  return `${link.templateId}|${link.channel}|${link.campaignId ?? ''}${link.cut ? '|cut' : ''}`;
}

export function parseOnUpdateLink(member: string): StickyOnUpdateLink {
  const [templateId = '', channel = '', campaignId = '', cut = ''] = member.split('|');
  return { templateId, channel, ...(campaignId ? { campaignId } : {}), ...(cut === 'cut' ? { cut: true } : {}) };
}

/** Records a recipient's on-update links for as long as they live (the record's TTL only grows). */
export async function recordOnUpdateLinks(redis: Redis, recipientId: string, links: readonly StickyOnUpdateLink[], ttlSeconds: number): Promise<void> {
  if (links.length === 0) return;
  const key = redisKeys.stickyOnUpdate(recipientId);
  await redis
    .multi()
    .sadd(key, ...links.map(formatOnUpdateLink))
    .expire(key, ttlSeconds, 'NX')
    .expire(key, ttlSeconds, 'GT')
    .exec();
}
