import { defineScript } from '../run-script.js';

/**
 * Re-creates a `done` output record that the done-record retention
 * (OUTPUT_INDEX_DONE_TTL_S) let expire, after a reader found its object in
 * the store. Refused while the key's erasure tombstone is set: the erasure
 * sets it before it deletes objects and records, so a lookup racing an
 * erasure never brings the record back. A record that exists (a newer
 * write) is left as it is.
 * KEYS: the record hash, the key's tombstone. ARGV: ttl ('' for none), then field/value pairs.
 * Returns -1 (erased), 0 (a record exists) or 1 (re-created).
 */
export const restoreOutputRecord = defineScript('restoreOutputRecord', `
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local kv = {}
for i = 2, #ARGV do kv[#kv + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(kv))
if ARGV[1] ~= '' then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return 1
`);
