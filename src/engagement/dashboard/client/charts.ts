// Only the Chart.js pieces the dashboard draws with are imported and
// registered (bar charts on category/linear scales, legend, tooltip), so
// esbuild drops the rest of the library: lines, arcs, radar, time scales,
// filler, decimation...
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import type { CampaignMetrics, Funnel } from '../../campaign-metrics.schema.js';
import { bucketLabel } from './format.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

/** The funnel stages in order, with their labels. */
export const FUNNEL_STAGES = [
  ['delivered', 'Delivered'],
  ['opened', 'Opened'],
  ['viewed', 'Viewed'],
  ['played', 'Played'],
  ['completed', 'Completed'],
  ['clicked', 'Clicked'],
  ['shared', 'Shared'],
] as const satisfies readonly (readonly [keyof Funnel, string])[];

const STAGE_COLORS = ['#3b82f6', '#6366f1', '#8b5cf6', '#a855f7', '#d946ef', '#ec4899', '#f43f5e'];
const CHANNEL_COLORS = ['#0ea5e9', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b', '#14b8a6', '#f97316'];

type BarChart = Chart<'bar', number[], string>;

export interface DashboardCharts {
  update(metrics: CampaignMetrics): void;
}

/**
 * The three charts: the overall funnel (horizontal bars), the funnel per
 * channel (grouped bars, one colour per channel) and the histogram of time
 * to first response. Animations are off: the page refreshes every few
 * seconds and a chart that re-animates each time is harder to read (and
 * costs CPU on a wall screen left open all day).
 */
export function createDashboardCharts(canvases: { funnel: HTMLCanvasElement; channels: HTMLCanvasElement; ttfr: HTMLCanvasElement }): DashboardCharts {
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#334155';
  const base = (horizontal: boolean, legend: boolean): ChartConfiguration<'bar', number[], string>['options'] => ({
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    indexAxis: horizontal ? 'y' : 'x',
    plugins: { legend: { display: legend, position: 'bottom' } },
    scales: {
      [horizontal ? 'x' : 'y']: { beginAtZero: true, ticks: { precision: 0 } },
    },
  });
  const funnel: BarChart = new Chart(canvases.funnel, {
    type: 'bar',
    data: { labels: FUNNEL_STAGES.map(([, label]) => label), datasets: [{ label: 'Recipients', data: [], backgroundColor: STAGE_COLORS }] },
    options: base(true, false),
  });
  const channels: BarChart = new Chart(canvases.channels, { type: 'bar', data: { labels: FUNNEL_STAGES.map(([, label]) => label), datasets: [] }, options: base(false, true) });
  const ttfr: BarChart = new Chart(canvases.ttfr, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'Recipients', data: [], backgroundColor: '#6366f1', categoryPercentage: 1, barPercentage: 0.95 }] },
    options: base(false, false),
  });

  return {
    update(metrics) {
      funnel.data.datasets[0]!.data = FUNNEL_STAGES.map(([key]) => metrics.overall.funnel[key] as number);
      funnel.update('none');

      channels.data.datasets = Object.entries(metrics.channels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([channel, figures], i) => ({
          label: channel,
          data: FUNNEL_STAGES.map(([key]) => figures.funnel[key] as number),
          backgroundColor: CHANNEL_COLORS[i % CHANNEL_COLORS.length],
        }));
      channels.update('none');

      const buckets = metrics.timeToFirstResponse.histogram;
      ttfr.data.labels = buckets.map((b, i) => bucketLabel(b.upToMs, i > 0 ? buckets[i - 1]!.upToMs : null));
      ttfr.data.datasets[0]!.data = buckets.map((b) => b.count);
      ttfr.update('none');
    },
  };
}
