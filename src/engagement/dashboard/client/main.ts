import type { DashboardBoot, DashboardData } from '../dashboard-data.schema.js';
import { createDashboardCharts } from './charts.js';
import { byId } from './dom.js';
import { formatAge } from './format.js';
import { renderFigures } from './render-figures.js';
import { createLtvChart } from './ltv-chart.js';
import { renderLtv } from './render-ltv.js';

// The dashboard's client, compiled by buildDashboardClient() and served as
// one nonce'd script. The first data answer comes inline with the page, so
// the charts draw without waiting for a second request.

const RETRY_MAX_MS = 60_000;

const boot = JSON.parse(byId('mc-dashboard-boot').textContent!) as DashboardBoot;
const charts = createDashboardCharts({
  funnel: byId<HTMLCanvasElement>('mc-funnel-chart'),
  channels: byId<HTMLCanvasElement>('mc-channel-chart'),
  ttfr: byId<HTMLCanvasElement>('mc-ttfr-chart'),
});
const ltvChart = createLtvChart(byId<HTMLCanvasElement>('mc-ltv-chart'));
const currencySelect = byId<HTMLSelectElement>('mc-ltv-currency');
const updated = byId('mc-updated');
const notice = byId('mc-notice');
const root = document.documentElement;

let receivedAt = Date.now();
let latest: DashboardData = boot.data;
let currency = '';
let refreshes = 0;
let failures = 0;
let stopped = false;

function showLtv(): void {
  currency = renderLtv(latest.metrics, currency) ?? '';
  ltvChart.update(latest.metrics.ltv, currency || undefined);
}

function show(data: DashboardData): void {
  latest = data;
  renderFigures(data);
  charts.update(data.metrics);
  showLtv();
  receivedAt = Date.now();
  root.dataset.finished = String(data.finished);
  root.dataset.refreshes = String(refreshes);
  root.dataset.ready = 'true';
  tick();
}

function tick(): void {
  updated.textContent = `updated ${formatAge(Date.now() - receivedAt)} ago`;
}

function say(text: string, link?: { href: string; label: string }): void {
  notice.replaceChildren(text);
  if (link) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.label;
    notice.append(' ', a);
  }
  notice.hidden = text === '';
}

function schedule(delayMs: number): void {
  if (!stopped) setTimeout(() => void refresh(), delayMs);
}

async function refresh(): Promise<void> {
  // A hidden tab does not poll; it catches up as soon as it is shown again.
  if (document.hidden) {
    document.addEventListener('visibilitychange', () => void refresh(), { once: true });
    return;
  }
  let response: Response;
  try {
    response = await fetch(boot.dataUrl, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'application/json' } });
  } catch {
    return retry('Cannot reach the server;');
  }
  if (response.status === 401) {
    stopped = true;
    root.dataset.stopped = 'unauthorized';
    say('Your session has ended.', { href: boot.loginUrl, label: 'Log in again' });
    return;
  }
  if (!response.ok) return retry(`The server answered ${response.status};`);
  let data: DashboardData;
  try {
    data = (await response.json()) as DashboardData;
  } catch {
    return retry('The answer was cut short;');
  }
  failures = 0;
  refreshes++;
  say('');
  show(data);
  if (data.finished) stopped = true;
  else schedule(data.refreshMs);
}

function retry(why: string): void {
  failures++;
  const delay = Math.min(RETRY_MAX_MS, boot.data.refreshMs * 2 ** failures);
  say(`${why} retrying in ${Math.round(delay / 1000)}s.`);
  schedule(delay);
}

currencySelect.addEventListener('change', () => {
  currency = currencySelect.value;
  showLtv();
});
show(boot.data);
setInterval(tick, 1000);
if (boot.data.finished) stopped = true;
else schedule(boot.data.refreshMs);
