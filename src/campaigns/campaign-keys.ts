import { redisKeys, type CampaignKeys } from '../redis/index.js';

export type { CampaignKeys };

/** Redis keys of one campaign (built by the registry in src/redis). */
export function campaignKeys(id: string): CampaignKeys {
  return redisKeys.campaign(id);
}

/** The key hash of one fan-out chunk of a campaign (deleted once its keys are settled). */
export function chunkKeys(id: string, chunk: number): string {
  return redisKeys.campaignChunkKeys(id, chunk);
}

/**
 * Every key of a campaign, for EXPIRE and deletion; with `chunks` (the fan-out
 * checkpoint, meta `fanOutChunk`), also the key hashes of chunks 0..chunks
 * (the last one: a chunk claimed but not committed).
 */
export function allCampaignKeys(id: string, chunks = -1): string[] {
  const perChunk = Array.from({ length: chunks + 1 }, (_, i) => chunkKeys(id, i));
  return [...Object.values(campaignKeys(id)), ...perChunk];
}
