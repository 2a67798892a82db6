import { defineScript } from '../run-script.js';
import { settleChunkKeysLua } from './count-campaign-outcome.js';

/**
 * Commits one fan-out chunk of a campaign, all or nothing, and moves its
 * checkpoint on: the name of the chunk's manifest part (written to the object
 * store before, see src/campaigns/manifest-parts.ts), the reports, the counters and the
 * position in the stored recipients file are written by one script, so a
 * fan-out killed at any point resumes from the last chunk committed, and a
 * re-run of the chunk after it (its render jobs have deterministic ids, its
 * keys are claimed in the chunk's own key hash) neither duplicates nor loses a row.
 *
 * - Fenced: it does nothing (returns 0) unless the campaign's checkpoint is
 *   still ARGV[1], so a stale runner (a stalled job BullMQ handed to another
 *   process) cannot commit the same chunk twice.
 * - Cached keys are counted rendered once, whatever a render hook counted
 *   meanwhile: the outcome in the chunk's key hash decides (`r`, see
 *   countCampaignOutcome).
 * - The chunk's key hash learns how many keys it claimed (`#n`); it is
 *   deleted now if all of them are settled already, else by the outcome
 *   that settles the last one. Before this commit it is never deleted, so a
 *   re-run of the chunk finds its claims.
 * - The counting race: a key this chunk added whose job is not this
 *   campaign's (another producer's job won the id between the claim and the
 *   addBulk, so its hooks will never count here) goes to the foreign set,
 *   settled from the output index like the keys joined knowingly (members
 *   `<chunk> <key>`: where its outcome is counted).
 *
 * - Channel deliverables of the chunk's new masters: each is wanted once per
 *   (campaign, channel); one already cut (or failed) in the output index is
 *   counted at once, any other gets the campaign as a waiter, counted when a
 *   transcode worker settles it (countDeliverableOutcome). The index is read
 *   here, in the same script that adds the waiter, and the worker reads the
 *   waiters only after it wrote the index: one of the two always counts it.
 *
 * KEYS: meta, manifest parts, errors, the chunk's key hash, foreign, then
 * the job hash of each added key, then per deliverable its output index hash and waiter
 * set. ARGV: expected chunk, entries read, counters (JSON field ->
 * increment), campaign id, #manifest parts (0 or 1), #reports, #cached, #added,
 * #joined, #deliverables, the length of the job hashes' prefix, then the
 * manifest part, reports, cached and joined keys, and each deliverable's
 * channel, in that order. An added key is the rest of its job hash's name
 * (it travels once, as in claimCampaignKeys).
 */
export const commitFanOutChunk = defineScript('commitFanOutChunk', `
local meta = KEYS[1]
local seq = tonumber(redis.call('HGET', meta, 'fanOutChunk') or '0')
if seq ~= tonumber(ARGV[1]) then return 0 end
local nManifest, nReports, nCached, nAdded, nJoined = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local nDeliverables = tonumber(ARGV[10])
local jobKeyFrom = tonumber(ARGV[11]) + 1
local at = 12
for i = at, at + nManifest - 1 do redis.call('RPUSH', KEYS[2], ARGV[i]) end
at = at + nManifest
for i = at, at + nReports - 1 do redis.call('RPUSH', KEYS[3], ARGV[i]) end
at = at + nReports
${settleChunkKeysLua('KEYS[4]')}
local member = ARGV[1] .. ' '
local cached, settled = 0, 0
for i = at, at + nCached - 1 do
  local was = redis.call('HGET', KEYS[4], ARGV[i])
  if was and was ~= 'r' then
    redis.call('HSET', KEYS[4], ARGV[i], 'r')
    cached = cached + 1
    if was == 'f' then redis.call('HINCRBY', meta, 'failed', -1) end
    if was == '' then settled = settled + 1 end
  end
end
at = at + nCached
local mine = '"campaignId":"' .. ARGV[4] .. '"'
for i = 0, nAdded - 1 do
  local data = redis.call('HGET', KEYS[6 + i], 'data')
  if not data or not string.find(data, mine, 1, true) then redis.call('SADD', KEYS[5], member .. string.sub(KEYS[6 + i], jobKeyFrom)) end
end
for i = at, at + nJoined - 1 do
  if redis.call('HGET', KEYS[4], ARGV[i]) ~= 'r' then redis.call('SADD', KEYS[5], member .. ARGV[i]) end
end
at = at + nJoined
local ttl = redis.call('PTTL', meta)
local dk = 6 + nAdded
for i = 0, nDeliverables - 1 do
  local channel = ARGV[at + i]
  local state = redis.call('HGET', KEYS[dk + 2 * i], 'state')
  redis.call('HINCRBY', meta, 'dl:' .. channel .. ':wanted', 1)
  redis.call('HINCRBY', meta, 'dlWanted', 1)
  if state == 'done' or state == 'failed' then
    redis.call('HINCRBY', meta, 'dl:' .. channel .. ':' .. (state == 'done' and 'cut' or 'failed'), 1)
    redis.call('HINCRBY', meta, 'dlSettled', 1)
  else
    local waiters = KEYS[dk + 2 * i + 1]
    redis.call('SADD', waiters, ARGV[4] .. ' ' .. channel)
    if ttl > 0 then redis.call('PEXPIRE', waiters, ttl) end
  end
end
redis.call('HINCRBY', meta, 'cached', cached)
redis.call('HINCRBY', meta, 'rendered', cached)
for field, n in pairs(cjson.decode(ARGV[3])) do redis.call('HINCRBY', meta, field, n) end
redis.call('HINCRBY', meta, 'fanOutEntries', tonumber(ARGV[2]))
redis.call('HSET', meta, 'fanOutChunk', seq + 1)
if redis.call('EXISTS', KEYS[4]) == 1 then
  local n = redis.call('HLEN', KEYS[4]) - redis.call('HEXISTS', KEYS[4], '#s')
  redis.call('HSET', KEYS[4], '#n', n)
  settle_keys(settled)
end
if ttl > 0 then
  for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
`);
