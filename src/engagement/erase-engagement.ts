import type { Redis } from 'ioredis';
import { ALL_CHANNELS, ENGAGEMENT_CAMPAIGNS_KEY, EVENTS_STREAM_KEY, engagementKeys } from './engagement-keys.js';
import { createScriptRunner } from './run-script.js';

/** What an erasure removed from the engagement data. */
export interface EngagementErasure {
  /** Entries of the events stream that named the recipient. */
  events: number;
  /** Aggregate hash fields keyed by the recipient (first touch, seen types, channel count...). */
  aggregateEntries: number;
}

/** Stream entries read per script call: bounds how long one call holds Redis. */
const STREAM_PAGE = 1000;

/**
 * Deletes, in one page of the stream, the entries whose event names the
 * recipient. The JSON is made by JSON.stringify, so `"recipientId":<id as
 * JSON>` followed by `,` or `}` can only be the field itself (a quote inside
 * a string value is always escaped).
 * KEYS[1]: stream. ARGV: exclusive start id ('-' for the first page), count, needle.
 * Returns {deleted, last id read or '' at the end}.
 */
const SCRUB_STREAM = `
local start = ARGV[1]
if start ~= '-' then start = '(' .. start end
local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', tonumber(ARGV[2]))
local needle = ARGV[3]
local deleted = 0
for _, entry in ipairs(entries) do
  local fields = entry[2]
  for f = 2, #fields, 2 do
    local at = string.find(fields[f], needle, 1, true)
    if at then
      local next = string.sub(fields[f], at + #needle, at + #needle)
      if next == ',' or next == '}' then
        deleted = deleted + redis.call('XDEL', KEYS[1], entry[1])
        break
      end
    end
  end
end
if #entries < tonumber(ARGV[2]) then return {deleted, ''} end
return {deleted, entries[#entries][1]}
`;

/**
 * Removes one recipient from the engagement data: their events from the
 * events stream, and every aggregate entry keyed by them in every campaign
 * (first touch, first delivery and response, seen types, channel count,
 * props hash, last click). What is kept: the counters (raw counts, exact
 * uniques, engaged and multi-channel totals), which hold no id, and the
 * HyperLogLogs, which hold no readable id either (a sketch of hashed ids).
 *
 * Ingestion refuses the recipient's events from the moment their tombstone
 * is set (see INGEST_SCRIPT), so nothing comes back after this ran. The
 * stream is read a page at a time: the cost grows with the stream's length
 * (EVENTS_STREAM_MAXLEN), each page holding Redis for about a millisecond.
 */
export async function eraseEngagement(redis: Redis, recipientId: string): Promise<EngagementErasure> {
  const scrub = createScriptRunner(redis, SCRUB_STREAM);
  const needle = `"recipientId":${JSON.stringify(recipientId)}`;
  let events = 0;
  for (let start = '-'; ; ) {
    const [deleted, last] = (await scrub([EVENTS_STREAM_KEY], [start, STREAM_PAGE, needle])) as [number, string];
    events += deleted;
    if (last === '') break;
    start = last;
  }

  let aggregateEntries = 0;
  for (const campaignId of await redis.smembers(ENGAGEMENT_CAMPAIGNS_KEY)) {
    const keys = engagementKeys(campaignId);
    // The campaign's channels, from its counters (`h|<channel>|<type>`, `b|<channel>|<type>`).
    const channels = new Set((await redis.hkeys(keys.counts)).map((field) => field.split('|')[1]!).filter(Boolean));
    const perChannel = [...channels, ALL_CHANNELS].map((channel) => `${channel}|${recipientId}`);
    const tx = redis.multi();
    tx.hdel(keys.seen, ...perChannel);
    tx.hdel(keys.firstTouch, ...perChannel);
    tx.hdel(keys.channelDelivery, ...perChannel);
    tx.hdel(keys.propsHash, ...perChannel);
    for (const key of [keys.channelCount, keys.firstDelivery, keys.firstResponse, keys.lastClick]) tx.hdel(key, recipientId);
    const results = (await tx.exec()) ?? [];
    for (const [err, removed] of results) {
      if (err) throw err;
      aggregateEntries += Number(removed);
    }
  }
  return { events, aggregateEntries };
}
