import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { subjectHash } from '../live/index.js';
import { ALL_CHANNELS, ENGAGEMENT_CAMPAIGNS_KEY, EVENTS_STREAM_KEY, clickRefKey, clickRefsOfKey, engagementKeys, type EngagementKeys } from './engagement-keys.js';
import { FLIPPABLE_TYPES } from './ingest-lua-state.js';
import { scrubEventStream, scriptRunner } from '../redis/index.js';
import { scanHash } from './scan-hash.js';

/** What an erasure removed from the engagement data. */
export interface EngagementErasure {
  /** Entries of the events stream that named the recipient. */
  events: number;
  /** Aggregate hash fields keyed by the recipient (touch, first engagement, seen types, timelines, channel count...). */
  aggregateEntries: number;
  /** Conversions whose recipient was removed (their value stays in the campaign's totals, unattributed). */
  conversions: number;
  /** Click references (the conversion pixel's tie to a click) deleted. */
  clickRefs: number;
}

/** Stream entries read per script call: bounds how long one call holds Redis. */
const STREAM_PAGE = 1000;

/**
 * The hash fields of one campaign that name the recipient: fields keyed by
 * the recipient id, by `<channel>|<id>` (every channel the campaign's
 * counters name, and `*`), and by `<channel>|<id>|<type>`.
 */
async function eraseAggregates(redis: Redis, keys: EngagementKeys, recipientId: string): Promise<number> {
  // The campaign's channels, from its counters (`h|`, `b|`, `m|<channel>|<type>`).
  const channels = new Set((await redis.hkeys(keys.counts)).map((field) => field.split('|')[1]!).filter(Boolean));
  const perChannel = [...channels, ALL_CHANNELS].map((channel) => `${channel}|${recipientId}`);
  const tx = redis.multi();
  tx.hdel(keys.seen, ...perChannel);
  tx.hdel(keys.propsHash, ...perChannel);
  tx.hdel(keys.profileVersions, ...perChannel);
  tx.hdel(keys.humanCounts, ...perChannel.flatMap((field) => FLIPPABLE_TYPES.map((type) => `${field}|${type}`)));
  const byRecipient = [keys.channelCount, keys.touch, keys.firstResponse, keys.firstNonClick, keys.timeline, keys.deliveries, keys.opens, keys.clicks, keys.browserConversions];
  for (const key of byRecipient) tx.hdel(key, recipientId);
  let removed = 0;
  for (const [err, count] of (await tx.exec()) ?? []) {
    if (err) throw err;
    removed += Number(count);
  }
  return removed;
}

/**
 * The recipient's conversions (`cv`: `[recipientId, ts, minor, currency,
 * channel]` by event id) are kept for the campaign's totals without anything
 * that leads back to them: a new random field (the event id derives from the
 * order id) and a value with only the amount and currency, which no
 * attribution or cohort can use.
 */
async function anonymiseConversions(redis: Redis, key: string, recipientId: string): Promise<number> {
  const prefix = `[${JSON.stringify(recipientId)},`;
  const found = new Map<string, string>();
  for await (const page of scanHash(redis, key)) {
    for (const [field, raw] of page) if (raw.startsWith(prefix)) found.set(field, raw);
  }
  if (found.size === 0) return 0;
  const tx = redis.multi();
  for (const [field, raw] of found) {
    const [, , minor, currency] = JSON.parse(raw) as [string, number, number, string, string];
    tx.hdel(key, field).hset(key, `erased_${randomBytes(12).toString('base64url')}`, JSON.stringify(['', 0, minor, currency, '']));
  }
  const results = (await tx.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return found.size;
}

/**
 * Removes one recipient from the engagement data: their events from the
 * events stream, with the events' dedupe markers; in every campaign, each aggregate entry keyed by them
 * (first touch and engagement, seen types, human counts, channel count,
 * timeline, deliveries, opens and clicks kept for classification, props
 * hash, browser conversion count); the recipient id from their conversions;
 * and their click references. What is kept: the counters (raw counts, exact
 * uniques, engaged, multi-channel and cohort totals) and the conversions'
 * amounts, which hold no id, and the HyperLogLogs, which hold no readable id
 * either (a sketch of hashed ids).
 *
 * Ingestion refuses the recipient's events from the moment their tombstone
 * is set (see INGEST_SCRIPT), and no click reference is issued for them
 * (createClickRefs), so nothing comes back after this ran. The stream is
 * read a page at a time: the cost grows with the stream's length
 * (EVENTS_STREAM_MAXLEN), each page holding Redis for about a millisecond.
 */
export async function eraseEngagement(redis: Redis, recipientId: string): Promise<EngagementErasure> {
  const scrub = scriptRunner(redis, scrubEventStream);
  const needle = `"recipientId":${JSON.stringify(recipientId)}`;
  let events = 0;
  for (let start = '-'; ; ) {
    const [deleted, last, ...named] = (await scrub([EVENTS_STREAM_KEY], [start, STREAM_PAGE, needle])) as [number, string, ...string[]];
    events += deleted;
    const markers: string[] = [];
    for (let i = 0; i < named.length; i += 2) markers.push(engagementKeys(named[i]!).eventId(named[i + 1]!));
    if (markers.length > 0) await redis.del(...markers);
    if (last === '') break;
    start = last;
  }

  let aggregateEntries = 0;
  let conversions = 0;
  for (const campaignId of await redis.smembers(ENGAGEMENT_CAMPAIGNS_KEY)) {
    const keys = engagementKeys(campaignId);
    aggregateEntries += await eraseAggregates(redis, keys, recipientId);
    conversions += await anonymiseConversions(redis, keys.conversions, recipientId);
  }

  const refsKey = clickRefsOfKey(subjectHash(recipientId));
  const refs = await redis.smembers(refsKey);
  const clickRefs = refs.length === 0 ? 0 : await redis.del(...refs.map(clickRefKey));
  await redis.del(refsKey);
  return { events, aggregateEntries, conversions, clickRefs };
}
