import { escapeHtml as e, jsonForScriptElement } from '../../http/index.js';
import type { DashboardBoot } from './dashboard-data.schema.js';
import { DASHBOARD_STYLES } from './dashboard-styles.js';

export interface DashboardPageInput {
  /** This response's CSP nonce (also sent in the header: see dashboardCsp()). */
  nonce: string;
  /** The first data answer and the client's URLs, inlined as a JSON data block. */
  boot: DashboardBoot;
  /** URL of the compiled client (content-hashed). */
  scriptUrl: string;
  /** Where the logout form posts. */
  logoutUrl: string;
}

/**
 * The campaign dashboard page: a static skeleton whose figures and charts
 * the client fills from the inlined first answer, then refreshes from the
 * data endpoint. Every untrusted string is escaped; the boot data travels
 * as JSON that cannot close its element.
 */
export function renderDashboardPage(input: DashboardPageInput): string {
  const nonce = e(input.nonce);
  const id = e(input.boot.data.campaignId);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>Campaign ${id} · mastercut</title>
<style nonce="${nonce}">${DASHBOARD_STYLES}</style>
</head>
<body>
<header>
  <h1>Campaign <code>${id}</code></h1>
  <p class="meta"><span id="mc-template"></span> · <span class="badge" id="mc-state"></span> · <span id="mc-updated" aria-live="polite"></span></p>
  <form method="post" action="${e(input.logoutUrl)}"><button type="submit">Log out</button></form>
</header>
<p id="mc-notice" role="status" hidden></p>
<main>
  <section class="wide" aria-labelledby="h-progress">
    <h2 id="h-progress">Render progress</h2>
    <progress id="mc-progress-bar" max="1" value="0"></progress>
    <p class="muted" id="mc-eta"></p>
    <dl id="mc-progress-figures"></dl>
  </section>
  <section aria-labelledby="h-funnel">
    <h2 id="h-funnel">Funnel (unique recipients, all channels)</h2>
    <div class="chart tall"><canvas id="mc-funnel-chart" role="img" aria-label="Funnel chart"></canvas></div>
    <dl id="mc-funnel-figures"></dl>
  </section>
  <section aria-labelledby="h-channels">
    <h2 id="h-channels">Per channel</h2>
    <div class="chart tall"><canvas id="mc-channel-chart" role="img" aria-label="Funnel per channel"></canvas></div>
  </section>
  <section class="wide" aria-labelledby="h-channel-table">
    <h2 id="h-channel-table">Per channel, in figures</h2>
    <div class="scroll"><table id="mc-channel-table"></table></div>
  </section>
  <section aria-labelledby="h-ttfr">
    <h2 id="h-ttfr">Time to first response</h2>
    <div class="chart"><canvas id="mc-ttfr-chart" role="img" aria-label="Histogram of time to first response"></canvas></div>
    <ol class="buckets" id="mc-ttfr-buckets"></ol>
    <dl id="mc-ttfr-figures"></dl>
  </section>
  <section aria-labelledby="h-cross">
    <h2 id="h-cross">Cross-channel engagement</h2>
    <dl id="mc-cross-figures"></dl>
    <h2 id="h-consistency">Consistency across channels (props hash)</h2>
    <dl id="mc-consistency-figures"></dl>
    <div class="scroll"><table id="mc-drifted"></table></div>
    <p class="muted" id="mc-drifted-more"></p>
  </section>
  <section class="wide" aria-labelledby="h-versions">
    <h2 id="h-versions">Profile versions shown (sticky links)</h2>
    <dl id="mc-version-figures"></dl>
    <div class="scroll"><table id="mc-version-table"></table></div>
  </section>
  <section class="wide" id="mc-ltv" aria-labelledby="h-ltv">
    <h2 id="h-ltv">Value per recipient by cohort (LTV)</h2>
    <p class="muted" id="mc-ltv-window"></p>
    <div class="ltv-head">
      <label for="mc-ltv-currency">Currency</label> <select id="mc-ltv-currency"></select>
      <a class="btn" id="mc-ltv-csv" href="${e(input.boot.ltvCsvUrl)}" download>Export CSV</a>
    </div>
    <div class="ltv-body">
      <div class="chart"><canvas id="mc-ltv-chart" role="img" aria-label="Mean value per recipient by cohort, with 95% intervals"></canvas></div>
      <div>
        <dl id="mc-ltv-lift"></dl>
        <div class="scroll"><table id="mc-ltv-table"></table></div>
      </div>
    </div>
    <h2 id="h-conversions">Conversions and attribution</h2>
    <dl id="mc-conversion-figures"></dl>
    <div class="scroll"><table id="mc-attribution"></table></div>
  </section>
  <section class="wide" aria-labelledby="h-webhooks">
    <h2 id="h-webhooks">Recent webhook failures (all campaigns)</h2>
    <dl id="mc-webhook-figures"></dl>
    <div class="scroll"><table id="mc-webhooks"></table></div>
  </section>
</main>
<script type="application/json" id="mc-dashboard-boot">${jsonForScriptElement(input.boot)}</script>
<script nonce="${nonce}" src="${e(input.scriptUrl)}"></script>
</body>
</html>
`;
}
