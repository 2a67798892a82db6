import { randomBytes } from 'node:crypto';
import { AppError } from '../errors/index.js';

/** `cmp_` + 20 base32 characters (100 random bits): safe in Redis keys, paths and URLs. */
export const CAMPAIGN_ID_PATTERN = /^cmp_[a-z2-7]{20}$/;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A new, unguessable campaign id. */
export function newCampaignId(): string {
  const bytes = randomBytes(20);
  let id = 'cmp_';
  // 5 bits per character from a byte each: wastes 3 bits, keeps the code obvious.
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}

/** Throws INVALID_KEY unless `id` is a campaign id this code could have made. */
export function assertCampaignId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !CAMPAIGN_ID_PATTERN.test(id)) {
    throw new AppError('INVALID_KEY', 'Invalid campaign id.', { details: { kind: 'campaignId' } });
  }
}
