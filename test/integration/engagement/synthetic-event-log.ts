import { createHash } from 'node:crypto';
import type { CampaignMetrics } from '../../../src/engagement/index.js';
import { ENGAGEMENT_EVENT_TYPES, type EngagementEvent, type EngagementEventType } from '../../../src/engagement/index.js';

/** mulberry32: a small seeded PRNG, so a failing log can be regenerated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticLog {
  campaignId: string;
  /** Deliveries (ingested first, so the scanner timing rule sees them). */
  deliveries: EngagementEvent[];
  /** Human responses and timing-flagged scanner clicks, trusted bots included (bot: true). */
  responses: EngagementEvent[];
  /** Events sent by a scanner user agent (flagged by classifyClient). */
  scannerBatch: EngagementEvent[];
}

const CHANNELS = ['email', 'sms', 'web'] as const;
const RESPONSES = ENGAGEMENT_EVENT_TYPES.filter((t) => t !== 'delivered');
const T0 = 1_750_000_000_000;
const MIN = 60_000;
/** The histogram's bounds: 1 min, 5 min, 15 min, 1 h, 6 h, 24 h, 3 d, unbounded. */
const BOUNDS = [MIN, 5 * MIN, 15 * MIN, 60 * MIN, 360 * MIN, 1440 * MIN, 3 * 1440 * MIN, null] as const;

/**
 * A campaign's event log with every kind of case the metrics must get
 * right: several channels per recipient, repeated deliveries (the earliest
 * counts for timing, the latest for props), drifted props hashes, responses
 * before the delivery, responses in channels never delivered, scanner clicks
 * right after delivery, trusted bot events and a scanner user agent.
 */
export function generateSyntheticLog(seed: number, recipients: number, minDelayMs = 2000): SyntheticLog {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const campaignId = `cmp-synth-${seed}`;
  let serial = 0;
  const event = (type: EngagementEventType, recipientId: string, channel: string, ts: number, meta: Record<string, string> = {}, bot = false): EngagementEvent => ({
    id: `ev${seed}x${(serial++).toString(36).padStart(6, '0')}`,
    type,
    campaignId,
    recipientId,
    channel,
    templateId: 'year-recap',
    ts: Math.round(ts),
    meta,
    bot,
  });
  const deliveries: EngagementEvent[] = [];
  const responses: EngagementEvent[] = [];
  const scannerBatch: EngagementEvent[] = [];
  for (let r = 0; r < recipients; r++) {
    const rid = `r${r}`;
    const props = createHash('sha256').update(`props-${seed}-${r}`).digest('hex');
    const delivered = CHANNELS.filter(() => random() < 0.7);
    const firstDelivery: Record<string, number> = {};
    for (const channel of delivered) {
      const at = T0 + Math.floor(random() * 3_600_000);
      firstDelivery[channel] = at;
      // 12% of recipients have drifted props in one channel.
      const drift = channel === delivered[delivered.length - 1] && delivered.length > 1 && random() < 0.12;
      deliveries.push(event('delivered', rid, channel, at, { propsHash: drift ? `drift-${r}` : props }));
      if (random() < 0.15) {
        // Delivered again later (a re-send): same props, so the latest hash does not change the verdict.
        deliveries.push(event('delivered', rid, channel, at + 60_000 + Math.floor(random() * 60_000), { propsHash: drift ? `drift-${r}` : props }));
      }
      if (random() < 0.2) {
        // A link scanner fetches and clicks at once after delivery.
        responses.push(event(pick(['impression', 'cta_click'] as const), rid, channel, at + Math.floor(random() * (minDelayMs - 1)), { ctaId: 'main' }));
      }
    }
    const active = CHANNELS.filter(() => random() < 0.45);
    for (const channel of active) {
      const base = (firstDelivery[channel] ?? T0 + 1_800_000) + (random() < 0.05 ? -120_000 : 0);
      const count = 1 + Math.floor(random() * 5);
      for (let k = 0; k < count; k++) {
        const type = pick(RESPONSES);
        // Far enough from the delivery (or before it) that no timing rule applies; log-spread delays.
        const delay = random() < 0.5 ? minDelayMs + Math.floor(random() * 600_000) : Math.floor(Math.exp(random() * 13) * 1000) + minDelayMs;
        const ts = base + delay + k * 1500;
        responses.push(event(type, rid, channel, ts, type === 'cta_click' ? { ctaId: 'main' } : {}));
      }
      if (random() < 0.05) responses.push(event(pick(RESPONSES), rid, channel, base + 5_000, {}, true));
    }
    if (random() < 0.1) scannerBatch.push(event('cta_click', rid, pick(CHANNELS), T0 + 7_200_000, { ctaId: 'main' }));
  }
  return { campaignId, deliveries, responses, scannerBatch };
}

/**
 * The metrics of a log, computed straight from its events with none of the
 * production code's data structures: the known answer.
 */
