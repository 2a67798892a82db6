import { defineScript } from '../run-script.js';

/**
 * XADD unless the key was erased since the render began (then the stream is
 * deleted: readers stop, and nothing of an erased video stays in Redis).
 * KEYS: stream, key tombstone. ARGV: since (the render's start, ms on Redis's
 * clock like the tombstone's value: redisNowMs), ttl, then field/value pairs.
 */
export const sendRenderStream = defineScript('sendRenderStream', `
local at = redis.call('GET', KEYS[2])
if at and tonumber(at) >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`);
