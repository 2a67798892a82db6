import { ENGAGEMENT_TYPES, INTERACTION_EVENT_TYPES } from './engagement-event.schema.js';
import type { EngagementKeys } from './engagement-keys.js';

/** Bit of each interaction type in a (channel, recipient) `seen` bit set. */
export const TYPE_BITS: Readonly<Record<string, number>> = Object.fromEntries(INTERACTION_EVENT_TYPES.map((type, i) => [type, 2 ** i]));
/** The extra `seen` bit of a machine-likely open (not a type of its own). */
export const MACHINE_OPEN_BIT = 2 ** INTERACTION_EVENT_TYPES.length;
const ENGAGE_BITS = ENGAGEMENT_TYPES.reduce((sum, type) => sum + TYPE_BITS[type]!, 0);

/** The human events that a later delivery or click can take back (counted per recipient in `hum`). */
export const FLIPPABLE_TYPES = ['impression', 'cta_click'] as const;

/** A campaign's hashes that INGEST_SCRIPT reads and writes, by the name its Lua gives them, in KEYS order. */
export const INGEST_HASHES = ['cnt', 'uniq', 'seen', 'hum', 'nch', 'touch', 'fr', 'frn', 'tl', 'dl', 'im', 'ck', 'props', 'cv', 'pv'] as const;

/** The keys of a campaign's INGEST_HASHES, in that order (the script declares each in KEYS). */
export function ingestHashKeys(k: EngagementKeys): string[] {
  const byName: Record<(typeof INGEST_HASHES)[number], string> = {
    cnt: k.counts,
    uniq: k.uniques,
    seen: k.seen,
    hum: k.humanCounts,
    nch: k.channelCount,
    touch: k.touch,
    fr: k.firstResponse,
    frn: k.firstNonClick,
    tl: k.timeline,
    dl: k.deliveries,
    im: k.opens,
    ck: k.clicks,
    props: k.propsHash,
    cv: k.conversions,
    pv: k.profileVersions,
  };
  return INGEST_HASHES.map((name) => byName[name]);
}

/**
 * The per-recipient state helpers of INGEST_SCRIPT (Lua, prepended to it).
 *
 * Lists are hash values of `;`-separated entries of `,`-separated fields
 * (channel names and CTA ids never hold either; an empty field is written
 * `-`). Counts that can go down again (a human open or click later found
 * to be a scanner's) are kept per (channel, recipient, type) in `hum`, so a
 * unique recipient is only taken off when its last human event of the type
 * is. `b` is the campaign's table of hash keys (INGEST_HASHES names to
 * KEYS entries: the script builds no key name), `ch` a channel, `rid` a
 * recipient.
 */
