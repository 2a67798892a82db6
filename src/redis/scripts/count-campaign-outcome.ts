import { defineScript } from '../run-script.js';
import { markDoneIfCompleteLua } from './mark-campaign-done.js';

/**
 * Lua: defines `settle_keys(count)` over the chunk key hash `hash` (a KEYS
 * slot: the key stays declared), called when `count` keys of the
 * fan-out chunk got their first outcome: the chunk's settled counter (`#s`) goes up, and
 * the chunk's key hash is deleted once every key it claimed is settled
 * (`#n`, written by the chunk's commit, so a chunk re-run before its commit
 * still finds its claims). This is what keeps a campaign's key hashes
 * bounded by its window instead of growing with its file.
 */
export function settleChunkKeysLua(hash: string): string {
  return `local function settle_keys(count)
  local s = redis.call('HINCRBY', ${hash}, '#s', count)
  local n = tonumber(redis.call('HGET', ${hash}, '#n') or '-1')
  if n >= 0 and s >= n then redis.call('DEL', ${hash}) end
end`;
}

/**
 * Counts one render outcome of one campaign, once per (campaign, key):
 * - ignored when the campaign is gone or the key is not in the key hash of
 *   the chunk that claimed it (the job's data carries the chunk), which is
 *   also the case once that chunk was fully settled and its hash deleted;
 * - the outcome is the key's value in the chunk's hash (`` claimed, `r`
 *   rendered, `f` failed): one entry per key instead of one more in a
 *   rendered or failed set;
 * - `cached` (found stored, nothing rendered) counts as rendered and as
 *   cached, as the fan-out counts a key it finds done;
 * - a key counted rendered is never counted failed afterwards, and a key
 *   that failed then rendered (a re-run, a retry by another producer) moves
 *   from failed to rendered while its chunk's hash lives, so rendered +
 *   failed never exceeds the renders;
 * - the campaign turns `done` when its ingestion ended and every render has
 *   an outcome.
 *
 * KEYS: meta, the chunk's key hash, foreign. ARGV: renderKey, outcome, now, chunk.
 * Returns 0 not counted, 1 counted, 2 counted and the campaign is done now.
 */
export const countCampaignOutcome = defineScript('countCampaignOutcome', `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
${settleChunkKeysLua('KEYS[2]')}
local foreign = ARGV[4] .. ' ' .. ARGV[1]
local was = redis.call('HGET', KEYS[2], ARGV[1])
if not was then
  redis.call('SREM', KEYS[3], foreign)
  return 0
end
if was == 'r' then return 0 end
if ARGV[2] == 'failed' then
  if was == 'f' then return 0 end
  redis.call('HSET', KEYS[2], ARGV[1], 'f')
  redis.call('HINCRBY', KEYS[1], 'failed', 1)
else
  redis.call('HSET', KEYS[2], ARGV[1], 'r')
  redis.call('HINCRBY', KEYS[1], 'rendered', 1)
  if ARGV[2] == 'cached' then redis.call('HINCRBY', KEYS[1], 'cached', 1) end
  if was == 'f' then redis.call('HINCRBY', KEYS[1], 'failed', -1) end
end
redis.call('SREM', KEYS[3], foreign)
if was == '' then settle_keys(1) end
${markDoneIfCompleteLua('ARGV[3]')}
if became_done then return 2 end
return 1
`);
