import { defineScript } from '../run-script.js';

/**
 * HSET only when the hash exists, atomically, so an update never leaves a
 * half record (no templateId, no state) behind for a key that was deleted.
 * ARGV: ttl ('' to leave the key's expiry as it is, 'persist' to remove it),
 * count of fields to delete, those fields, then field/value pairs.
 */
export const updateOutputRecord = defineScript('updateOutputRecord', `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ndel = tonumber(ARGV[2])
for i = 3, 2 + ndel do redis.call('HDEL', KEYS[1], ARGV[i]) end
local kv = {}
for i = 3 + ndel, #ARGV do kv[#kv + 1] = ARGV[i] end
if #kv > 0 then redis.call('HSET', KEYS[1], unpack(kv)) end
if ARGV[1] == 'persist' then redis.call('PERSIST', KEYS[1])
elseif ARGV[1] ~= '' then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return 1
`);
