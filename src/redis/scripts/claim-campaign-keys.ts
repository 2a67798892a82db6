import { defineScript } from '../run-script.js';

/**
 * Per key, in one script call: SADD to the campaign's key set, whether a job
 * exists under it, and whether the output index says done. Returns a bit set
 * per key: 1 new to this campaign, 2 a job exists, 4 indexed as done. KEYS:
 * the set, then each key's job hash and index hash; ARGV: the render keys.
 * One call per chunk instead of three commands per key: fan-out is measured
 * against a bare addBulk loop.
 */
export const claimCampaignKeys = defineScript('claimCampaignKeys', `
local out = {}
for i = 1, #ARGV do
  local code = 0
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    code = 1
    if redis.call('EXISTS', KEYS[2 * i]) == 1 then code = code + 2 end
    if redis.call('HGET', KEYS[2 * i + 1], 'state') == 'done' then code = code + 4 end
  end
  out[i] = code
end
return out
`);
