import { INGEST_LUA_STATE } from './ingest-lua-state.js';

/** ARGV slots per event in INGEST_SCRIPT. */
export const INGEST_ARGS_PER_EVENT = 9;
/** ARGV slots before the first event. */
export const INGEST_HEAD_ARGS = 7;

/** Per-event result codes of INGEST_SCRIPT (the verdict at ingestion). */
export const INGEST_CODE = { duplicate: 0, human: 1, bot: 2, machineOpen: 3 } as const;

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
 * Aggregates per campaign (`<prefix><campaignId>:`): `cnt` raw counts
 * (`h|`, `b|` and `m|` for human, bot and machine-open events per channel
 * and type); `uniq` exact unique recipients per channel (or `*`) and type,
 * plus `x|engaged`, `x|multi` and, among reached recipients, `x|reached`,
 * `x|rengaged`, `x|rmulti`; per recipient `touch` (first channel touch),
 * `fr` (first engagement), `nch` (channels engaged in), `tl` (engagement
 * timeline, for last touch), `dl`, `im`, `ck` (deliveries, human opens,
 * candidate clicks); `props` (consistency) and `cv` (conversions).
 *
 * KEYS[1]: the events stream. ARGV: prefix, dedupe TTL s, retention TTL s,
 * stream MAXLEN, minDelay ms, multiCta ms, list cap, then per event: id,
 * campaignId, recipientId, channel ('-' none), type, ts, class (INGEST_CLASS),
 * detail (delivered: `f` farm or `s` sender, then `:` and the props hash;
 * cta_click: the CTA id; conversion: its `cv` record), the event's JSON up
 * to and including `"bot":` (the script ends it with `true}` or `false}`).
 * Returns one INGEST_CODE per event.
 */
export const INGEST_SCRIPT = `${INGEST_LUA_STATE}
local prefix, dedupeTtl, retention = ARGV[1], ARGV[2], ARGV[3]
local maxlen, minDelay, multiCta, cap = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local out = {}
local n = 0
for i = ${INGEST_HEAD_ARGS + 1}, #ARGV, ${INGEST_ARGS_PER_EVENT} do
  n = n + 1
  local id, cid, rid, ch, typ = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rawTs, class, detail, json = ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  local ts = tonumber(rawTs)
  local b = prefix .. cid .. ':'
  local cr = ch .. '|' .. rid
  local bot = class == '${INGEST_CLASS.bot}'
  if not redis.call('SET', b .. 'id:' .. id, '1', 'NX', 'EX', dedupeTtl) then
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
  if out[n] == 1 and typ ~= 'conversion' then
    local hc, ha = b .. 'hll:' .. ch .. ':' .. typ, b .. 'hll:*:' .. typ
    redis.call('PFADD', hc, rid)
    redis.call('PFADD', ha, rid)
    touched[hc] = true
    touched[ha] = true
  end
  if out[n] ~= 0 then redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', 'e', json .. (out[n] == 2 and 'true}' or 'false}')) end
end
for key in pairs(touched) do redis.call('EXPIRE', key, retention) end
return out
`;
