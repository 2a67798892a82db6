import { defineScript } from '../run-script.js';

/**
 * Counts stored browser conversions toward their recipients' cap, except
 * for recipients erased since they were stored: an erasure that ran in
 * between has deleted the count, and it must not come back. KEYS: per
 * conversion, its campaign's count hash then its recipient's tombstone.
 * ARGV: TTL s, then per conversion the recipient id.
 */
export const countBrowserConversions = defineScript('countBrowserConversions', `
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 then
    redis.call('HINCRBY', KEYS[i], ARGV[(i + 1) / 2 + 1], 1)
    redis.call('EXPIRE', KEYS[i], ARGV[1])
  end
end
return 1
`);
