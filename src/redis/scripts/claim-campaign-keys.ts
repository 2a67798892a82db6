import { defineScript } from '../run-script.js';

/**
 * Per key, in one script call: claim it in the campaign's key hash for
 * fan-out chunk ARGV[1], whether a job exists under it, and whether the
 * output index says done. A key already claimed by the same chunk counts as
 * new again: that chunk is being re-run after a crash before its commit
 * (commitFanOutChunk), which never counted it (a hook may have recorded its
 * outcome after the claim's number, countCampaignOutcome). Returns a bit set per key: 1
 * new to this campaign, 2 a job exists, 4 indexed as done. KEYS: the hash,
 * then each key's job hash and index hash; ARGV: the chunk, the render keys.
 * One call per chunk instead of three commands per key: fan-out is measured
 * against a bare addBulk loop.
 */
export const claimCampaignKeys = defineScript('claimCampaignKeys', `
local out = {}
local chunk = ARGV[1]
for i = 1, #ARGV - 1 do
  local code = 0
  local key = ARGV[i + 1]
  if redis.call('HSETNX', KEYS[1], key, chunk) == 1 or string.match(redis.call('HGET', KEYS[1], key), '^%d+') == chunk then
    code = 1
    if redis.call('EXISTS', KEYS[2 * i]) == 1 then code = code + 2 end
    if redis.call('HGET', KEYS[2 * i + 1], 'state') == 'done' then code = code + 4 end
  end
  out[i] = code
end
return out
`);
