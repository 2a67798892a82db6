import { defineScript } from '../run-script.js';

/**
 * Lua: marks the campaign whose meta hash is KEYS[1] done when its ingestion
 * ended and every render has an outcome. Shared by the outcome script (after
 * each count) and markCampaignDone; `now` is the ARGV slot holding the time.
 */
export function markDoneIfCompleteLua(now: string): string {
  return `local m = redis.call('HMGET', KEYS[1], 'state', 'renders', 'rendered', 'failed')
if m[1] == 'rendering' and tonumber(m[3] or 0) + tonumber(m[4] or 0) >= tonumber(m[2] or 0) then
  redis.call('HSET', KEYS[1], 'state', 'done', 'finishedAt', ${now})
end`;
}

/** Marks a campaign done when complete. KEYS: meta. ARGV: now (ms). */
export const markCampaignDone = defineScript('markCampaignDone', `
${markDoneIfCompleteLua('ARGV[1]')}
return 0
`);
