import type { Redis } from 'ioredis';
import type { CampaignMetrics, ChannelMetrics } from './campaign-metrics.schema.js';
import { ALL_CHANNELS, engagementKeys } from './engagement-keys.js';
import { ENGAGEMENT_EVENT_TYPES, type EngagementEventType } from './engagement-event.schema.js';
import { nearestRank, ttfrHistogram } from './nearest-rank.js';

/** Recipients named in `consistency.drifted`. */
const MAX_DRIFTED = 100;
/** HSCAN page size. */
const SCAN_COUNT = 1000;

export type EngagementMetrics = ReturnType<typeof createEngagementMetrics>;

/**
 * Campaign metrics from the aggregates the ingest script keeps. Funnel and
 * cross-channel figures are read from exact counters (two HGETALLs of small
 * hashes); time to first response and consistency scan the per-recipient
 * hashes (HSCAN, a page at a time, so Redis is never blocked).
 */
export function createEngagementMetrics(redis: Redis) {
  async function* scan(key: string): AsyncGenerator<[string, string][]> {
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(key, cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      const page: [string, string][] = [];
      for (let i = 0; i < flat.length; i += 2) page.push([flat[i]!, flat[i + 1]!]);
      if (page.length > 0) yield page;
    } while (cursor !== '0');
  }

  async function timeToFirstResponse(keys: ReturnType<typeof engagementKeys>): Promise<CampaignMetrics['timeToFirstResponse']> {
    const samples: number[] = [];
    for await (const page of scan(keys.firstResponse)) {
      const delivered = await redis.hmget(keys.firstDelivery, ...page.map(([recipient]) => recipient));
      page.forEach(([, response], i) => {
        const delivery = delivered[i];
        // A response before the delivery (clocks, a forwarded link) counts as 0.
        if (delivery != null) samples.push(Math.max(0, Number(response) - Number(delivery)));
      });
    }
    samples.sort((a, b) => a - b);
    return { samples: samples.length, p50Ms: nearestRank(samples, 50), p90Ms: nearestRank(samples, 90), histogram: ttfrHistogram(samples) };
  }

  async function consistency(keys: ReturnType<typeof engagementKeys>): Promise<CampaignMetrics['consistency']> {
    const byRecipient = new Map<string, Record<string, string>>();
    for await (const page of scan(keys.propsHash)) {
      for (const [field, value] of page) {
        const bar = field.indexOf('|');
        const channel = field.slice(0, bar);
        const recipient = field.slice(bar + 1);
        const hash = value.slice(value.indexOf(':') + 1);
        const channels = byRecipient.get(recipient) ?? {};
        channels[channel] = hash;
        byRecipient.set(recipient, channels);
      }
    }
    let compared = 0;
    let consistent = 0;
    const drifted: { recipientId: string; channels: Record<string, string> }[] = [];
    for (const [recipientId, channels] of byRecipient) {
      const hashes = Object.values(channels);
      if (hashes.length < 2) continue;
      compared++;
      if (hashes.every((hash) => hash === hashes[0])) consistent++;
      else drifted.push({ recipientId, channels: sortObject(channels) });
    }
    drifted.sort((a, b) => (a.recipientId < b.recipientId ? -1 : a.recipientId > b.recipientId ? 1 : 0));
    return {
      recipientsCompared: compared,
      consistent,
      score: compared === 0 ? null : consistent / compared,
      driftedTotal: drifted.length,
      drifted: drifted.slice(0, MAX_DRIFTED),
    };
  }

  return {
    /** `GET /v1/campaigns/:id/metrics`. An unknown campaign (or one with no events yet) reads as all zeros. */
    async campaignMetrics(campaignId: string, now: () => number = Date.now): Promise<CampaignMetrics> {
      const keys = engagementKeys(campaignId);
      const [counts, uniques, ttfr, consistent] = await Promise.all([
        redis.hgetall(keys.counts),
        redis.hgetall(keys.uniques),
        timeToFirstResponse(keys),
        consistency(keys),
      ]);
      const channels = new Set<string>();
      for (const field of Object.keys(counts)) channels.add(field.split('|')[1]!);
      for (const field of Object.keys(uniques)) {
        const [channel] = field.split('|');
        if (channel !== ALL_CHANNELS && channel !== 'x') channels.add(channel!);
      }
      const num = (hash: Record<string, string>, field: string) => Number(hash[field] ?? 0);
      const perChannel: Record<string, ChannelMetrics> = {};
      for (const channel of [...channels].sort()) {
        perChannel[channel] = {
          funnel: funnel((type) => num(uniques, `${channel}|${type}`)),
          events: Object.fromEntries(ENGAGEMENT_EVENT_TYPES.map((type) => [type, num(counts, `h|${channel}|${type}`)])),
          botEvents: ENGAGEMENT_EVENT_TYPES.reduce((sum, type) => sum + num(counts, `b|${channel}|${type}`), 0),
        };
      }
      const all = Object.values(perChannel);
      const engaged = num(uniques, 'x|engaged');
      const multi = num(uniques, 'x|multi');
      return {
        campaignId,
        generatedAt: new Date(now()).toISOString(),
        overall: {
          funnel: funnel((type) => num(uniques, `${ALL_CHANNELS}|${type}`)),
          events: Object.fromEntries(ENGAGEMENT_EVENT_TYPES.map((type) => [type, all.reduce((sum, c) => sum + (c.events[type] ?? 0), 0)])),
          botEvents: all.reduce((sum, c) => sum + c.botEvents, 0),
        },
        channels: perChannel,
        crossChannel: { engagedRecipients: engaged, multiChannelRecipients: multi, rate: engaged === 0 ? null : multi / engaged },
        timeToFirstResponse: ttfr,
        consistency: consistent,
      };
    },

    /** Approximate unique recipients of one type (HyperLogLog, ~0.8% error), per channel or all (`*`). */
    async approximateUniques(campaignId: string, channel: string, type: EngagementEventType): Promise<number> {
      return redis.pfcount(engagementKeys(campaignId).hll(channel, type));
    },
  };
}

function funnel(unique: (type: EngagementEventType) => number): ChannelMetrics['funnel'] {
  const delivered = unique('delivered');
  const played = unique('play');
  const completed = unique('complete');
  const clicked = unique('cta_click');
  return {
    delivered,
    opened: unique('impression'),
    viewed: unique('page_view'),
    played,
    completed,
    clicked,
    shared: unique('share'),
    // Clamped: a recipient may complete or click without a recorded play or
    // delivery (an MP4 opened from a forwarded link), and a rate stays a rate.
    completionRate: played === 0 ? null : Math.min(1, completed / played),
    clickThroughRate: delivered === 0 ? null : Math.min(1, clicked / delivered),
  };
}

function sortObject(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
