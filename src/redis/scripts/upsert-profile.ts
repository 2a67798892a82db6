import { defineScript } from '../run-script.js';

/**
 * Writes one recipient profile, atomically.
 * KEYS[1]: the profile hash (fields, version, hash, updatedAt);
 * KEYS[2]: its version history, a list newest first of `<version>:<updatedAt>`,
 * pushed in the same step as the write so the campaign metrics always know
 * which version was current when (data latency, version consistency).
 * ARGV: expected version ('' = any: a PUT), fields JSON, content hash,
 * updatedAt (ISO), how many versions the history keeps.
 * Returns {outcome, version, hash, updatedAt}; outcome is
 * - 'conflict': the version is not the expected one (a PATCH computed from
 *   an older read; the caller reads again and retries), or the profile is
 *   gone ('0' expected versions only match a missing profile);
 * - 'unchanged': same content hash, nothing written (version kept);
 * - 'changed': written with version + 1.
 */
export const upsertProfile = defineScript('upsertProfile', `local cur = redis.call('HMGET', KEYS[1], 'version', 'hash', 'updatedAt')
local version = tonumber(cur[1]) or 0
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= version then
  return {'conflict', tostring(version), cur[2] or '', cur[3] or ''}
end
if cur[2] == ARGV[3] then
  return {'unchanged', tostring(version), cur[2], cur[3]}
end
version = version + 1
redis.call('HSET', KEYS[1], 'fields', ARGV[2], 'version', version, 'hash', ARGV[3], 'updatedAt', ARGV[4])
-- A new profile (version 1) starts a new history: a deleted profile's older versions are not its own.
if version == 1 then redis.call('DEL', KEYS[2]) end
redis.call('LPUSH', KEYS[2], version .. ':' .. ARGV[4])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
return {'changed', tostring(version), ARGV[3], ARGV[4]}`);
