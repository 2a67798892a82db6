import type { DashboardData } from '../dashboard-data.schema.js';
import { FUNNEL_STAGES } from './charts.js';
import { byId, el, metric } from './dom.js';
import { bucketLabel, formatDuration, type MetricFormat } from './format.js';

type Figure = [label: string, path: string, value: number | null | undefined, format: MetricFormat];

/** A `<dl>` of labelled figures. */
function figures(target: HTMLElement, items: Figure[]): void {
  target.replaceChildren(
    ...items.map(([label, path, value, format]) => {
      const item = el('div', undefined, { class: 'fig' });
      item.append(el('dt', label), metric('dd', path, value, format));
      return item;
    }),
  );
}

function table(target: HTMLElement, head: string[], rows: HTMLElement[][], empty: string): void {
  const thead = el('thead');
  const headRow = el('tr');
  headRow.append(...head.map((h) => el('th', h, { scope: 'col' })));
  thead.append(headRow);
  const tbody = el('tbody');
  if (rows.length === 0) {
    const row = el('tr');
    row.append(el('td', empty, { colspan: String(head.length), class: 'empty' }));
    tbody.append(row);
  }
  for (const cells of rows) {
    const row = el('tr');
    row.append(...cells);
    tbody.append(row);
  }
  target.replaceChildren(thead, tbody);
}

/**
 * Writes every figure of one data answer as text. Each number sits in an
 * element whose `data-metric` is its JSON path in the answer (e.g.
 * `metrics.channels.email.funnel.opened`), and `data-format` says how it
 * was written, so the page can be checked against the API number by number.
 */
export function renderFigures(data: DashboardData): void {
  const m = data.metrics;
  const s = data.status;

  byId('mc-template').textContent = s ? `template ${s.templateId} · ${s.mode}` : 'no campaign record on this farm (events only)';
  const state = byId('mc-state');
  state.textContent = s ? s.state : 'events only';
  state.dataset.state = s ? s.state : 'none';

  const progress = byId<HTMLProgressElement>('mc-progress-bar');
  progress.value = s ? s.progress : 0;
  figures(
    byId('mc-progress-figures'),
    s
      ? [
          ['Progress', 'status.progress', s.progress, 'rate'],
          ['Renders', 'status.counts.renders', s.counts.renders, 'count'],
          ['Rendered', 'status.counts.rendered', s.counts.rendered, 'count'],
          ['Failed', 'status.counts.failed', s.counts.failed, 'count'],
          ['From cache', 'status.counts.cached', s.counts.cached, 'count'],
          ['Recipients', 'status.counts.valid', s.counts.valid, 'count'],
          ['Invalid rows', 'status.counts.invalid', s.counts.invalid, 'count'],
        ]
      : [],
  );
  byId('mc-eta').textContent = s && s.state !== 'done' && s.etaSeconds !== undefined ? `about ${formatDuration(s.etaSeconds * 1000)} left` : '';

  const f = m.overall.funnel;
  figures(byId('mc-funnel-figures'), [
    ...FUNNEL_STAGES.map(([key, label]): Figure => [label, `metrics.overall.funnel.${key}`, f[key] as number, 'count']),
    ['Completion rate', 'metrics.overall.funnel.completionRate', f.completionRate, 'rate'],
    ['Click-through rate', 'metrics.overall.funnel.clickThroughRate', f.clickThroughRate, 'rate'],
    ['Machine-likely opens (privacy proxies, not counted)', 'metrics.overall.funnel.machineOpened', f.machineOpened, 'count'],
    ['Bot events (not counted)', 'metrics.overall.botEvents', m.overall.botEvents, 'count'],
  ]);

  const channels = Object.entries(m.channels).sort(([a], [b]) => a.localeCompare(b));
  table(
    byId('mc-channel-table'),
    ['Channel', ...FUNNEL_STAGES.map(([, label]) => label), 'Completion', 'CTR', 'Machine opens', 'Bots'],
    channels.map(([channel, c]) => {
      const p = `metrics.channels.${channel}`;
      return [
        el('th', channel, { scope: 'row' }),
        ...FUNNEL_STAGES.map(([key]) => metric('td', `${p}.funnel.${key}`, c.funnel[key] as number, 'count')),
        metric('td', `${p}.funnel.completionRate`, c.funnel.completionRate, 'rate'),
        metric('td', `${p}.funnel.clickThroughRate`, c.funnel.clickThroughRate, 'rate'),
        metric('td', `${p}.machineOpens`, c.machineOpens, 'count'),
        metric('td', `${p}.botEvents`, c.botEvents, 'count'),
      ];
    }),
    'No events yet.',
  );

  const t = m.timeToFirstResponse;
  figures(byId('mc-ttfr-figures'), [
    ['Recipients', 'metrics.timeToFirstResponse.samples', t.samples, 'count'],
    ['p50', 'metrics.timeToFirstResponse.p50Ms', t.p50Ms, 'duration'],
    ['p90', 'metrics.timeToFirstResponse.p90Ms', t.p90Ms, 'duration'],
  ]);
  const buckets = byId('mc-ttfr-buckets');
  buckets.replaceChildren(
    ...t.histogram.map((b, i) => {
      const item = el('li');
      const bound = bucketLabel(b.upToMs, i > 0 ? t.histogram[i - 1]!.upToMs : null);
      item.append(el('span', bound, { class: 'bound' }), metric('span', `metrics.timeToFirstResponse.histogram.${i}.count`, b.count, 'count'));
      return item;
    }),
  );

  const x = m.crossChannel;
  figures(byId('mc-cross-figures'), [
    ['Cross-channel engagement', 'metrics.crossChannel.rate', x.rate, 'rate'],
    ['Engaged recipients', 'metrics.crossChannel.engagedRecipients', x.engagedRecipients, 'count'],
    ['In more than one channel', 'metrics.crossChannel.multiChannelRecipients', x.multiChannelRecipients, 'count'],
  ]);

  const c = m.consistency;
  figures(byId('mc-consistency-figures'), [
    ['Consistency score', 'metrics.consistency.score', c.score, 'rate'],
    ['Recipients compared', 'metrics.consistency.recipientsCompared', c.recipientsCompared, 'count'],
    ['Consistent', 'metrics.consistency.consistent', c.consistent, 'count'],
    ['Drifted', 'metrics.consistency.driftedTotal', c.driftedTotal, 'count'],
  ]);
  table(
    byId('mc-drifted'),
    ['Drifted recipient', 'Props hash per channel'],
    c.drifted.map((d) => [
      el('td', d.recipientId, { 'data-drifted': d.recipientId }),
      el(
        'td',
        Object.entries(d.channels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([channel, hash]) => `${channel} ${hash.slice(0, 10)}`)
          .join(' · '),
        { class: 'hashes' },
      ),
    ]),
    c.recipientsCompared === 0 ? 'No recipient delivered in more than one channel yet.' : 'Every channel was rendered from the same props.',
  );
  byId('mc-drifted-more').textContent = c.driftedTotal > c.drifted.length ? `and ${c.driftedTotal - c.drifted.length} more` : '';

  renderVersions(m);

  const w = data.webhookFailures;
  const failures = byId('mc-webhooks');
  figures(byId('mc-webhook-figures'), [['Recent failures', 'webhookFailures.items.length', w.items.length, 'count']]);
  table(
    failures,
    ['When', 'Endpoint', 'Status', 'Reason', 'Attempt', 'Events', 'State'],
    w.items.map((item) => [
      el('td', new Date(item.at).toLocaleString(), { title: new Date(item.at).toISOString() }),
      el('td', item.url, { class: 'url', title: item.url }),
      el('td', item.status === null ? '—' : String(item.status)),
      el('td', item.message ? `${item.errorClass}: ${item.message}` : item.errorClass, { class: 'reason' }),
      el('td', String(item.attempt)),
      el('td', String(item.events)),
      el('td', item.state),
    ]),
    w.available ? 'No failed deliveries.' : 'Webhooks are not set up on this farm.',
  );
}

