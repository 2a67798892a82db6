import { defineScript } from '../run-script.js';

/**
 * One bucket per queue and per `bucketSeconds` (a hash):
 *   c   completed jobs          ff  jobs failed for good     fr  attempts failed and retried
 *   n   attempts timed          ms  sum of their processing ms
 *   s0  first backlog sample    s1  last backlog sample, each "backlog:atMs:departuresSoFar"
 * "departuresSoFar" is c + ff of the bucket when the sample was taken, so a
 * reader can count exactly the departures after a sample. The backlog is
 * what BullMQ holds unfinished: wait + paused + active + prioritized + delayed.
 * A Lua script keeps the counts and the sample consistent and costs one
 * round trip per finished job; every key shares the {mastercut} hash tag.
 * KEYS: bucket, wait, paused, active, prioritized, delayed.
 * ARGV: at (ms), ttl (s), completed, failed, retried, ms (-1: not timed),
 * timed (1: an attempt of its own; 0: a part of a job, a split render's
 * chunk, whose ms are the job's work but which is no attempt: n stays).
 */
export const recordQueueStats = defineScript('recordQueueStats', `
local b = KEYS[1]
local c, ff, fr, ms = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
if c > 0 then redis.call('HINCRBY', b, 'c', c) end
if ff > 0 then redis.call('HINCRBY', b, 'ff', ff) end
if fr > 0 then redis.call('HINCRBY', b, 'fr', fr) end
if ms >= 0 then
  if ARGV[7] ~= '0' then redis.call('HINCRBY', b, 'n', 1) end
  redis.call('HINCRBY', b, 'ms', ms)
end
local backlog = redis.call('LLEN', KEYS[2]) + redis.call('LLEN', KEYS[3]) + redis.call('LLEN', KEYS[4])
  + redis.call('ZCARD', KEYS[5]) + redis.call('ZCARD', KEYS[6])
local d = (tonumber(redis.call('HGET', b, 'c')) or 0) + (tonumber(redis.call('HGET', b, 'ff')) or 0)
local s = backlog .. ':' .. ARGV[1] .. ':' .. d
redis.call('HSETNX', b, 's0', s)
redis.call('HSET', b, 's1', s)
redis.call('EXPIRE', b, ARGV[2])
return backlog
`);
