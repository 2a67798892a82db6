import type { CampaignMetrics } from '../../../src/engagement/index.js';
import type { SyntheticEvent, SyntheticLog } from './synthetic-event-log.js';

// The metrics of a synthetic log, computed straight from its events with
// none of the production code's data structures or helpers: the known
// answer. The t quantile comes from integrating the t density (Simpson),
// not from the incomplete beta function production uses.

const TYPES = ['delivered', 'impression', 'page_view', 'play', 'progress_25', 'progress_50', 'progress_75', 'complete', 'cta_click', 'share'] as const;
const MIN = 60_000;
const BOUNDS = [MIN, 5 * MIN, 15 * MIN, 60 * MIN, 360 * MIN, 1440 * MIN, 3 * 1440 * MIN, null] as const;
const DIGITS: Record<string, number> = { EUR: 2, USD: 2, JPY: 0 };

export interface ExpectedOptions {
  minDelayMs: number;
  multiCtaMs: number;
  windowMs: number;
  minRecipients: number;
  minConverters: number;
}

/** Stirling's series for ln Γ (x large enough), shifted up for small x. */
function lnGamma(x: number): number {
  let shift = 0;
  while (x < 10) {
    shift -= Math.log(x);
    x += 1;
  }
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

/** The 0.975 quantile of Student's t, by Simpson integration of its density and bisection. */
export function tQuantile975(df: number): number {
  if (df > 1e6) return 1.959963984540054;
  const c = Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2)) / Math.sqrt(df * Math.PI);
  const pdf = (t: number) => c * (1 + (t * t) / df) ** (-(df + 1) / 2);
  const cdf = (x: number) => {
    const steps = 2000;
    const h = x / steps;
    let s = pdf(0) + pdf(x);
    for (let i = 1; i < steps; i++) s += (i % 2 === 1 ? 4 : 2) * pdf(i * h);
    return 0.5 + (s * h) / 3;
  };
  let lo = 0;
  let hi = 50;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < 0.975) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function expectedMetrics(log: SyntheticLog, o: ExpectedOptions): Omit<CampaignMetrics, 'generatedAt'> {
  const g = log.groups;
  const deliveries = [...g.farmDeliveries, ...g.senderDeliveries];
  const within = (ts: number, from: number, ms: number) => ts - from >= 0 && ts - from < ms;
  const isBot = (e: SyntheticEvent): boolean => {
    if (e.bot) return true;
    if (e.type !== 'impression' && e.type !== 'cta_click') return false;
    if (deliveries.some((d) => d.recipientId === e.recipientId && d.channel === e.channel && within(e.ts, d.ts, o.minDelayMs))) return true;
    if (e.type !== 'cta_click') return false;
    const cta = (m: SyntheticEvent) => String(m.meta?.ctaId ?? '');
    return g.responses.some((c) => c !== e && !c.bot && c.type === 'cta_click' && c.recipientId === e.recipientId && cta(c) !== cta(e) && Math.abs(c.ts - e.ts) < o.multiCtaMs);
  };
  const bots = [...g.responses.filter(isBot), ...g.scanner];
  const humans = [...deliveries, ...g.responses.filter((e) => !isBot(e))];
  const machine = g.proxy;
  const interactions = [...humans, ...bots, ...machine];
  const channels = [...new Set(interactions.map((e) => e.channel!))].sort();
  const uniq = (events: SyntheticEvent[], type: string) => new Set(events.filter((e) => e.type === type).map((e) => e.recipientId)).size;
  const funnel = (h: SyntheticEvent[], m: SyntheticEvent[]) => {
    const delivered = uniq(h, 'delivered');
    const played = uniq(h, 'play');
    const completed = uniq(h, 'complete');
    const clicked = uniq(h, 'cta_click');
    return {
      delivered,
      opened: uniq(h, 'impression'),
      machineOpened: uniq(m, 'impression'),
      viewed: uniq(h, 'page_view'),
      played,
      completed,
      clicked,
      shared: uniq(h, 'share'),
      completionRate: played === 0 ? null : Math.min(1, completed / played),
      clickThroughRate: delivered === 0 ? null : Math.min(1, clicked / delivered),
    };
  };
  const counts = (events: SyntheticEvent[]) => Object.fromEntries(TYPES.map((t) => [t, events.filter((e) => e.type === t).length]));
  const perChannel = Object.fromEntries(
    channels.map((channel) => {
      const on = (list: SyntheticEvent[]) => list.filter((e) => e.channel === channel);
      return [channel, { funnel: funnel(on(humans), on(machine)), events: counts(on(humans)), botEvents: on(bots).length, machineOpens: on(machine).length }];
    }),
  );

  // Engagement: a human response other than an open.
  const engagements = humans.filter((e) => e.type !== 'delivered' && e.type !== 'impression');
  const engagedIn = new Map<string, Set<string>>();
  const firstEngagement = new Map<string, number>();
  for (const e of engagements) {
    engagedIn.set(e.recipientId, (engagedIn.get(e.recipientId) ?? new Set()).add(e.channel!));
    firstEngagement.set(e.recipientId, Math.min(firstEngagement.get(e.recipientId) ?? Infinity, e.ts));
  }
  // The touch: per channel the sender's earliest delivery when there is one, else the farm's; the earliest channel.
  const touch = new Map<string, number>();
  for (const rid of new Set(deliveries.map((d) => d.recipientId))) {
    let best = Infinity;
    for (const channel of channels) {
      const sent = g.senderDeliveries.filter((d) => d.recipientId === rid && d.channel === channel).map((d) => d.ts);
      const farm = g.farmDeliveries.filter((d) => d.recipientId === rid && d.channel === channel).map((d) => d.ts);
      const t = sent.length > 0 ? Math.min(...sent) : farm.length > 0 ? Math.min(...farm) : Infinity;
      best = Math.min(best, t);
    }
    touch.set(rid, best);
  }
  const samples = [...firstEngagement].filter(([r]) => touch.has(r)).map(([r, ts]) => Math.max(0, ts - touch.get(r)!));
  samples.sort((a, b) => a - b);

  const latest = new Map<string, Map<string, { ts: number; hash: string }>>();
  for (const e of g.farmDeliveries) {
    const byChannel = latest.get(e.recipientId) ?? new Map();
    const old = byChannel.get(e.channel);
    if (!old || e.ts >= old.ts) byChannel.set(e.channel, { ts: e.ts, hash: String(e.meta!.propsHash) });
    latest.set(e.recipientId, byChannel);
  }
  const compared = [...latest].filter(([, m]) => m.size > 1);
  const drifted = compared
    .filter(([, m]) => new Set([...m.values()].map((v) => v.hash)).size > 1)
    .map(([recipientId, m]) => ({ recipientId, channels: Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, v]) => [c, v.hash])) }))
    .sort((a, b) => (a.recipientId < b.recipientId ? -1 : 1));

  const engaged = engagedIn.size;
  const multi = [...engagedIn.values()].filter((s) => s.size > 1).length;
  return {
    campaignId: log.campaignId,
    overall: { funnel: funnel(humans, machine), events: counts(humans), botEvents: bots.length, machineOpens: machine.length },
    channels: perChannel,
    crossChannel: { engagedRecipients: engaged, multiChannelRecipients: multi, rate: engaged === 0 ? null : multi / engaged },
    timeToFirstResponse: {
      samples: samples.length,
      p50Ms: samples.length === 0 ? null : samples[Math.ceil(0.5 * samples.length) - 1]!,
      p90Ms: samples.length === 0 ? null : samples[Math.ceil(0.9 * samples.length) - 1]!,
      histogram: BOUNDS.map((upToMs, i) => ({ upToMs, count: samples.filter((s) => s > (i === 0 ? -1 : BOUNDS[i - 1]!) && (upToMs === null || s <= upToMs)).length })),
    },
    // The synthetic log has no sticky links: no event carries a profile version.
    versionConsistency: { eventsCompared: 0, consistent: 0, score: null, channels: {} },
    dataLatency: {},
    consistency: {
      recipientsCompared: compared.length,
      consistent: compared.length - drifted.length,
      score: compared.length === 0 ? null : (compared.length - drifted.length) / compared.length,
      driftedTotal: drifted.length,
      drifted: drifted.slice(0, 100),
    },
    ...expectedConversions(log, { engagements, engagedIn, firstEngagement, touch }, o),
  };
}

