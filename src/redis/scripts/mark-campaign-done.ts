import { defineScript } from '../run-script.js';

/**
 * Marks a campaign done when its ingestion ended and every render has an
 * outcome (the outcome script does the same after each count).
 * KEYS: meta. ARGV: now (ms).
 */
export const markCampaignDone = defineScript('markCampaignDone', `
local m = redis.call('HMGET', KEYS[1], 'state', 'renders', 'rendered', 'failed')
if m[1] == 'rendering' and tonumber(m[3] or 0) + tonumber(m[4] or 0) >= tonumber(m[2] or 0) then
  redis.call('HSET', KEYS[1], 'state', 'done', 'finishedAt', ARGV[1])
end
return 0
`);
