import type { Redis } from 'ioredis';
import type { CampaignMetrics, ChannelMetrics } from './campaign-metrics.schema.js';
import type { ConversionMetricsOptions } from './compute-conversion-metrics.js';
import { ALL_CHANNELS, engagementKeys } from './engagement-keys.js';
import { INTERACTION_EVENT_TYPES, type InteractionEventType } from './engagement-event.schema.js';
import { computeVersionMetrics, type RecipientVersions, type ShownVersion } from './compute-version-metrics.js';
import { nearestRank, ttfrHistogram } from './nearest-rank.js';
import { readConversionMetrics } from './read-conversion-metrics.js';
import { scanHash } from './scan-hash.js';

/** Recipients named in `consistency.drifted`. */
const MAX_DRIFTED = 100;

export type EngagementMetrics = ReturnType<typeof createEngagementMetrics>;

export interface EngagementMetricsOptions extends Partial<ConversionMetricsOptions> {
  /**
   * A recipient's profile versions and when each was written (ISO), oldest
   * first: where sticky links read (the profile store, or the connector's
   * copies). Without it, versionConsistency and dataLatency stay empty.
   */
  profileHistory?: (recipientId: string) => Promise<readonly { version: number; updatedAt: string }[]>;
}

/** Profile histories read at once while the metrics are computed. */
const HISTORY_READS = 50;

/**
 * Campaign metrics from the aggregates the ingest script keeps. Funnel and
 * cross-channel figures are read from exact counters (two HGETALLs of small
 * hashes); time to first response and consistency scan the per-recipient
 * hashes (HSCAN, a page at a time, so Redis is never blocked); conversions
 * scan the campaign's conversions and look up the recipients who converted;
 * version consistency and data latency scan the versions each channel
 * showed and read those recipients' profile histories.
 * Options: the attribution / LTV window (default 30 days) and the smallest
 * significant cohort (default 100 recipients and 10 converters).
 */
