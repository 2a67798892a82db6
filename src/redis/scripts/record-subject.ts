import { defineScript } from '../run-script.js';

/**
 * Adds members unless the subject is tombstoned (returns -1), and keeps the
 * set alive at least `ttl` seconds (never shortens it). Atomic, so an erase
 * that has set its tombstone can never be followed by a new entry.
 * KEYS: tombstone, set. ARGV: ttl, members...
 */
export const recordSubjectItems = defineScript('recordSubjectItems', `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local added = redis.call('SADD', KEYS[2], unpack(ARGV, 2))
local ttl = tonumber(ARGV[1])
local current = redis.call('TTL', KEYS[2])
if current < ttl then redis.call('EXPIRE', KEYS[2], ttl) end
return added
`);
