import { Chart, type Plugin } from 'chart.js';
import type { LtvMetrics } from '../../ltv-metrics.schema.js';
import { LTV_COHORT_LABELS } from './render-ltv.js';

const COLORS = { multiChannel: '#4f46e5', singleChannel: '#0ea5e9', neverEngaged: '#94a3b8' } as const;

/** Bars carry their 95% interval as `intervals` (same order as the data; null: none drawn). */
type IntervalDataset = { intervals?: ({ low: number; high: number } | null)[] };

/**
 * Draws each bar's 95% interval as a whisker over it. Chart.js has no error
 * bars of its own; this is a few lines on the canvas after the bars.
 */
const whiskers: Plugin<'bar'> = {
  id: 'mcWhiskers',
  afterDatasetsDraw(chart) {
    const { ctx, scales } = chart;
    const y = scales.y!;
    chart.data.datasets.forEach((dataset, d) => {
      const intervals = (dataset as unknown as IntervalDataset).intervals ?? [];
      chart.getDatasetMeta(d).data.forEach((bar, i) => {
        const ci = intervals[i];
        if (!ci) return;
        const x = bar.x;
        const top = y.getPixelForValue(ci.high);
        const bottom = y.getPixelForValue(Math.max(ci.low, y.min));
        ctx.save();
        ctx.strokeStyle = '#0f172a';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - 7, top);
        ctx.lineTo(x + 7, top);
        ctx.moveTo(x - 7, bottom);
        ctx.lineTo(x + 7, bottom);
        ctx.stroke();
        ctx.restore();
      });
    });
  },
};

export interface LtvChart {
  update(ltv: LtvMetrics, currency: string | undefined): void;
}

/**
 * Mean value per recipient of each cohort in one currency, with its 95%
 * interval as a whisker; a cohort flagged not significant is drawn pale
 * and without a whisker (no confident number to show).
 */
export function createLtvChart(canvas: HTMLCanvasElement): LtvChart {
  const chart = new Chart<'bar', number[], string>(canvas, {
    type: 'bar',
    data: { labels: Object.values(LTV_COHORT_LABELS), datasets: [{ label: 'Mean per recipient', data: [], backgroundColor: [] }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true } },
    },
    plugins: [whiskers],
  });
  return {
    update(ltv, currency) {
      const figures = currency ? ltv.currencies[currency] : undefined;
      const dataset = chart.data.datasets[0]!;
      const cohorts = Object.keys(LTV_COHORT_LABELS) as (keyof typeof LTV_COHORT_LABELS)[];
      dataset.data = cohorts.map((c) => figures?.cohorts[c].meanPerRecipient ?? 0);
      dataset.backgroundColor = cohorts.map((c) => (figures?.cohorts[c].significant ? COLORS[c] : `${COLORS[c]}55`));
      (dataset as unknown as IntervalDataset).intervals = cohorts.map((c) => figures?.cohorts[c].ci95 ?? null);
      const top = Math.max(0, ...cohorts.map((c) => figures?.cohorts[c].ci95?.high ?? figures?.cohorts[c].meanPerRecipient ?? 0));
      chart.options.scales!.y!.suggestedMax = top * 1.1;
      chart.update('none');
    },
  };
}