export function expectedMetrics(log: SyntheticLog, minDelayMs = 2000): Omit<CampaignMetrics, 'generatedAt'> {
  const firstDeliveryIn = new Map<string, number>();
  for (const e of log.deliveries) {
    const key = `${e.channel}|${e.recipientId}`;
    firstDeliveryIn.set(key, Math.min(firstDeliveryIn.get(key) ?? Infinity, e.ts));
  }
  const all = [...log.deliveries, ...log.responses, ...log.scannerBatch.map((e) => ({ ...e, bot: true }))];
  const isBot = (e: EngagementEvent) => {
    if (e.bot) return true;
    if (e.type !== 'impression' && e.type !== 'cta_click') return false;
    const d = firstDeliveryIn.get(`${e.channel}|${e.recipientId}`);
    return d !== undefined && e.ts - d >= 0 && e.ts - d < minDelayMs;
  };
  const humans = all.filter((e) => !isBot(e));
  const bots = all.filter(isBot);
  const channels = [...new Set(all.map((e) => e.channel))].sort();
  const uniq = (events: EngagementEvent[], type: EngagementEventType) => new Set(events.filter((e) => e.type === type).map((e) => e.recipientId)).size;
  const funnel = (events: EngagementEvent[]) => {
    const delivered = uniq(events, 'delivered');
    const played = uniq(events, 'play');
    const completed = uniq(events, 'complete');
    const clicked = uniq(events, 'cta_click');
    return {
      delivered,
      opened: uniq(events, 'impression'),
      viewed: uniq(events, 'page_view'),
      played,
      completed,
      clicked,
      shared: uniq(events, 'share'),
      completionRate: played === 0 ? null : Math.min(1, completed / played),
      clickThroughRate: delivered === 0 ? null : Math.min(1, clicked / delivered),
    };
  };
  const eventCounts = (events: EngagementEvent[]) => Object.fromEntries(ENGAGEMENT_EVENT_TYPES.map((t) => [t, events.filter((e) => e.type === t).length]));
  const perChannel = Object.fromEntries(
    channels.map((channel) => {
      const h = humans.filter((e) => e.channel === channel);
      return [channel, { funnel: funnel(h), events: eventCounts(h), botEvents: bots.filter((e) => e.channel === channel).length }];
    }),
  );

  const respondedIn = new Map<string, Set<string>>();
  const firstResponse = new Map<string, number>();
  const firstDelivery = new Map<string, number>();
  for (const e of humans) {
    if (e.type === 'delivered') firstDelivery.set(e.recipientId, Math.min(firstDelivery.get(e.recipientId) ?? Infinity, e.ts));
    else {
      respondedIn.set(e.recipientId, (respondedIn.get(e.recipientId) ?? new Set()).add(e.channel));
      firstResponse.set(e.recipientId, Math.min(firstResponse.get(e.recipientId) ?? Infinity, e.ts));
    }
  }
  const engaged = respondedIn.size;
  const multi = [...respondedIn.values()].filter((s) => s.size > 1).length;
  const samples = [...firstResponse].filter(([r]) => firstDelivery.has(r)).map(([r, ts]) => Math.max(0, ts - firstDelivery.get(r)!));
  samples.sort((a, b) => a - b);

  const latest = new Map<string, Map<string, { ts: number; hash: string }>>();
  for (const e of humans) {
    if (e.type !== 'delivered' || typeof e.meta.propsHash !== 'string') continue;
    const byChannel = latest.get(e.recipientId) ?? new Map();
    const old = byChannel.get(e.channel);
    if (!old || e.ts >= old.ts) byChannel.set(e.channel, { ts: e.ts, hash: e.meta.propsHash });
    latest.set(e.recipientId, byChannel);
  }
  const compared = [...latest].filter(([, m]) => m.size > 1);
  const drifted = compared
    .filter(([, m]) => new Set([...m.values()].map((v) => v.hash)).size > 1)
    .map(([recipientId, m]) => ({ recipientId, channels: Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, v]) => [c, v.hash])) }))
    .sort((a, b) => (a.recipientId < b.recipientId ? -1 : 1));

  return {
    campaignId: log.campaignId,
    overall: { funnel: funnel(humans), events: eventCounts(humans), botEvents: bots.length },
    channels: perChannel,
    crossChannel: { engagedRecipients: engaged, multiChannelRecipients: multi, rate: engaged === 0 ? null : multi / engaged },
    timeToFirstResponse: {
      samples: samples.length,
      // Nearest rank: the ceil(p * n)-th smallest.
      p50Ms: samples.length === 0 ? null : samples[Math.ceil(0.5 * samples.length) - 1]!,
      p90Ms: samples.length === 0 ? null : samples[Math.ceil(0.9 * samples.length) - 1]!,
      histogram: BOUNDS.map((upToMs, i) => ({
        upToMs,
        count: samples.filter((s) => s > (i === 0 ? -1 : BOUNDS[i - 1]!) && (upToMs === null || s <= upToMs)).length,
      })),
    },
    consistency: {
      recipientsCompared: compared.length,
      consistent: compared.length - drifted.length,
      score: compared.length === 0 ? null : (compared.length - drifted.length) / compared.length,
      driftedTotal: drifted.length,
      drifted: drifted.slice(0, 100),
    },
  };
}
