import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import { subjectHash, tombstoneKey } from '../live/index.js';
import type { LiveLinkSubject } from './create-live-link-events.js';
import { clickRefKey, clickRefsOfKey } from './engagement-keys.js';
import { issueClickRef, scriptRunner } from '../redis/index.js';

/** Click references: 22 base64url characters (128 random bits), nothing else. */
export const CLICK_REF_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Who a click reference speaks for: a campaign recipient's link. */
export type ClickSubject = LiveLinkSubject & { campaignId: string; recipientId: string };

export type ClickRefs = ReturnType<typeof createClickRefs>;

/**
 * Click references, the conversion pixel's tie to the link the visitor came
 * through. The CTA redirect of a campaign recipient's Live URL issues one
 * and adds it to the brand's URL (like an ad click id); the brand's
 * confirmation page hands it back with the order. The reference is random
 * and carries nothing: who it names stays in Redis, for the attribution
 * window only. An unknown, expired or malformed reference is refused
 * (TOKEN_INVALID, 403), so a pixel cannot speak for anyone else. Each
 * recipient's references are listed under their subject hash, so an
 * erasure deletes them (eraseEngagement); none is issued once they are erased.
 */
export function createClickRefs(redis: Redis, options: { ttlSeconds: number }) {
  const issue = scriptRunner(redis, issueClickRef);
  return {
    /** A new reference for this subject (one Redis call); SUBJECT_ERASED when the recipient was erased. */
    async issue(subject: ClickSubject): Promise<string> {
      const ref = randomBytes(16).toString('base64url');
      const keys = [tombstoneKey(subject.recipientId), clickRefKey(ref), clickRefsOfKey(subjectHash(subject.recipientId))];
      const fields = ['c', subject.campaignId, 'r', subject.recipientId, 'ch', subject.channel, 't', subject.templateId];
      if ((await issue(keys, [options.ttlSeconds, ref, ...fields])) === 0) throw new AppError('SUBJECT_ERASED', 'the recipient of this link was erased');
      return ref;
    },
    /** The subject of a reference, or TOKEN_INVALID. */
    async open(ref: string): Promise<ClickSubject> {
      if (!CLICK_REF_PATTERN.test(ref)) throw new AppError('TOKEN_INVALID', 'malformed click reference');
      const h = await redis.hgetall(clickRefKey(ref));
      if (!h.c || !h.r || !h.ch || !h.t) throw new AppError('TOKEN_INVALID', 'unknown or expired click reference');
      return { campaignId: h.c, recipientId: h.r, channel: h.ch, templateId: h.t };
    },
  };
}
