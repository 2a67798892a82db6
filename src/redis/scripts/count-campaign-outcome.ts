import { defineScript } from '../run-script.js';
import { markDoneIfCompleteLua } from './mark-campaign-done.js';

/**
 * Counts one render outcome of one campaign, once per (campaign, key):
 * - ignored when the campaign is gone or the key is not one of its renders;
 * - a key counted rendered is never counted failed afterwards, and a key
 *   that failed then rendered (a re-run, a retry by another producer) moves
 *   from failed to rendered, so rendered + failed never exceeds the renders;
 * - the campaign turns `done` when its ingestion ended and every render has
 *   an outcome;
 * - new sets inherit the campaign's TTL (they did not exist when it was set).
 *
 * KEYS: meta, keys, rendered, failed, foreign. ARGV: renderKey, outcome, now.
 * Returns 0 not counted, 1 counted, 2 counted and the campaign is done now.
 */
export const countCampaignOutcome = defineScript('countCampaignOutcome', `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
local target, other, otherField = KEYS[3], KEYS[4], 'failed'
if ARGV[2] == 'failed' then
  if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 0 end
  target, other, otherField = KEYS[4], KEYS[3], 'rendered'
end
if redis.call('SADD', target, ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
if redis.call('SREM', other, ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[1], otherField, -1) end
redis.call('SREM', KEYS[5], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', target, ttl) end
${markDoneIfCompleteLua('ARGV[3]')}
if became_done then return 2 end
return 1
`);
