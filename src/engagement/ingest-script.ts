import { ENGAGEMENT_EVENT_TYPES } from './engagement-event.schema.js';

/** ARGV slots per event in INGEST_SCRIPT. */
export const INGEST_ARGS_PER_EVENT = 11;

/** Per-event result codes of INGEST_SCRIPT. */
export const INGEST_CODE = { duplicate: 0, human: 1, bot: 2, erased: 3 } as const;

const typeBits = ENGAGEMENT_EVENT_TYPES.map((type, i) => `['${type}'] = ${2 ** i}`).join(', ');

/**
 * One call per batch: dedupe, stream append, every aggregate, TTLs.
 *
 * Doing it all server side in one script is what makes ingestion fast (one
 * round trip per batch, no read-modify-write races between API processes)
 * and exact: an event is either a duplicate (nothing changes) or counted in
 * every aggregate at once.
 *
 * Aggregates are exact where the metrics need exactness: a per (recipient,
 * channel) bit set of the types seen turns "first time this recipient did
 * this here" into exact unique counters, and the first response per channel
 * bumps the recipient's channel count, which keeps the engaged and
 * multi-channel totals exact without a scan. The HyperLogLogs are kept for
 * cheap approximate uniques (issue 6). Minimums (first touch, delivery,
 * response) are order-independent, so events may arrive in any order.
 *
 * An event whose recipient was erased (its tombstone key exists) is
 * refused here, atomically with everything else: whichever process sends
 * it, nothing about an erased recipient is stored again. Each campaign with
 * events is listed in a registry set, so an erasure finds every campaign
 * whose aggregates may name the recipient.
 *
 * Timing heuristics need state, so they live here: an `impression` or
 * `cta_click` less than `minDelay` ms after that channel's delivery, or a
 * click on another CTA of the same recipient within `multiCta` ms of the
 * previous one, is a link scanner (flagged bot).
 *
 * KEYS[1]: the events stream, KEYS[2]: the campaign registry set. ARGV:
 * prefix, dedupe TTL s, retention TTL s, stream MAXLEN, minDelay ms,
 * multiCta ms, then per event: id, campaignId, recipientId, channel, type,
 * ts, bot (0/1), propsHash ('' none), ctaId ('' none), the recipient's
 * tombstone key, the event's JSON up to and including `"bot":` (the script
 * ends it with `true}` or `false}`, so the stream holds the final verdict).
 * Returns one code per event: 0 duplicate, 1 human, 2 bot, 3 erased.
 */
export const INGEST_SCRIPT = `
local bits = { ${typeBits} }
local RESPONSE = ${2 ** ENGAGEMENT_EVENT_TYPES.length - 1 - 1}
local prefix, dedupeTtl, retention = ARGV[1], ARGV[2], ARGV[3]
local maxlen, minDelay, multiCta = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local touched = {}
local out = {}
local function minset(key, field, ts, raw)
  local old = redis.call('HGET', key, field)
  if not old or ts < tonumber(old) then redis.call('HSET', key, field, raw) end
  touched[key] = true
end
local n = 0
for i = 7, #ARGV, ${INGEST_ARGS_PER_EVENT} do
  n = n + 1
  local id, cid, rid, ch, typ = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rawTs, bot, ph, cta, tomb, json = ARGV[i + 5], ARGV[i + 6] == '1', ARGV[i + 7], ARGV[i + 8], ARGV[i + 9], ARGV[i + 10]
  local ts = tonumber(rawTs)
  local base = prefix .. cid .. ':'
  if redis.call('EXISTS', tomb) == 1 then
    out[n] = 3
  elseif not redis.call('SET', base .. 'id:' .. id, '1', 'NX', 'EX', dedupeTtl) then
    out[n] = 0
  else
    redis.call('SADD', KEYS[2], cid)
    touched[KEYS[2]] = true
    local cr = ch .. '|' .. rid
    if not bot and (typ == 'impression' or typ == 'cta_click') then
      local d = redis.call('HGET', base .. 'fdc', cr)
      if d and ts - tonumber(d) >= 0 and ts - tonumber(d) < minDelay then bot = true end
    end
    if not bot and typ == 'cta_click' then
      local last = redis.call('HGET', base .. 'click', rid)
      if last then
        local sep = string.find(last, '|', 1, true)
        local lts, lcta = tonumber(string.sub(last, 1, sep - 1)), string.sub(last, sep + 1)
        if lcta ~= cta and math.abs(ts - lts) < multiCta then bot = true end
      end
      if not bot then redis.call('HSET', base .. 'click', rid, rawTs .. '|' .. cta); touched[base .. 'click'] = true end
    end
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'e', json .. (bot and 'true}' or 'false}'))
    touched[base .. 'cnt'] = true
    if bot then
      redis.call('HINCRBY', base .. 'cnt', 'b|' .. ch .. '|' .. typ, 1)
      out[n] = 2
    else
      out[n] = 1
      local b = bits[typ]
      redis.call('HINCRBY', base .. 'cnt', 'h|' .. ch .. '|' .. typ, 1)
      local hc, ha = base .. 'hll:' .. ch .. ':' .. typ, base .. 'hll:*:' .. typ
      redis.call('PFADD', hc, rid)
      redis.call('PFADD', ha, rid)
      touched[hc] = true
      touched[ha] = true
      local seen, uniq = base .. 'seen', base .. 'uniq'
      touched[seen] = true
      touched[uniq] = true
      local m = tonumber(redis.call('HGET', seen, cr) or '0')
      if bit.band(m, b) == 0 then
        redis.call('HSET', seen, cr, m + b)
        redis.call('HINCRBY', uniq, ch .. '|' .. typ, 1)
        if b ~= 1 and bit.band(m, RESPONSE) == 0 then
          local nch = redis.call('HINCRBY', base .. 'nch', rid, 1)
          touched[base .. 'nch'] = true
          if nch == 1 then redis.call('HINCRBY', uniq, 'x|engaged', 1) elseif nch == 2 then redis.call('HINCRBY', uniq, 'x|multi', 1) end
        end
      end
      local am = tonumber(redis.call('HGET', seen, '*|' .. rid) or '0')
      if bit.band(am, b) == 0 then
        redis.call('HSET', seen, '*|' .. rid, am + b)
        redis.call('HINCRBY', uniq, '*|' .. typ, 1)
      end
      minset(base .. 'first', cr, ts, rawTs)
      if typ == 'delivered' then
        minset(base .. 'fd', rid, ts, rawTs)
        minset(base .. 'fdc', cr, ts, rawTs)
        if ph ~= '' then
          local old = redis.call('HGET', base .. 'props', cr)
          local sep = old and string.find(old, ':', 1, true)
          if not old or ts >= tonumber(string.sub(old, 1, sep - 1)) then redis.call('HSET', base .. 'props', cr, rawTs .. ':' .. ph) end
          touched[base .. 'props'] = true
        end
      else
        minset(base .. 'fr', rid, ts, rawTs)
      end
    end
  end
end
for key in pairs(touched) do redis.call('EXPIRE', key, retention) end
return out
`;
