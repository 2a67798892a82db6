import { defineScript } from '../run-script.js';

/**
 * Per key, in one script call: claim it for one fan-out chunk of a campaign
 * (the chunk's own key hash, KEYS[1]), whether a job exists under it, and
 * whether the output index says done.
 *
 * - A key already in the chunk's hash counts as new again: that chunk is
 *   being re-run after a crash before its commit (commitFanOutChunk), which
 *   never counted it (a hook may have recorded its outcome meanwhile).
 * - A key an earlier chunk of the campaign claimed is known by its job (job
 *   id = render key, its data names the campaign): a duplicate row, not new.
 *   Earlier chunks' hashes are not read (they are deleted once settled), so
 *   a key repeated after its job was removed is claimed again and counted
 *   as a cache hit (bit 4) rather than as a duplicate.
 *
 * The hash lives as long as the campaign (its meta's TTL) from its first
 * claim on, so a chunk never committed (a fan-out that failed, a stale
 * runner's claim) does not outlive it.
 *
 * Returns a bit set per key: 1 new to this campaign, 2 a job exists, 4
 * indexed as done. KEYS: the chunk's key hash, the campaign's meta, then
 * each key's job hash and index hash; ARGV: the campaign id, the length of
 * the job hashes' prefix (the queue's `toKey('')`). Each render key is the
 * rest of its job hash's name: it travels once, as part of a key, not again
 * in ARGV (issue 15: a 64-character key three times per row). One call per
 * chunk instead of three commands per key: fan-out is measured against a
 * bare addBulk loop.
 */
/** Fields per HMGET/HSET call: well under the Lua stack's limit on unpack (about 8000 values). */
const BATCH = 1000;

export const claimCampaignKeys = defineScript('claimCampaignKeys', `
local out = {}
local mine = '"campaignId":"' .. ARGV[1] .. '"'
local from = tonumber(ARGV[2]) + 1
local n = (#KEYS - 2) / 2
-- The chunk's own claims are read with one HMGET and the new ones written with one HSET (in
-- batches under Lua's unpack limit), not one call each per key: the script runs for every row.
local names = {}
for i = 1, n do names[i] = string.sub(KEYS[2 * i + 1], from) end
local claimed = {}
for s = 1, n, ${BATCH} do
  local got = redis.call('HMGET', KEYS[1], unpack(names, s, math.min(n, s + ${BATCH} - 1)))
  for j = 1, #got do claimed[s + j - 1] = got[j] ~= false end
end
local fresh = {}
for i = 1, n do
  local code = 0
  local exists = redis.call('EXISTS', KEYS[2 * i + 1]) == 1
  local earlier = false
  if exists and not claimed[i] then
    local data = redis.call('HGET', KEYS[2 * i + 1], 'data')
    earlier = data and string.find(data, mine, 1, true) ~= nil
  end
  if not earlier then
    if not claimed[i] then
      fresh[#fresh + 1] = names[i]
      fresh[#fresh + 1] = ''
    end
    code = 1
    if exists then code = code + 2 end
    if redis.call('HGET', KEYS[2 * i + 2], 'state') == 'done' then code = code + 4 end
  end
  out[i] = code
end
for s = 1, #fresh, 2 * ${BATCH} do
  redis.call('HSET', KEYS[1], unpack(fresh, s, math.min(#fresh, s + 2 * ${BATCH} - 1)))
end
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ttl) end
return out
`);
