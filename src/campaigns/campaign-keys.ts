import { redisKeys, type CampaignKeys } from '../redis/index.js';

export type { CampaignKeys };

/** Redis keys of one campaign (built by the registry in src/redis). */
export function campaignKeys(id: string): CampaignKeys {
  return redisKeys.campaign(id);
}

/** Every key of a campaign, for EXPIRE and deletion. */
export function allCampaignKeys(id: string): string[] {
  return Object.values(campaignKeys(id));
}
