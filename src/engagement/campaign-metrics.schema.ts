import { z } from 'zod';
import { conversionMetricsSchema, ltvMetricsSchema } from './ltv-metrics.schema.js';

const count = z.number().int().min(0);
/** A ratio in [0, 1], null when its denominator is 0. */
const rate = z.number().min(0).max(1).nullable();

/**
 * The funnel, in unique recipients (human events only; bots are counted apart):
 * delivered, opened (impression, fetched by a person's mail client),
 * machineOpened (an open fetched by a privacy proxy only, e.g. Apple Mail
 * Privacy Protection: apart from `opened`), viewed (page_view), played
 * (play), completed (complete), clicked (cta_click), shared (share).
 * completionRate = completed / played; clickThroughRate = clicked / delivered.
 */
export const funnelSchema = z.object({
  delivered: count,
  opened: count,
  machineOpened: count,
  viewed: count,
  played: count,
  completed: count,
  clicked: count,
  shared: count,
  completionRate: rate,
  clickThroughRate: rate,
});
export type Funnel = z.infer<typeof funnelSchema>;

/** One channel's (or the whole campaign's) figures. `events` are raw human event counts per interaction type. */
export const channelMetricsSchema = z.object({
  funnel: funnelSchema,
  events: z.record(z.string(), count),
  /** Events flagged as bots or link scanners (not in the funnel). */
  botEvents: count,
  /** Opens fetched by a privacy proxy (not in `events.impression`). */
  machineOpens: count,
});
export type ChannelMetrics = z.infer<typeof channelMetricsSchema>;

/** `GET /v1/campaigns/:id/metrics`. */
export const campaignMetricsSchema = z.object({
  campaignId: z.string(),
  generatedAt: z.string(),
  overall: channelMetricsSchema,
  channels: z.record(z.string(), channelMetricsSchema),
  /**
   * Recipients engaged in more than one channel / recipients engaged at all.
   * Engaged: any human response but an open (page view, play, progress,
   * complete, click, share); bots and machine-likely opens never count.
   */
  crossChannel: z.object({ engagedRecipients: count, multiChannelRecipients: count, rate }),
  /**
   * From a recipient's first channel touch (per channel, the sender's
   * `delivered` when an ESP or SMS provider reported one, else the farm's;
   * the earliest over channels) to their first engagement, over recipients
   * with both. Percentiles are nearest-rank (pN = the ceil(N/100 * n)-th
   * smallest sample); an engagement before the touch counts as 0.
   */
  timeToFirstResponse: z.object({
    samples: count,
    p50Ms: z.number().nullable(),
    p90Ms: z.number().nullable(),
    /** Buckets by upper bound (ms, inclusive); the last bound is Infinity sent as null. */
    histogram: z.array(z.object({ upToMs: z.number().nullable(), count })),
  }),
  /**
   * Props-hash consistency (between channels): among recipients delivered in
   * more than one channel (with a propsHash), the share whose every channel
   * was rendered from the same props hash.
   * `drifted` names the first 100 that were not, with each channel's hash.
   */
  consistency: z.object({
    recipientsCompared: count,
    consistent: count,
    score: rate,
    driftedTotal: count,
    drifted: z.array(z.object({ recipientId: z.string(), channels: z.record(z.string(), z.string()) })),
  }),
  /**
   * Profile-version consistency (against time): among events that carry the
   * profile version they showed (sticky links: server-made events, and the
   * landing page's beacons through its pin) and whose moment the profile's
   * history covers, the share that showed the version current at that
   * moment; overall and per channel.
   */
  versionConsistency: z.object({
    eventsCompared: count,
    consistent: count,
    score: rate,
    channels: z.record(z.string(), z.object({ eventsCompared: count, consistent: count, score: rate })),
  }),
  /**
   * Data latency per channel: from a profile update (version 2 and later)
   * to the channel's first event showing that version, over the updates
   * the channel showed. Nearest-rank percentiles.
   */
  dataLatency: z.record(z.string(), z.object({ samples: count, p50Ms: z.number().nullable(), p90Ms: z.number().nullable() })),
  conversions: conversionMetricsSchema,
  ltv: ltvMetricsSchema,
});
export type CampaignMetrics = z.infer<typeof campaignMetricsSchema>;
