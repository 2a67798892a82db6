import type { CampaignMetrics } from './campaign-metrics.schema.js';
import { LTV_COHORTS } from './ltv-metrics.schema.js';

const HEADER = [
  'campaign_id',
  'window_days',
  'currency',
  'cohort',
  'recipients',
  'converters',
  'conversion_rate',
  'revenue',
  'mean_per_recipient',
  'ci95_low',
  'ci95_high',
  'significant',
  'lift_vs_single_channel',
  'lift_ci95_low',
  'lift_ci95_high',
  'lift_significant',
];

/** RFC 4180 quoting where needed (campaign ids of other systems may hold anything URL-safe). */
function cell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * LTV by cohort as CSV (`GET /v1/campaigns/:id/ltv.csv`): one row per
 * currency and cohort, the lift of multi- over single-channel on the
 * multi-channel row. Empty cells are nulls (a cohort too small for an
 * interval, a lift that cannot be computed).
 */
export function ltvCsv(metrics: Pick<CampaignMetrics, 'campaignId' | 'ltv'>): string {
  const lines = [HEADER.join(',')];
  for (const [currency, { cohorts, lift }] of Object.entries(metrics.ltv.currencies)) {
    for (const cohort of LTV_COHORTS) {
      const c = cohorts[cohort];
      const multi = cohort === 'multiChannel';
      lines.push(
        [
          metrics.campaignId,
          metrics.ltv.windowDays,
          currency,
          cohort,
          c.recipients,
          c.converters,
          c.conversionRate,
          c.revenue,
          c.meanPerRecipient,
          c.ci95?.low ?? null,
          c.ci95?.high ?? null,
          c.significant,
          multi ? lift.value : null,
          multi ? (lift.ci95?.low ?? null) : null,
          multi ? (lift.ci95?.high ?? null) : null,
          multi ? lift.significant : null,
        ]
          .map(cell)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
