import { defineScript } from '../run-script.js';

/**
 * Stores a reference unless its recipient was erased, and lists it under
 * the recipient (so an erasure finds it), in one atomic step: a reference
 * issued by a request that raced an erasure is either refused or listed
 * before the erasure reads the list. KEYS: the recipient's tombstone, the
 * reference's hash, the recipient's reference set. ARGV: TTL s, the
 * reference, then the hash's field/value pairs. Returns 0 when erased.
 */
export const issueClickRef = defineScript('issueClickRef', `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[1])
return 1
`);
