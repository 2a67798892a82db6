import { currencyDigits, fromMinorUnits } from './currency.js';
import type { CohortFigures, ConversionMetrics, LtvCohort, LtvMetrics } from './ltv-metrics.schema.js';
import { liftInterval, meanInterval, type SampleSums } from './ltv-statistics.js';

/** One stored human conversion. */
export interface ConversionRecord {
  recipientId: string;
  ts: number;
  /** Value in minor units of `currency` (exact). */
  minor: number;
  currency: string;
}

/** What the aggregates say about one recipient. */
export interface RecipientState {
  /** First channel touch (epoch ms); absent: never reached. */
  touch?: number;
  /** First engagement (epoch ms); absent: never engaged. */
  firstEngagement?: number;
  /** Channels engaged in. */
  channels: number;
  /** Human engagements `[channel, ts]` (any order), for last-touch and any-engagement credit. */
  engagements: readonly (readonly [string, number])[];
}

export interface ConversionMetricsOptions {
  /** Attribution window after the first engagement, and LTV window after the first touch. */
  windowMs: number;
  /** A cohort with fewer recipients is flagged not significant. */
  minRecipients: number;
  /** A cohort with fewer converters (in a currency) is flagged not significant. */
  minConverters: number;
}

/** Reached recipients per cohort (from the exact counters). */
export type CohortSizes = Record<LtvCohort, number>;

const cohortOf = (state: RecipientState): LtvCohort => (state.channels >= 2 ? 'multiChannel' : state.channels === 1 ? 'singleChannel' : 'neverEngaged');

/**
 * Conversion attribution and LTV by cohort from the stored conversions and
 * the state of the recipients who converted (everyone else is a zero in
 * their cohort, counted by `sizes`). Pure: the metrics reader feeds it.
 */
export function computeConversionMetrics(
  records: Iterable<ConversionRecord>,
  state: ReadonlyMap<string, RecipientState>,
  sizes: CohortSizes,
  options: ConversionMetricsOptions,
): { conversions: ConversionMetrics; ltv: LtvMetrics } {
  const windowDays = options.windowMs / 86_400_000;
  const revenue = new Map<string, { total: number; attributed: number }>();
  const lastTouch = new Map<string, { conversions: number; revenue: Map<string, number> }>();
  const anyEngagement = new Map<string, { conversions: number; revenue: Map<string, number> }>();
  const credit = (target: typeof lastTouch, channel: string, r: ConversionRecord) => {
    const entry = target.get(channel) ?? { conversions: 0, revenue: new Map<string, number>() };
    entry.conversions++;
    entry.revenue.set(r.currency, (entry.revenue.get(r.currency) ?? 0) + r.minor);
    target.set(channel, entry);
  };
  /** Per currency, per reached recipient: minor units within the LTV window, and whether they converted. */
  const ltvByCurrency = new Map<string, Map<string, { minor: number }>>();
  let total = 0;
  let attributed = 0;
  const attributedConverters = new Set<string>();

  for (const r of records) {
    total++;
    const sums = revenue.get(r.currency) ?? { total: 0, attributed: 0 };
    sums.total += r.minor;
    revenue.set(r.currency, sums);
    const s = state.get(r.recipientId);
    const perRecipient = ltvByCurrency.get(r.currency) ?? new Map<string, { minor: number }>();
    ltvByCurrency.set(r.currency, perRecipient);
    if (s?.touch !== undefined && r.ts >= s.touch && r.ts <= s.touch + options.windowMs) {
      const entry = perRecipient.get(r.recipientId) ?? { minor: 0 };
      entry.minor += r.minor;
      perRecipient.set(r.recipientId, entry);
    }
    if (s?.firstEngagement === undefined || r.ts < s.firstEngagement || r.ts > s.firstEngagement + options.windowMs) continue;
    attributed++;
    attributedConverters.add(r.recipientId);
    sums.attributed += r.minor;
    let last: readonly [string, number] | undefined;
    const before = new Set<string>();
    for (const e of s.engagements) {
      if (e[1] > r.ts) continue;
      before.add(e[0]);
      if (!last || e[1] > last[1] || (e[1] === last[1] && e[0] < last[0])) last = e;
    }
    // The timeline keeps a bounded number of engagements per recipient: an old first one may be gone.
    credit(lastTouch, last?.[0] ?? '(unknown)', r);
    for (const channel of before) credit(anyEngagement, channel, r);
  }

  const major = (minorByCurrency: Map<string, number>) => Object.fromEntries([...minorByCurrency].sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => [c, fromMinorUnits(v, c)]));
  const credits = (m: typeof lastTouch) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([ch, e]) => [ch, { conversions: e.conversions, revenue: major(e.revenue) }]));
  const conversions: ConversionMetrics = {
    windowDays,
    total,
    attributed,
    attributedConverters: attributedConverters.size,
    revenue: Object.fromEntries([...revenue].sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => [c, { total: fromMinorUnits(v.total, c), attributed: fromMinorUnits(v.attributed, c) }])),
    lastTouch: credits(lastTouch),
    anyEngagement: credits(anyEngagement),
  };

  const currencies: LtvMetrics['currencies'] = {};
  for (const currency of [...ltvByCurrency.keys()].sort()) {
    const scale = 10 ** currencyDigits(currency);
    const sums: Record<LtvCohort, SampleSums & { converters: number; minor: number }> = {
      multiChannel: { n: sizes.multiChannel, sum: 0, sumSq: 0, converters: 0, minor: 0 },
      singleChannel: { n: sizes.singleChannel, sum: 0, sumSq: 0, converters: 0, minor: 0 },
      neverEngaged: { n: sizes.neverEngaged, sum: 0, sumSq: 0, converters: 0, minor: 0 },
    };
    for (const [recipientId, { minor }] of ltvByCurrency.get(currency)!) {
      const c = sums[cohortOf(state.get(recipientId)!)];
      const x = minor / scale;
      c.converters++;
      c.minor += minor;
      c.sum += x;
      c.sumSq += x * x;
    }
    const figures = (c: (typeof sums)[LtvCohort]): CohortFigures => {
      const significant = c.n >= options.minRecipients && c.converters >= options.minConverters;
      const revenueMajor = fromMinorUnits(c.minor, currency);
      return {
        recipients: c.n,
        converters: c.converters,
        conversionRate: c.n === 0 ? null : Math.min(1, c.converters / c.n),
        revenue: revenueMajor,
        meanPerRecipient: c.n === 0 ? null : c.minor / scale / c.n,
        ci95: significant ? meanInterval({ n: c.n, sum: c.minor / scale, sumSq: c.sumSq }) : null,
        significant,
      };
    };
    const cohorts = { multiChannel: figures(sums.multiChannel), singleChannel: figures(sums.singleChannel), neverEngaged: figures(sums.neverEngaged) };
    const lift = cohorts.multiChannel.significant && cohorts.singleChannel.significant ? liftInterval({ ...sums.multiChannel, sum: sums.multiChannel.minor / scale }, { ...sums.singleChannel, sum: sums.singleChannel.minor / scale }) : null;
    currencies[currency] = {
      cohorts,
      lift: lift ? { value: lift.value, ci95: lift.ci95, significant: lift.ci95.low > 0 || lift.ci95.high < 0 } : { value: null, ci95: null, significant: false },
    };
  }
  return {
    conversions,
    ltv: { windowDays, minRecipients: options.minRecipients, minConverters: options.minConverters, recipients: { ...sizes }, currencies },
  };
}
