import { QUEUE_PREFIX } from '../queue/queue-names.js';

/**
 * Redis keys of one campaign. They share the `{mastercut}` hash tag with the
 * queue and the output index, so the hooks' Lua script and MULTI blocks
 * touching several of them stay in one Redis Cluster slot.
 */
export function campaignKeys(id: string) {
  const base = `${QUEUE_PREFIX}:cmp:${id}`;
  return {
    /** Hash: parameters, state and counters. */
    meta: base,
    /** List, file order: `recipientId key1 key2...` (one key per distinct variant). */
    manifest: `${base}:manifest`,
    /** List of JSON invalid-row reports (line, reason, field paths; never values). */
    errors: `${base}:errors`,
    /** Set of the campaign's distinct render keys: one render per key, whatever the duplicates. */
    keys: `${base}:keys`,
    /** Set of keys counted as rendered (idempotent counting). */
    rendered: `${base}:rendered`,
    /** Set of keys counted as failed. */
    failed: `${base}:failed`,
    /** Set of keys whose job another producer owns (its hooks name another campaign, or none). */
    foreign: `${base}:foreign`,
  };
}

export type CampaignKeys = ReturnType<typeof campaignKeys>;

/** Every key of a campaign, for EXPIRE and deletion. */
export function allCampaignKeys(id: string): string[] {
  return Object.values(campaignKeys(id));
}
