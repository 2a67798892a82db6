import { defineScript } from '../run-script.js';

/** KEYS: per request, the wanted set then the index hash. ARGV: ttl, then one plan id per request. */
export const wantDeliverables = defineScript('wantDeliverables', `
local out = {}
for i = 2, #ARGV do
  local wanted, index = KEYS[2 * i - 3], KEYS[2 * i - 2]
  if redis.call('HGET', index, 'state') == 'done' then
    out[i - 1] = 1
  else
    redis.call('SADD', wanted, ARGV[i])
    redis.call('EXPIRE', wanted, tonumber(ARGV[1]))
    out[i - 1] = 0
  end
end
return out
`);
