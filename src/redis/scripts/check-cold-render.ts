import { defineScript } from '../run-script.js';

/**
 * A sliding-window log per key (a sorted set of admission times), both keys
 * in one atomic step: an admission counts against both budgets or neither,
 * and a refused request does not count at all. Time comes from Redis, so
 * every API process shares one clock.
 * KEYS: client, link. ARGV: client limit, client window ms, link limit, link window ms, member.
 * Returns {1} or {0, scope index (1 client, 2 link), retry ms}.
 */
export const checkColdRender = defineScript('checkColdRender', `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local worst, scope = -1, 0
for i = 1, 2 do
  local limit = tonumber(ARGV[i * 2 - 1])
  local window = tonumber(ARGV[i * 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], -limit, -limit, 'WITHSCORES')
    local retry = tonumber(oldest[2]) + window - now
    if retry > worst then worst, scope = retry, i end
  end
end
if scope > 0 then return {0, scope, worst} end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i * 2]))
end
return {1}
`);
