import { defineScript } from '../run-script.js';

/**
 * Lua: marks the campaign whose meta hash is KEYS[1] done when its ingestion
 * ended, every master has an outcome and every channel deliverable wanted
 * is cut or failed (a campaign is done when its channels are, not its
 * masters). Sets `became_done` to true on the transition, which happens
 * once. Shared by the outcome scripts (after each count) and
 * markCampaignDone; `now` is the ARGV slot holding the time.
 */
export function markDoneIfCompleteLua(now: string): string {
  return `local became_done = false
local m = redis.call('HMGET', KEYS[1], 'state', 'renders', 'rendered', 'failed', 'dlWanted', 'dlSettled')
if m[1] == 'rendering' and tonumber(m[3] or 0) + tonumber(m[4] or 0) >= tonumber(m[2] or 0)
  and tonumber(m[6] or 0) >= tonumber(m[5] or 0) then
  redis.call('HSET', KEYS[1], 'state', 'done', 'finishedAt', ${now})
  became_done = true
end`;
}

/** Marks a campaign done when complete. KEYS: meta. ARGV: now (ms). Returns 1 when it became done now. */
export const markCampaignDone = defineScript('markCampaignDone', `
${markDoneIfCompleteLua('ARGV[1]')}
if became_done then return 1 end
return 0
`);
