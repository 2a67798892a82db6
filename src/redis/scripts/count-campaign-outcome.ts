import { defineScript } from '../run-script.js';
import { markDoneIfCompleteLua } from './mark-campaign-done.js';

/**
 * Lua: defines `outcome_of(claim, key)`, the claiming chunk and the outcome
 * already counted for a key of a campaign from its key hash entry (`12`,
 * `12r`, `12f`): '' none, 'r' rendered, 'f' failed. Campaigns counted
 * before the outcome moved into the key hash have it in the legacy sets
 * (read, never written): a key counted there is not counted again.
 */
export function campaignOutcomeLua(legacyRendered: string, legacyFailed: string): string {
  return `local function outcome_of(claim, key)
  local chunk, was = string.match(claim or '', '^(%d+)(%a?)$')
  if chunk and was == '' then
    if redis.call('SISMEMBER', ${legacyRendered}, key) == 1 then was = 'r'
    elseif redis.call('SISMEMBER', ${legacyFailed}, key) == 1 then was = 'f' end
  end
  return chunk, was
end`;
}

/**
 * Counts one render outcome of one campaign, once per (campaign, key):
 * - ignored when the campaign is gone or the key is not one of its renders;
 * - the outcome is kept in the campaign's key hash, as a letter after the
 *   claiming chunk's number (`12` claimed, `12r` rendered, `12f` failed):
 *   one entry per key instead of one more in a rendered or failed set
 *   (~124 bytes a row);
 * - a key counted rendered is never counted failed afterwards, and a key
 *   that failed then rendered (a re-run, a retry by another producer) moves
 *   from failed to rendered, so rendered + failed never exceeds the renders;
 * - the campaign turns `done` when its ingestion ended and every render has
 *   an outcome.
 *
 * KEYS: meta, keys, foreign, legacy rendered set, legacy failed set.
 * ARGV: renderKey, outcome, now.
 * Returns 0 not counted, 1 counted, 2 counted and the campaign is done now.
 */
export const countCampaignOutcome = defineScript('countCampaignOutcome', `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
${campaignOutcomeLua('KEYS[4]', 'KEYS[5]')}
local chunk, was = outcome_of(redis.call('HGET', KEYS[2], ARGV[1]), ARGV[1])
if not chunk then return 0 end
if was == 'r' then return 0 end
if ARGV[2] == 'failed' then
  if was == 'f' then return 0 end
  redis.call('HSET', KEYS[2], ARGV[1], chunk .. 'f')
  redis.call('HINCRBY', KEYS[1], 'failed', 1)
else
  redis.call('HSET', KEYS[2], ARGV[1], chunk .. 'r')
  redis.call('HINCRBY', KEYS[1], 'rendered', 1)
  if was == 'f' then redis.call('HINCRBY', KEYS[1], 'failed', -1) end
end
redis.call('SREM', KEYS[3], ARGV[1])
${markDoneIfCompleteLua('ARGV[3]')}
if became_done then return 2 end
return 1
`);
