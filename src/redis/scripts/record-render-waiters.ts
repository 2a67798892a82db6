import { defineScript } from '../run-script.js';

/**
 * A fan-out chunk's waiting entries in one call: four commands per entry
 * sent from Node halved the fan-out rate (bench/fanout.ts).
 * KEYS: per entry, its waiting set then the render key's set of waiting
 * campaigns. ARGV: TTL s, campaign id, then per entry the member.
 */
export const recordRenderWaiters = defineScript('recordRenderWaiters', `
local ttl, campaignId = ARGV[1], ARGV[2]
local seen = {}
for i = 1, #KEYS, 2 do
  local waitKey, waitersKey = KEYS[i], KEYS[i + 1]
  redis.call('SADD', waitKey, ARGV[(i + 1) / 2 + 2])
  if not seen[waitKey] then
    seen[waitKey] = true
    redis.call('EXPIRE', waitKey, ttl)
    redis.call('SADD', waitersKey, campaignId)
    redis.call('EXPIRE', waitersKey, ttl)
  end
end
return 1
`);
