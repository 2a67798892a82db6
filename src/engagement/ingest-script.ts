import { defineScript } from '../redis/index.js';
import { INGEST_LUA_STATE } from './ingest-lua-state.js';

/** ARGV slots per event in INGEST_SCRIPT. */
export const INGEST_ARGS_PER_EVENT = 15;
/** ARGV slots before the first event. */
export const INGEST_HEAD_ARGS = 6;

/** Per-event result codes of INGEST_SCRIPT (the verdict at ingestion, or why nothing was stored). */
export const INGEST_CODE = { duplicate: 0, human: 1, bot: 2, machineOpen: 3, erased: 4 } as const;

/** How ingestion classed an event before the script's timing rules (ARGV "class"). */
export const INGEST_CLASS = { candidate: '0', bot: '1', machineOpen: '2' } as const;

/**
 * One call per batch: dedupe, stream append, every aggregate, TTLs.
 *
 * Doing it all server side in one script is what makes ingestion fast (one
 * round trip per batch, no read-modify-write races between API processes)
 * and exact: an event is either a duplicate (nothing changes) or counted in
 * every aggregate at once.
 *
 * Classification does not depend on arrival order. An open or click is a
 * link scanner's when it falls less than `minDelay` ms after any delivery
 * of its channel (farm or sender), and a click is when another click of the
 * recipient on a different CTA is less than `multiCta` ms away (both are
 * then). Each recipient's deliveries, human opens and candidate clicks are
 * kept (at most `cap` each), so a delivery or click that arrives late flips
 * the stored human events it explains into bots, and every aggregate they
 * were counted in is taken back: exact counts, uniques, engaged channels,
 * first engagement. The stream and the webhooks keep the verdict of the
 * moment they were ingested. HyperLogLogs only ever grow (approximate).
 *
 * An event whose recipient was erased (their tombstone key exists) is
 * refused here, atomically with everything else: whichever process sends
 * it, nothing about an erased recipient is stored again. Each campaign with
 * events is listed in a registry set, so an erasure finds every campaign
 * whose aggregates may name the recipient.
 *
 * Aggregates per campaign (INGEST_HASHES, see engagementKeys): `cnt` raw counts
 * (`h|`, `b|` and `m|` for human, bot and machine-open events per channel
 * and type); `uniq` exact unique recipients per channel (or `*`) and type,
 * plus `x|engaged`, `x|multi` and, among reached recipients, `x|reached`,
 * `x|rengaged`, `x|rmulti`; per recipient `touch` (first channel touch),
 * `fr` (first engagement), `nch` (channels engaged in), `tl` (engagement
 * timeline, for last touch), `dl`, `im`, `ck` (deliveries, human opens,
 * candidate clicks); `props` (consistency), `cv` (conversions) and `pv`
 * (profile versions shown, per channel and recipient).
 *
 * Every key the script touches is declared in KEYS (it builds no key
 * name): KEYS[1] the events stream, KEYS[2] the campaign registry, then
 * each campaign's INGEST_HASHES in that order, then the events' own keys
 * (dedupe marker, the recipient's tombstone, the two HyperLogLogs), each
 * key once. ARGV: dedupe TTL s, retention TTL s, stream MAXLEN, minDelay
 * ms, multiCta ms, list cap, then per event: id, campaignId, recipientId,
 * channel ('-' none), type, ts, class (INGEST_CLASS), detail (delivered:
 * `f` farm or `s` sender, then `:` and the props hash; cta_click: the CTA
 * id; conversion: its `cv` record), the event's JSON up to and including
 * `"bot":` (the script ends it with `true}` or `false}`), then the KEYS
 * index of its campaign's first hash, of its dedupe marker, of its
 * recipient's tombstone, and of its channel's and all channels'
 * HyperLogLog of its type (0 for a conversion: it has none), then the
 * profile version the event showed ('' when none: not a sticky link).
 * Returns one INGEST_CODE per event.
 *
 * Defined here rather than in src/redis/scripts: its Lua is generated from
 * the engagement schema (event types, their bits), which the lower redis
 * layer may not import. It runs through the one runner all the same.
 */
