// How the dashboard writes its figures. The e2e test re-derives these rules
// on its own from the API's numbers, so a change here must change it too.

/** Whole counts, as plain integers ("1234"): the test compares them exactly. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : String(Math.round(value));
}

/** A ratio in [0, 1] as a percentage with one decimal ("42.9%"); null is "—". */
export function formatRate(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** Milliseconds: "350 ms", "4.2 s", "12.5 min", "3.0 h"; null is "—". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** "updated 4s ago" style age, whole seconds. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 120 ? `${s}s` : `${Math.floor(s / 60)}min`;
}

/** A histogram bucket's label from its upper bound ("≤ 5.0 s", last one "> 1.0 h"). */
export function bucketLabel(upToMs: number | null, previousMs: number | null): string {
  if (upToMs === null) return previousMs === null ? 'all' : `> ${formatDuration(previousMs)}`;
  return `≤ ${formatDuration(upToMs)}`;
}

/** Money in major units, two decimals ("12.50"), never with a currency sign (the column says which); null is "—". */
export function formatMoney(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(2);
}

/** A lift (0.234) as a signed percentage with one decimal ("+23.4%"); null is "—". */
export function formatLift(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const pct = (value * 100).toFixed(1);
  return value >= 0 ? `+${pct}%` : `${pct}%`;
}

/** How a figure is written; pages carry it as `data-format`. */
export type MetricFormat = 'count' | 'rate' | 'duration' | 'money' | 'lift';

/** One figure as text, by its format. */
export function formatMetric(value: number | null | undefined, format: MetricFormat): string {
  if (format === 'money') return formatMoney(value);
  if (format === 'lift') return formatLift(value);
  if (format === 'rate') return formatRate(value);
  if (format === 'duration') return formatDuration(value);
  return formatCount(value);
}
