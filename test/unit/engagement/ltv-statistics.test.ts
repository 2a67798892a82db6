import { describe, expect, it } from 'vitest';
import { computeConversionMetrics, currencyDigits, liftInterval, meanInterval, studentTQuantile, toMinorUnits, type ConversionRecord, type RecipientState } from '../../../src/engagement/index.js';
import { seededRandom } from '../../integration/engagement/synthetic-event-log.js';

const DAY = 86_400_000;

/** An exponential draw of mean `mean` (moderately skewed, like order values). */
const exponential = (random: () => number, mean: number) => -Math.log(1 - random()) * mean;

/**
 * A population with known cohort means: each reached recipient converts
 * with the cohort's probability, with an order value of the cohort's mean
 * value (exponential). The true mean per recipient is p × value; the true
 * lift is (p1·v1)/(p2·v2) − 1.
 */
const MODEL = {
  multiChannel: { n: 1500, p: 0.12, value: 60 },
  singleChannel: { n: 1500, p: 0.1, value: 55 },
  neverEngaged: { n: 800, p: 0.05, value: 50 },
} as const;
const TRUE_LIFT = (MODEL.multiChannel.p * MODEL.multiChannel.value) / (MODEL.singleChannel.p * MODEL.singleChannel.value) - 1;

function population(seed: number) {
  const random = seededRandom(seed);
  const records: ConversionRecord[] = [];
  const state = new Map<string, RecipientState>();
  for (const [cohort, m] of Object.entries(MODEL)) {
    const channels = cohort === 'multiChannel' ? 2 : cohort === 'singleChannel' ? 1 : 0;
    for (let i = 0; i < m.n; i++) {
      if (random() >= m.p) continue;
      const recipientId = `${cohort}-${i}`;
      state.set(recipientId, { touch: 0, ...(channels > 0 ? { firstEngagement: 1000 } : {}), channels, engagements: channels > 0 ? [['email', 1000]] : [] });
      records.push({ recipientId, ts: DAY, minor: toMinorUnits(exponential(random, m.value), 'EUR'), currency: 'EUR' });
    }
  }
  const sizes = { multiChannel: MODEL.multiChannel.n, singleChannel: MODEL.singleChannel.n, neverEngaged: MODEL.neverEngaged.n };
  return { records, state, sizes };
}

describe('t quantiles', () => {
  it('match the tables', () => {
    const table: [number, number][] = [[1, 12.706], [2, 4.303], [5, 2.571], [10, 2.228], [30, 2.042], [120, 1.98], [1e9, 1.96]];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 2);
  });
});

