import type { CampaignMetrics } from '../../campaign-metrics.schema.js';
import type { LtvCohort } from '../../ltv-metrics.schema.js';
import { byId, el, metric } from './dom.js';

/** The cohorts in the order they are shown, with their labels. */
export const LTV_COHORT_LABELS: Record<LtvCohort, string> = {
  multiChannel: 'Engaged in 2+ channels',
  singleChannel: 'Engaged in 1 channel',
  neverEngaged: 'Reached, never engaged',
};

/** The currency shown: the one picked before if it is still there, else the one with most revenue. */
function chooseCurrency(m: CampaignMetrics, picked: string): string | undefined {
  const currencies = Object.keys(m.ltv.currencies);
  if (currencies.includes(picked)) return picked;
  return currencies.sort((a, b) => (m.conversions.revenue[b]?.total ?? 0) - (m.conversions.revenue[a]?.total ?? 0))[0];
}

function row(cells: HTMLElement[]): HTMLElement {
  const tr = el('tr');
  tr.append(...cells);
  return tr;
}

function table(target: HTMLElement, head: string[], rows: HTMLElement[], empty: string): void {
  const thead = el('thead');
  thead.append(row(head.map((h) => el('th', h, { scope: 'col' }))));
  const tbody = el('tbody');
  tbody.append(...(rows.length > 0 ? rows : [row([el('td', empty, { colspan: String(head.length), class: 'empty' })])]));
  target.replaceChildren(thead, tbody);
}

/**
 * The LTV panel's text: the currency picker, the lift of multi- over
 * single-channel with its interval, the cohort table (a cohort too small
 * for a confident number says so instead of an interval), the conversion
 * totals and the per-channel credit. Returns the currency shown.
 */
export function renderLtv(m: CampaignMetrics, picked: string): string | undefined {
  const currency = chooseCurrency(m, picked);
  const select = byId<HTMLSelectElement>('mc-ltv-currency');
  select.replaceChildren(...Object.keys(m.ltv.currencies).map((c) => el('option', c, { value: c })));
  if (currency) select.value = currency;
  byId('mc-ltv-window').textContent = `Recipients reached by the campaign, by how many channels they engaged in; their conversions within ${m.ltv.windowDays} days after the first touch. Cohorts under ${m.ltv.minRecipients} recipients or ${m.ltv.minConverters} converters are not significant.`;

  const figures = currency ? m.ltv.currencies[currency] : undefined;
  const p = `metrics.ltv.currencies.${currency}`;
  const lift = byId('mc-ltv-lift');
  if (!figures) {
    lift.replaceChildren(el('div', 'No conversions yet.', { class: 'muted' }));
  } else {
    const item = (label: string, cell: HTMLElement) => {
      const div = el('div', undefined, { class: 'fig' });
      div.append(el('dt', label), cell);
      return div;
    };
    const l = figures.lift;
    const verdict = l.value === null ? 'needs two significant cohorts' : l.significant ? 'significant (95%)' : 'not significant';
    lift.replaceChildren(
      item('Lift, 2+ channels over 1', metric('dd', `${p}.lift.value`, l.value, 'lift')),
      item('95% interval, low', metric('dd', l.ci95 ? `${p}.lift.ci95.low` : `${p}.lift.ci95`, l.ci95?.low ?? null, 'lift')),
      item('95% interval, high', metric('dd', l.ci95 ? `${p}.lift.ci95.high` : `${p}.lift.ci95`, l.ci95?.high ?? null, 'lift')),
      item('Verdict', el('dd', verdict, { class: l.significant ? '' : 'weak' })),
    );
  }
  table(
    byId('mc-ltv-table'),
    ['Cohort', 'Recipients', 'Converters', 'Conv. rate', 'Revenue', 'Mean / recipient', '95% low', '95% high'],
    figures
      ? (Object.keys(LTV_COHORT_LABELS) as LtvCohort[]).map((cohort) => {
          const c = figures.cohorts[cohort];
          const q = `${p}.cohorts.${cohort}`;
          const name = el('th', LTV_COHORT_LABELS[cohort], { scope: 'row' });
          if (!c.significant) name.append(el('span', 'not significant', { class: 'flag', 'data-flag': cohort }));
          const ci = (end: 'low' | 'high') => metric('td', c.ci95 ? `${q}.ci95.${end}` : `${q}.ci95`, c.ci95?.[end] ?? null, 'money');
          const mean = metric('td', `${q}.meanPerRecipient`, c.meanPerRecipient, 'money');
          if (!c.significant) mean.classList.add('weak');
          return row([name, metric('td', `${q}.recipients`, c.recipients, 'count'), metric('td', `${q}.converters`, c.converters, 'count'), metric('td', `${q}.conversionRate`, c.conversionRate, 'rate'), metric('td', `${q}.revenue`, c.revenue, 'money'), mean, ci('low'), ci('high')]);
        })
      : [],
    'No conversions yet.',
  );

  const cv = m.conversions;
  byId('mc-conversion-figures').replaceChildren(
    ...[
      ['Conversions', 'metrics.conversions.total', cv.total, 'count'] as const,
      ['Attributed', 'metrics.conversions.attributed', cv.attributed, 'count'] as const,
      ['Attributed converters', 'metrics.conversions.attributedConverters', cv.attributedConverters, 'count'] as const,
      ...Object.entries(cv.revenue).map(([c, r]) => [`Attributed revenue, ${c}`, `metrics.conversions.revenue.${c}.attributed`, r.attributed, 'money'] as const),
    ].map(([label, path, value, format]) => {
      const div = el('div', undefined, { class: 'fig' });
      div.append(el('dt', label), metric('dd', path, value, format));
      return div;
    }),
  );
  const channels = [...new Set([...Object.keys(cv.lastTouch), ...Object.keys(cv.anyEngagement)])].sort();
  table(
    byId('mc-attribution'),
    ['Channel', 'Last touch', 'Any engagement', ...(currency ? [`Last-touch revenue, ${currency}`] : [])],
    channels.map((channel) =>
      row([
        el('th', channel, { scope: 'row' }),
        cv.lastTouch[channel] ? metric('td', `metrics.conversions.lastTouch.${channel}.conversions`, cv.lastTouch[channel].conversions, 'count') : el('td', '0'),
        cv.anyEngagement[channel] ? metric('td', `metrics.conversions.anyEngagement.${channel}.conversions`, cv.anyEngagement[channel].conversions, 'count') : el('td', '0'),
        ...(currency ? [cv.lastTouch[channel]?.revenue[currency] !== undefined ? metric('td', `metrics.conversions.lastTouch.${channel}.revenue.${currency}`, cv.lastTouch[channel].revenue[currency], 'money') : el('td', '—')] : []),
      ]),
    ),
    'No attributed conversion yet.',
  );
  return currency;
}