export function createEngagementMetrics(redis: Redis, options: EngagementMetricsOptions = {}) {
  const conversionOptions: ConversionMetricsOptions = {
    windowMs: options.windowMs ?? 30 * 86_400_000,
    minRecipients: options.minRecipients ?? 100,
    minConverters: options.minConverters ?? 10,
  };

  async function timeToFirstResponse(keys: ReturnType<typeof engagementKeys>): Promise<CampaignMetrics['timeToFirstResponse']> {
    // Keyed by recipient: HSCAN may return a field twice while the hash is rehashed.
    const byRecipient = new Map<string, number>();
    for await (const page of scanHash(redis, keys.firstResponse)) {
      const touches = await redis.hmget(keys.touch, ...page.map(([recipient]) => recipient));
      page.forEach(([recipient, response], i) => {
        const touch = touches[i];
        // An engagement before the touch (clocks, a forwarded link) counts as 0.
        if (touch != null) byRecipient.set(recipient, Math.max(0, Number(response) - Number(touch)));
      });
    }
    const samples = [...byRecipient.values()].sort((a, b) => a - b);
    return { samples: samples.length, p50Ms: nearestRank(samples, 50), p90Ms: nearestRank(samples, 90), histogram: ttfrHistogram(samples) };
  }

  async function consistency(keys: ReturnType<typeof engagementKeys>): Promise<CampaignMetrics['consistency']> {
    const byRecipient = new Map<string, Record<string, string>>();
    for await (const page of scanHash(redis, keys.propsHash)) {
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

  /** What each channel showed (the `pv` aggregate), with each recipient's profile history. */
  async function versionMetrics(keys: ReturnType<typeof engagementKeys>): Promise<Pick<CampaignMetrics, 'versionConsistency' | 'dataLatency'>> {
    const shown = new Map<string, Map<string, ShownVersion[]>>();
    const history = options.profileHistory;
    if (history) {
      for await (const page of scanHash(redis, keys.profileVersions)) {
        for (const [field, value] of page) {
          const bar = field.indexOf('|');
          const recipient = field.slice(bar + 1);
          const channels = shown.get(recipient) ?? new Map<string, ShownVersion[]>();
          // Set, not appended: HSCAN may return a field twice.
          channels.set(field.slice(0, bar), value.split(';').map((entry) => ({ version: Number(entry.slice(0, entry.indexOf(','))), ts: Number(entry.slice(entry.indexOf(',') + 1)) })));
          shown.set(recipient, channels);
        }
      }
    }
    const recipients: RecipientVersions[] = [];
    const ids = [...shown.keys()];
    for (let start = 0; start < ids.length; start += HISTORY_READS) {
      const batch = ids.slice(start, start + HISTORY_READS);
      const histories = await Promise.all(batch.map((id) => history!(id)));
      batch.forEach((id, i) => recipients.push({ channels: shown.get(id)!, history: histories[i]!.map((h) => ({ version: h.version, at: Date.parse(h.updatedAt) })) }));
    }
    return computeVersionMetrics(recipients);
  }

  return {
    /** `GET /v1/campaigns/:id/metrics`. An unknown campaign (or one with no events yet) reads as all zeros. */
    async campaignMetrics(campaignId: string, now: () => number = Date.now): Promise<CampaignMetrics> {
      const keys = engagementKeys(campaignId);
      const [counts, uniques, ttfr, consistent, versions] = await Promise.all([
        redis.hgetall(keys.counts),
        redis.hgetall(keys.uniques),
        timeToFirstResponse(keys),
        consistency(keys),
        versionMetrics(keys),
      ]);
      const value = await readConversionMetrics(redis, keys, uniques, conversionOptions);
      const channels = new Set<string>();
      for (const field of Object.keys(counts)) {
        const channel = field.split('|')[1]!;
        if (channel !== '-') channels.add(channel);
      }
      for (const field of Object.keys(uniques)) {
        const [channel] = field.split('|');
        if (channel !== ALL_CHANNELS && channel !== 'x') channels.add(channel!);
      }
      const num = (hash: Record<string, string>, field: string) => Number(hash[field] ?? 0);
      const perChannel: Record<string, ChannelMetrics> = {};
      for (const channel of [...channels].sort()) {
        perChannel[channel] = {
          funnel: funnel((type) => num(uniques, `${channel}|${type}`)),
          events: Object.fromEntries(INTERACTION_EVENT_TYPES.map((type) => [type, num(counts, `h|${channel}|${type}`)])),
          botEvents: [...INTERACTION_EVENT_TYPES, 'conversion'].reduce((sum, type) => sum + num(counts, `b|${channel}|${type}`), 0),
          machineOpens: num(counts, `m|${channel}|impression`),
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
          events: Object.fromEntries(INTERACTION_EVENT_TYPES.map((type) => [type, all.reduce((sum, c) => sum + (c.events[type] ?? 0), 0)])),
          // Bot conversions without a channel are counted under '-'.
          botEvents: all.reduce((sum, c) => sum + c.botEvents, 0) + num(counts, 'b|-|conversion'),
          machineOpens: all.reduce((sum, c) => sum + c.machineOpens, 0),
        },
        channels: perChannel,
        crossChannel: { engagedRecipients: engaged, multiChannelRecipients: multi, rate: engaged === 0 ? null : multi / engaged },
        timeToFirstResponse: ttfr,
        consistency: consistent,
        ...versions,
        ...value,
      };
    },

    /** Approximate unique recipients of one type (HyperLogLog, ~0.8% error), per channel or all (`*`). */
    async approximateUniques(campaignId: string, channel: string, type: InteractionEventType): Promise<number> {
      return redis.pfcount(engagementKeys(campaignId).hll(channel, type));
    },
  };
}

function funnel(unique: (type: InteractionEventType | 'machine_open') => number): ChannelMetrics['funnel'] {
  const delivered = unique('delivered');
  const played = unique('play');
  const completed = unique('complete');
  const clicked = unique('cta_click');
  return {
    delivered,
    opened: unique('impression'),
    machineOpened: unique('machine_open'),
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