/**
 * Version consistency (each event's shown profile version against the
 * version current at that moment) and data latency (profile update to each
 * channel's first event showing it), per channel.
 */
function renderVersions(m: DashboardData['metrics']): void {
  const v = m.versionConsistency;
  figures(byId('mc-version-figures'), [
    ['Version consistency', 'metrics.versionConsistency.score', v.score, 'rate'],
    ['Events compared', 'metrics.versionConsistency.eventsCompared', v.eventsCompared, 'count'],
    ['Showed the current version', 'metrics.versionConsistency.consistent', v.consistent, 'count'],
  ]);
  const channels = [...new Set([...Object.keys(v.channels), ...Object.keys(m.dataLatency)])].sort((a, b) => a.localeCompare(b));
  table(
    byId('mc-version-table'),
    ['Channel', 'Version consistency', 'Events compared', 'Data latency p50', 'p90', 'Updates shown'],
    channels.map((channel) => {
      const c = v.channels[channel];
      const d = m.dataLatency[channel];
      // Only figures the API answered carry a data-metric path; a channel missing from one side shows a dash.
      const none = () => el('td', '—');
      return [
        el('th', channel, { scope: 'row' }),
        c ? metric('td', `metrics.versionConsistency.channels.${channel}.score`, c.score, 'rate') : none(),
        c ? metric('td', `metrics.versionConsistency.channels.${channel}.eventsCompared`, c.eventsCompared, 'count') : none(),
        d ? metric('td', `metrics.dataLatency.${channel}.p50Ms`, d.p50Ms, 'duration') : none(),
        d ? metric('td', `metrics.dataLatency.${channel}.p90Ms`, d.p90Ms, 'duration') : none(),
        d ? metric('td', `metrics.dataLatency.${channel}.samples`, d.samples, 'count') : none(),
      ];
    }),
    'No event of a sticky link carries a profile version yet.',
  );
}
