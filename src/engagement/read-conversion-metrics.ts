import type { Redis } from 'ioredis';
import { computeConversionMetrics, type ConversionMetricsOptions, type ConversionRecord, type RecipientState } from './compute-conversion-metrics.js';
import type { EngagementKeys } from './engagement-keys.js';
import type { ConversionMetrics, LtvMetrics } from './ltv-metrics.schema.js';
import { scanHash } from './scan-hash.js';

/** Recipients looked up per round trip. */
const PAGE = 500;

/**
 * Reads a campaign's conversions (HSCAN of `cv`, deduplicated by event id:
 * HSCAN may return a field twice while the hash is rehashed) and the state
 * of the recipients who converted (pipelined HMGETs, a page at a time),
 * then computes attribution and LTV by cohort. Cohort sizes come from the
 * exact counters; recipients without a conversion are zeros.
 */
export async function readConversionMetrics(
  redis: Redis,
  keys: EngagementKeys,
  uniques: Record<string, string>,
  options: ConversionMetricsOptions,
): Promise<{ conversions: ConversionMetrics; ltv: LtvMetrics }> {
  const byId = new Map<string, ConversionRecord>();
  for await (const page of scanHash(redis, keys.conversions)) {
    for (const [id, raw] of page) {
      const [recipientId, ts, minor, currency] = JSON.parse(raw) as [string, number, number, string, string];
      byId.set(id, { recipientId, ts, minor, currency });
    }
  }
  const recipients = [...new Set([...byId.values()].map((r) => r.recipientId))];
  const state = new Map<string, RecipientState>();
  for (let i = 0; i < recipients.length; i += PAGE) {
    const ids = recipients.slice(i, i + PAGE);
    const replies = await redis
      .pipeline()
      .hmget(keys.touch, ...ids)
      .hmget(keys.firstResponse, ...ids)
      .hmget(keys.channelCount, ...ids)
      .hmget(keys.timeline, ...ids)
      .hmget(keys.clicks, ...ids)
      .exec();
    const [touch, first, nch, timeline, clicks] = (replies ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as (string | null)[];
    }) as [(string | null)[], (string | null)[], (string | null)[], (string | null)[], (string | null)[]];
    ids.forEach((id, k) => {
      const engagements: [string, number][] = [];
      for (const entry of (timeline[k] ?? '').split(';')) {
        const [channel, ts] = entry.split(',');
        if (channel && ts) engagements.push([channel, Number(ts)]);
      }
      for (const entry of (clicks[k] ?? '').split(';')) {
        const [channel, ts, , flag] = entry.split(',');
        if (channel && ts && flag === 'h') engagements.push([channel, Number(ts)]);
      }
      state.set(id, {
        ...(touch[k] != null ? { touch: Number(touch[k]) } : {}),
        ...(first[k] != null ? { firstEngagement: Number(first[k]) } : {}),
        channels: Number(nch[k] ?? 0),
        engagements,
      });
    });
  }
  const num = (field: string) => Number(uniques[field] ?? 0);
  const reached = num('x|reached');
  const engaged = num('x|rengaged');
  const multi = num('x|rmulti');
  const sizes = { multiChannel: multi, singleChannel: engaged - multi, neverEngaged: reached - engaged };
  return computeConversionMetrics(byId.values(), state, sizes, options);
}
