import { z } from 'zod';

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).nullable();
/** Money in major units of one currency (12.35), never summed across currencies. */
const money = z.number();
/** Amounts per ISO 4217 currency code. */
const perCurrency = z.record(z.string(), money);
const interval = z.object({ low: z.number(), high: z.number() });

/** Conversions credited to one channel: how many, and their value per currency. */
const creditSchema = z.object({ conversions: count, revenue: perCurrency });

/**
 * Conversions of the campaign and their attribution. A conversion is
 * attributed when it happened within `windowDays` after the recipient's
 * first engagement (never before it). Attributed conversions are credited
 * two ways: to the last-touch channel (the channel of the recipient's
 * latest engagement at or before the conversion: each conversion once),
 * and to every channel the recipient engaged in before converting ("any
 * engagement": a conversion counts in each, so channels add up to more
 * than the total).
 */
export const conversionMetricsSchema = z.object({
  windowDays: z.number(),
  /** Human conversions stored (bots apart), attributed or not. */
  total: count,
  attributed: count,
  /** Recipients with at least one attributed conversion. */
  attributedConverters: count,
  /** Per currency: every conversion's value, and the attributed ones'. */
  revenue: z.record(z.string(), z.object({ total: money, attributed: money })),
  lastTouch: z.record(z.string(), creditSchema),
  anyEngagement: z.record(z.string(), creditSchema),
});
export type ConversionMetrics = z.infer<typeof conversionMetricsSchema>;

/** One cohort in one currency. */
export const cohortFiguresSchema = z.object({
  recipients: count,
  /** Recipients with a conversion in this currency within the window after their first touch. */
  converters: count,
  conversionRate: rate,
  revenue: money,
  /** revenue / recipients (null for an empty cohort). */
  meanPerRecipient: money.nullable(),
  /** 95% t interval of the mean; null when the cohort is too small to say (see `significant`). */
  ci95: interval.nullable(),
  /** False for a cohort under the minimum recipients or converters: its mean is not a confident number. */
  significant: z.boolean(),
});
export type CohortFigures = z.infer<typeof cohortFiguresSchema>;

export const LTV_COHORTS = ['multiChannel', 'singleChannel', 'neverEngaged'] as const;
export type LtvCohort = (typeof LTV_COHORTS)[number];

/**
 * Value per recipient by cohort, per currency: recipients reached (a first
 * channel touch) and engaged in two or more channels, in exactly one, or
 * never; their conversions within `windowDays` after the first touch. The
 * lift is multiChannel's mean over singleChannel's, minus one (0.2 is 20%
 * more), with a 95% interval (delta method on the log ratio, Welch degrees
 * of freedom); null unless both cohorts are significant and singleChannel's
 * mean is positive. `significant` is true when the interval excludes 0.
 */
export const ltvMetricsSchema = z.object({
  windowDays: z.number(),
  minRecipients: count,
  minConverters: count,
  recipients: z.object({ multiChannel: count, singleChannel: count, neverEngaged: count }),
  currencies: z.record(
    z.string(),
    z.object({
      cohorts: z.object({ multiChannel: cohortFiguresSchema, singleChannel: cohortFiguresSchema, neverEngaged: cohortFiguresSchema }),
      lift: z.object({ value: z.number().nullable(), ci95: interval.nullable(), significant: z.boolean() }),
    }),
  ),
});
export type LtvMetrics = z.infer<typeof ltvMetricsSchema>;