export const INGEST_SCRIPT = defineScript('ingestEvents', `${INGEST_LUA_STATE}
local dedupeTtl, retention, maxlen = ARGV[1], ARGV[2], ARGV[3]
local minDelay, multiCta, cap = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local campaigns, registered = {}, {}
-- A campaign's hashes by name, from KEYS[at] on.
local function campaign(at)
  local c = campaigns[at]
  if not c then
    c = {}
    for j, name in ipairs(HASHES) do c[name] = KEYS[at + j - 1] end
    campaigns[at] = c
  end
  return c
end
local out = {}
local n = 0
for i = ${INGEST_HEAD_ARGS + 1}, #ARGV, ${INGEST_ARGS_PER_EVENT} do
  n = n + 1
  local id, cid, rid, ch, typ = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rawTs, class, detail, json = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  local b = campaign(tonumber(ARGV[i + 9]))
  local idKey, tomb = KEYS[tonumber(ARGV[i + 10])], KEYS[tonumber(ARGV[i + 11])]
  local ts = tonumber(rawTs)
  local cr = ch .. '|' .. rid
  local bot = class == '${INGEST_CLASS.bot}'
  if redis.call('EXISTS', tomb) == 1 then
    out[n] = ${INGEST_CODE.erased}
  elseif not redis.call('SET', idKey, '1', 'NX', 'EX', dedupeTtl) then
    out[n] = 0
  elseif bot then
    hincr(b, 'cnt', 'b|' .. ch .. '|' .. typ, 1)
    out[n] = 2
  elseif typ == 'conversion' then
    hset(b, 'cv', id, detail)
    out[n] = 1
  elseif class == '${INGEST_CLASS.machineOpen}' then
    hincr(b, 'cnt', 'm|' .. ch .. '|' .. typ, 1)
    setBit(b, cr, ch .. '|machine_open', MACHINE)
    setBit(b, '*|' .. rid, '*|machine_open', MACHINE)
    out[n] = 3
  elseif typ == 'delivered' then
    local kind, ph = string.sub(detail, 1, 1), string.sub(detail, 3)
    local deliveries = parse(hget(b, 'dl', rid))
    if #deliveries < cap then
      deliveries[#deliveries + 1] = { ch, kind, rawTs }
      hset(b, 'dl', rid, join(deliveries))
    end
    refreshTouch(b, rid, deliveries)
    local opens, kept = parse(hget(b, 'im', rid)), {}
    for _, o in ipairs(opens) do
      local dt = tonumber(o[2]) - ts
      if o[1] == ch and dt >= 0 and dt < minDelay then flip(b, ch, rid, 'impression') else kept[#kept + 1] = o end
    end
    if #kept ~= #opens then putList(b, 'im', rid, kept) end
    local clicks, flipped = parse(hget(b, 'ck', rid)), false
    for _, c in ipairs(clicks) do
      local dt = tonumber(c[2]) - ts
      if c[4] == 'h' and c[1] == ch and dt >= 0 and dt < minDelay then c[4] = 'b' flipped = true flip(b, ch, rid, 'cta_click') end
    end
    if flipped then putList(b, 'ck', rid, clicks) refreshFirst(b, rid) end
    human(b, ch, rid, typ, 1)
    if ph ~= '' then
      local old = hget(b, 'props', cr)
      local sep = old and string.find(old, ':', 1, true)
      if not old or ts >= tonumber(string.sub(old, 1, sep - 1)) then hset(b, 'props', cr, rawTs .. ':' .. ph) end
    end
    out[n] = 1
  elseif typ == 'impression' then
    bot = nearDelivery(parse(hget(b, 'dl', rid)), ch, ts, minDelay)
    if not bot then
      local opens = parse(hget(b, 'im', rid))
      if #opens < cap then opens[#opens + 1] = { ch, rawTs } putList(b, 'im', rid, opens) end
    end
  elseif typ == 'cta_click' then
    bot = nearDelivery(parse(hget(b, 'dl', rid)), ch, ts, minDelay)
    local clicks, flipped = parse(hget(b, 'ck', rid)), false
    for _, c in ipairs(clicks) do
      if c[3] ~= detail and math.abs(ts - tonumber(c[2])) < multiCta then
        bot = true
        if c[4] == 'h' then c[4] = 'b' flipped = true flip(b, c[1], rid, 'cta_click') end
      end
    end
    if #clicks < cap then clicks[#clicks + 1] = { ch, rawTs, detail, bot and 'b' or 'h' } end
    putList(b, 'ck', rid, clicks)
    if flipped or not bot then refreshFirst(b, rid) end
  else
    local fr = hget(b, 'frn', rid)
    if not fr or ts < tonumber(fr) then hset(b, 'frn', rid, rawTs) end
    fr = hget(b, 'fr', rid)
    if not fr or ts < tonumber(fr) then hset(b, 'fr', rid, rawTs) end
    -- Appended as text; parsed only when full, to drop the oldest engagement.
    local line = hget(b, 'tl', rid)
    local entry = ch .. ',' .. rawTs
    if not line then
      hset(b, 'tl', rid, entry)
    elseif select(2, string.gsub(line, ';', '')) + 1 < cap then
      hset(b, 'tl', rid, line .. ';' .. entry)
    else
      local list = parse(line)
      local oldest = 1
      for k, e in ipairs(list) do if tonumber(e[2]) < tonumber(list[oldest][2]) then oldest = k end end
      table.remove(list, oldest)
      list[#list + 1] = { ch, rawTs }
      hset(b, 'tl', rid, join(list))
    end
  end
  if out[n] == nil then
    if bot then
      hincr(b, 'cnt', 'b|' .. ch .. '|' .. typ, 1)
      out[n] = 2
    else
      human(b, ch, rid, typ, 1)
      out[n] = 1
    end
  end
  local stored = out[n] ~= 0 and out[n] ~= ${INGEST_CODE.erased}
  if stored and not registered[cid] then
    registered[cid] = true
    redis.call('SADD', KEYS[2], cid)
    touched[KEYS[2]] = true
  end
  if out[n] == 1 and typ ~= 'conversion' then
    local pv = ARGV[i + 14]
    if pv ~= '' then recordShown(b, cr, pv, rawTs, cap) end
    local hc, ha = KEYS[tonumber(ARGV[i + 12])], KEYS[tonumber(ARGV[i + 13])]
    redis.call('PFADD', hc, rid)
    redis.call('PFADD', ha, rid)
    touched[hc] = true
    touched[ha] = true
  end
  if stored then redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'e', json .. (out[n] == 2 and 'true}' or 'false}')) end
end
for key in pairs(touched) do redis.call('EXPIRE', key, retention) end
return out
`);