export const INGEST_LUA_STATE = `
local bits = { ${INTERACTION_EVENT_TYPES.map((t) => `['${t}'] = ${TYPE_BITS[t]}`).join(', ')} }
local MACHINE, ENGAGE = ${MACHINE_OPEN_BIT}, ${ENGAGE_BITS}
local FLIPPABLE = { ${FLIPPABLE_TYPES.map((t) => `${t} = true`).join(', ')} }
local HASHES = { ${INGEST_HASHES.map((name) => `'${name}'`).join(', ')} }
local touched = {}

local function parse(s)
  local list = {}
  if s then
    for entry in string.gmatch(s, '[^;]+') do
      local fields = {}
      for f in string.gmatch(entry, '[^,]+') do fields[#fields + 1] = f end
      list[#list + 1] = fields
    end
  end
  return list
end
local function join(list)
  local parts = {}
  for i, fields in ipairs(list) do parts[i] = table.concat(fields, ',') end
  return table.concat(parts, ';')
end
local function hget(b, name, field) return redis.call('HGET', b[name], field) end
local function hset(b, name, field, value) touched[b[name]] = true redis.call('HSET', b[name], field, value) end
local function hdel(b, name, field) redis.call('HDEL', b[name], field) end
local function putList(b, name, rid, list) if #list == 0 then hdel(b, name, rid) else hset(b, name, rid, join(list)) end end
local function hincr(b, name, field, by) touched[b[name]] = true return redis.call('HINCRBY', b[name], field, by) end

-- One bit of a seen set, with the unique counter that goes with it.
local function setBit(b, field, uniq, flag)
  local m = tonumber(hget(b, 'seen', field) or '0')
  if bit.band(m, flag) == 0 then hset(b, 'seen', field, m + flag) hincr(b, 'uniq', uniq, 1) end
end

-- A human event of type typ counted (by = 1) or taken back (by = -1) in one
-- scope (a channel, or '*' for all): its seen bit and unique counter follow
-- the count of human events of the type (opens and clicks can be taken back;
-- the other types only ever add). Returns the scope's bit set before and after.
local function mark(b, field, uniq, typ, by)
  local flag = bits[typ]
  local m = tonumber(hget(b, 'seen', field) or '0')
  local had = bit.band(m, flag) ~= 0
  local has = true
  if FLIPPABLE[typ] then
    local n = hincr(b, 'hum', field .. '|' .. typ, by)
    if n <= 0 then hdel(b, 'hum', field .. '|' .. typ) has = false end
  end
  if had == has then return m, m end
  local m2 = has and m + flag or m - flag
  if m2 == 0 then hdel(b, 'seen', field) else hset(b, 'seen', field, m2) end
  hincr(b, 'uniq', uniq, has and 1 or -1)
  return m, m2
end

-- The recipient engaged in one channel more (d = 1) or less (d = -1): the
-- engaged and multi-channel totals, also among reached recipients (LTV cohorts).
local function channelCount(b, rid, d)
  local n = hincr(b, 'nch', rid, d)
  local reached = redis.call('HEXISTS', b.touch, rid) == 1
  local function both(field, by) hincr(b, 'uniq', 'x|' .. field, by) if reached then hincr(b, 'uniq', 'x|r' .. field, by) end end
  if d > 0 then
    if n == 1 then both('engaged', 1) elseif n == 2 then both('multi', 1) end
  else
    if n <= 0 then hdel(b, 'nch', rid) both('engaged', -1) elseif n == 1 then both('multi', -1) end
  end
end

-- A human event of a type counted (by = 1) or taken back (by = -1): raw
-- count, uniques per channel and overall, and the channels engaged in.
local function human(b, ch, rid, typ, by)
  hincr(b, 'cnt', 'h|' .. ch .. '|' .. typ, by)
  local before, after = mark(b, ch .. '|' .. rid, ch .. '|' .. typ, typ, by)
  mark(b, '*|' .. rid, '*|' .. typ, typ, by)
  local was, is = bit.band(before, ENGAGE) ~= 0, bit.band(after, ENGAGE) ~= 0
  if was ~= is then channelCount(b, rid, is and 1 or -1) end
end

-- A stored human open or click turned out to be a scanner's.
local function flip(b, ch, rid, typ)
  human(b, ch, rid, typ, -1)
  hincr(b, 'cnt', 'b|' .. ch .. '|' .. typ, 1)
end

-- First engagement: the earliest human engagement other than a click
-- (frn, only ever lower) or the earliest human click (which may flip).
local function refreshFirst(b, rid)
  local raw = hget(b, 'frn', rid)
  local best = raw and tonumber(raw) or math.huge
  for _, c in ipairs(parse(hget(b, 'ck', rid))) do
    if c[4] == 'h' and tonumber(c[2]) < best then best, raw = tonumber(c[2]), c[2] end
  end
  if raw then hset(b, 'fr', rid, raw) else hdel(b, 'fr', rid) end
end

-- A channel's touch: the sender's earliest delivery when it reported one, else the farm's.
local function refreshTouch(b, rid, deliveries)
  local best, bestRaw = math.huge, nil
  local byChannel = {}
  for _, d in ipairs(deliveries) do
    local c = byChannel[d[1]] or {}
    local t = tonumber(d[3])
    if not c[d[2]] or t < tonumber(c[d[2]]) then c[d[2]] = d[3] end
    byChannel[d[1]] = c
  end
  for _, c in pairs(byChannel) do
    local raw = c.s or c.f
    if tonumber(raw) < best then best, bestRaw = tonumber(raw), raw end
  end
  local had = redis.call('HEXISTS', b.touch, rid) == 1
  hset(b, 'touch', rid, bestRaw)
  if not had then
    hincr(b, 'uniq', 'x|reached', 1)
    local n = tonumber(hget(b, 'nch', rid) or '0')
    if n >= 1 then hincr(b, 'uniq', 'x|rengaged', 1) end
    if n >= 2 then hincr(b, 'uniq', 'x|rmulti', 1) end
  end
end

-- The profile version a human event of a (channel, recipient) showed, kept
-- as \`version,ts\` entries (at most cap). Once full, the earliest showing of
-- each version is still kept (data latency reads it): an earlier event of a
-- listed version takes its place, and a version not listed yet takes the
-- place of the latest entry of a version listed more than once.
local function recordShown(b, cr, pv, rawTs, cap)
  local list = parse(hget(b, 'pv', cr))
  if #list < cap then
    list[#list + 1] = { pv, rawTs }
    hset(b, 'pv', cr, join(list))
    return
  end
  local count, at = {}, nil
  for _, e in ipairs(list) do count[e[1]] = (count[e[1]] or 0) + 1 end
  if count[pv] then
    for k, e in ipairs(list) do
      if e[1] == pv and (not at or tonumber(e[2]) < tonumber(list[at][2])) then at = k end
    end
    if tonumber(rawTs) >= tonumber(list[at][2]) then return end
  else
    for k, e in ipairs(list) do
      if count[e[1]] > 1 and (not at or tonumber(e[2]) > tonumber(list[at][2])) then at = k end
    end
    if not at then return end
  end
  list[at] = { pv, rawTs }
  hset(b, 'pv', cr, join(list))
end

local function nearDelivery(deliveries, ch, ts, minDelay)
  for _, d in ipairs(deliveries) do
    if d[1] == ch then
      local dt = ts - tonumber(d[3])
      if dt >= 0 and dt < minDelay then return true end
    end
  end
  return false
end
`;