describe('LTV intervals on populations with known means', () => {
  it('the cohort mean interval and the lift interval cover the truth at about 95% over 400 seeds', () => {
    let liftCovered = 0;
    let meanCovered = 0;
    let significant = 0;
    const seeds = 400;
    for (let seed = 1; seed <= seeds; seed++) {
      const { records, state, sizes } = population(seed);
      const { ltv } = computeConversionMetrics(records, state, sizes, { windowMs: 30 * DAY, minRecipients: 100, minConverters: 10 });
      const eur = ltv.currencies.EUR!;
      const lift = eur.lift;
      expect(lift.value).not.toBeNull();
      if (lift.ci95!.low <= TRUE_LIFT && TRUE_LIFT <= lift.ci95!.high) liftCovered++;
      if (lift.significant) significant++;
      const single = eur.cohorts.singleChannel;
      const trueMean = MODEL.singleChannel.p * MODEL.singleChannel.value;
      if (single.ci95!.low <= trueMean && trueMean <= single.ci95!.high) meanCovered++;
    }
    console.log(`LTV interval coverage over ${seeds} seeds: lift ${(liftCovered / seeds).toFixed(3)}, single-channel mean ${(meanCovered / seeds).toFixed(3)}, lift significant in ${significant}`);
    // 95% nominal; with 400 seeds the estimate's standard error is about 1.1 points.
    expect(liftCovered / seeds).toBeGreaterThanOrEqual(0.915);
    expect(liftCovered / seeds).toBeLessThanOrEqual(0.985);
    expect(meanCovered / seeds).toBeGreaterThanOrEqual(0.915);
    expect(meanCovered / seeds).toBeLessThanOrEqual(0.985);
    // A 31% true lift on 1,500 vs 1,500 recipients is not always detectable: the intervals are honest about it.
    expect(significant).toBeGreaterThan(0);
    expect(significant).toBeLessThan(seeds);
  });

  it('every cohort figure equals its direct computation from the population', () => {
    const { records, state, sizes } = population(2024);
    const { ltv, conversions } = computeConversionMetrics(records, state, sizes, { windowMs: 30 * DAY, minRecipients: 100, minConverters: 10 });
    for (const [cohort, m] of Object.entries(MODEL) as [keyof typeof MODEL, (typeof MODEL)[keyof typeof MODEL]][]) {
      const values = records.filter((r) => r.recipientId.startsWith(`${cohort}-`)).map((r) => r.minor / 100);
      const all = [...values, ...new Array<number>(m.n - values.length).fill(0)];
      const mean = all.reduce((a, b) => a + b, 0) / m.n;
      const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (m.n - 1));
      const c = ltv.currencies.EUR!.cohorts[cohort];
      expect(c).toMatchObject({ recipients: m.n, converters: values.length, significant: true });
      expect(c.conversionRate).toBeCloseTo(values.length / m.n, 12);
      expect(c.revenue).toBeCloseTo(values.reduce((a, b) => a + b, 0), 6);
      expect(c.meanPerRecipient).toBeCloseTo(mean, 9);
      const half = studentTQuantile(0.975, m.n - 1) * (sd / Math.sqrt(m.n));
      expect(c.ci95!.low).toBeCloseTo(mean - half, 9);
      expect(c.ci95!.high).toBeCloseTo(mean + half, 9);
    }
    // Everyone converted a day after a first engagement at 1 s: all engaged conversions are attributed, to email.
    const engaged = records.filter((r) => !r.recipientId.startsWith('neverEngaged')).length;
    expect(conversions).toMatchObject({ total: records.length, attributed: engaged, lastTouch: { email: { conversions: engaged } } });
  });

  it('flags small cohorts instead of giving them an interval, and keeps currencies apart', () => {
    const state = new Map<string, RecipientState>([
      ['a', { touch: 0, firstEngagement: 10, channels: 2, engagements: [['web', 10]] }],
      ['b', { touch: 0, firstEngagement: 10, channels: 1, engagements: [['email', 10]] }],
    ]);
    const records: ConversionRecord[] = [
      { recipientId: 'a', ts: 100, minor: 1999, currency: 'EUR' },
      { recipientId: 'a', ts: 200, minor: 500, currency: 'JPY' },
      { recipientId: 'b', ts: 100, minor: 1000, currency: 'EUR' },
      // Past the window: not LTV, not attributed, but a conversion.
      { recipientId: 'b', ts: 40 * DAY, minor: 7000, currency: 'EUR' },
    ];
    const { ltv, conversions } = computeConversionMetrics(records, state, { multiChannel: 3, singleChannel: 4, neverEngaged: 5 }, { windowMs: 30 * DAY, minRecipients: 100, minConverters: 10 });
    expect(Object.keys(ltv.currencies)).toEqual(['EUR', 'JPY']);
    expect(currencyDigits('JPY')).toBe(0);
    expect(ltv.currencies.JPY!.cohorts.multiChannel).toMatchObject({ revenue: 500, converters: 1, meanPerRecipient: 500 / 3, significant: false, ci95: null });
    expect(ltv.currencies.EUR!.cohorts.singleChannel).toMatchObject({ revenue: 10, converters: 1, meanPerRecipient: 2.5, significant: false, ci95: null });
    expect(ltv.currencies.EUR!.lift).toEqual({ value: null, ci95: null, significant: false });
    expect(conversions.revenue).toEqual({ EUR: { total: 99.99, attributed: 29.99 }, JPY: { total: 500, attributed: 500 } });
    expect(conversions.anyEngagement).toEqual({ email: { conversions: 1, revenue: { EUR: 10 } }, web: { conversions: 2, revenue: { EUR: 19.99, JPY: 500 } } });
  });

  it('the interval helpers refuse what they cannot say', () => {
    expect(meanInterval({ n: 1, sum: 5, sumSq: 25 })).toBeNull();
    expect(liftInterval({ n: 10, sum: 0, sumSq: 0 }, { n: 10, sum: 5, sumSq: 10 })).toBeNull();
    expect(liftInterval({ n: 10, sum: 5, sumSq: 10 }, { n: 10, sum: 0, sumSq: 0 })).toBeNull();
  });
});