interface Known {
  engagements: SyntheticEvent[];
  engagedIn: Map<string, Set<string>>;
  firstEngagement: Map<string, number>;
  touch: Map<string, number>;
}

function expectedConversions(log: SyntheticLog, k: Known, o: ExpectedOptions): Pick<CampaignMetrics, 'conversions' | 'ltv'> {
  const orders = new Map<string, SyntheticEvent & { value: number; currency: string }>();
  for (const c of log.groups.conversions) if (!orders.has(String(c.orderId))) orders.set(String(c.orderId), c as SyntheticEvent & { value: number; currency: string });
  const cents = (c: { value: number; currency: string }) => Math.round(c.value * 10 ** DIGITS[c.currency]!);
  const toMajor = (minor: number, currency: string) => minor / 10 ** DIGITS[currency]!;
  const revenue: Record<string, { total: number; attributed: number }> = {};
  const lastTouch: Record<string, { conversions: number; revenue: Record<string, number> }> = {};
  const anyEngagement: Record<string, { conversions: number; revenue: Record<string, number> }> = {};
  const add = (into: typeof lastTouch, channel: string, c: { value: number; currency: string }) => {
    const e = (into[channel] ??= { conversions: 0, revenue: {} });
    e.conversions++;
    e.revenue[c.currency] = (e.revenue[c.currency] ?? 0) + cents(c);
  };
  let attributed = 0;
  const converters = new Set<string>();
  for (const c of orders.values()) {
    const r = (revenue[c.currency] ??= { total: 0, attributed: 0 });
    r.total += cents(c);
    const first = k.firstEngagement.get(c.recipientId);
    if (first === undefined || c.ts < first || c.ts > first + o.windowMs) continue;
    attributed++;
    converters.add(c.recipientId);
    r.attributed += cents(c);
    const before = k.engagements.filter((e) => e.recipientId === c.recipientId && e.ts <= c.ts);
    const last = before.reduce((a, b) => (b.ts > a.ts || (b.ts === a.ts && b.channel! < a.channel!) ? b : a));
    add(lastTouch, last.channel!, c);
    for (const channel of new Set(before.map((e) => e.channel!))) add(anyEngagement, channel, c);
  }
  const major = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).sort().map(([c, v]) => [c, toMajor(v, c)]));
  const credits = (m: typeof lastTouch) => Object.fromEntries(Object.entries(m).sort().map(([ch, e]) => [ch, { conversions: e.conversions, revenue: major(e.revenue) }]));

  const reached = [...k.touch.keys()];
  const cohortOf = (rid: string) => ((k.engagedIn.get(rid)?.size ?? 0) >= 2 ? 'multiChannel' : (k.engagedIn.get(rid)?.size ?? 0) === 1 ? 'singleChannel' : 'neverEngaged');
  const sizes = { multiChannel: 0, singleChannel: 0, neverEngaged: 0 };
  for (const rid of reached) sizes[cohortOf(rid)]++;
  const currencies: CampaignMetrics['ltv']['currencies'] = {};
  for (const currency of [...new Set([...orders.values()].map((c) => c.currency))].sort()) {
    const perRecipient = new Map<string, number>();
    for (const c of orders.values()) {
      const t = k.touch.get(c.recipientId);
      if (c.currency !== currency || t === undefined || c.ts < t || c.ts > t + o.windowMs) continue;
      perRecipient.set(c.recipientId, (perRecipient.get(c.recipientId) ?? 0) + cents(c));
    }
    const figures = (cohort: keyof typeof sizes) => {
      const n = sizes[cohort];
      const xs = [...perRecipient].filter(([rid]) => cohortOf(rid) === cohort).map(([, v]) => toMajor(v, currency));
      const values = [...xs, ...new Array<number>(n - xs.length).fill(0)];
      const sumMinor = [...perRecipient].filter(([rid]) => cohortOf(rid) === cohort).reduce((s, [, v]) => s + v, 0);
      const mean = n === 0 ? null : sumMinor / 10 ** DIGITS[currency]! / n;
      const significant = n >= o.minRecipients && xs.length >= o.minConverters;
      let ci95 = null;
      if (significant && mean !== null) {
        const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
        const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
        ci95 = { low: mean - half, high: mean + half };
      }
      return { figures: { recipients: n, converters: xs.length, conversionRate: n === 0 ? null : xs.length / n, revenue: toMajor(sumMinor, currency), meanPerRecipient: mean, ci95, significant }, values };
    };
    const m = figures('multiChannel');
    const s = figures('singleChannel');
    const lift = liftOf(m.values, s.values, m.figures.significant && s.figures.significant);
    currencies[currency] = { cohorts: { multiChannel: m.figures, singleChannel: s.figures, neverEngaged: figures('neverEngaged').figures }, lift };
  }
  return {
    conversions: {
      windowDays: o.windowMs / 86_400_000,
      total: orders.size,
      attributed,
      attributedConverters: converters.size,
      revenue: Object.fromEntries(Object.entries(revenue).sort().map(([c, v]) => [c, { total: toMajor(v.total, c), attributed: toMajor(v.attributed, c) }])),
      lastTouch: credits(lastTouch),
      anyEngagement: credits(anyEngagement),
    },
    ltv: { windowDays: o.windowMs / 86_400_000, minRecipients: o.minRecipients, minConverters: o.minConverters, recipients: sizes, currencies },
  };
}

/** The lift's delta-method interval, re-derived from the raw values. */
export function liftOf(a: number[], b: number[], computable: boolean): CampaignMetrics['ltv']['currencies'][string]['lift'] {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x: number[], m: number) => x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
  const ma = mean(a);
  const mb = mean(b);
  if (!computable || !(ma > 0) || !(mb > 0)) return { value: null, ci95: null, significant: false };
  const ua = variance(a, ma) / (a.length * ma * ma);
  const ub = variance(b, mb) / (b.length * mb * mb);
  const df = (ua + ub) ** 2 / (ua ** 2 / (a.length - 1) + ub ** 2 / (b.length - 1));
  const half = tQuantile975(df) * Math.sqrt(ua + ub);
  const ci95 = { low: (ma / mb) * Math.exp(-half) - 1, high: (ma / mb) * Math.exp(half) - 1 };
  return { value: ma / mb - 1, ci95, significant: ci95.low > 0 || ci95.high < 0 };
}
