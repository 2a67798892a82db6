import type { CampaignStatus } from '../../campaigns/index.js';
import type { CampaignMetrics } from '../campaign-metrics.schema.js';
import type { WebhookFailureRecord } from '../webhooks/index.js';

/** `GET /dashboard/campaigns/:id/data`: everything one dashboard refresh shows, in one answer. */
export interface DashboardData {
  campaignId: string;
  /** Server time of this answer (the page shows "updated Ns ago" from it). */
  generatedAt: string;
  /** `campaignMetrics(id)`, exactly as `GET /v1/campaigns/:id/metrics` answers it. */
  metrics: CampaignMetrics;
  /** Render progress; null when this farm has no campaign record (events only). */
  status: CampaignStatus | null;
  /** The farm's most recent failed webhook deliveries (webhooks are per endpoint, not per campaign). */
  webhookFailures: { available: boolean; items: WebhookFailureRecord[] };
  /** True once nothing more will render (done, failed, or no campaign record): the page stops refreshing. */
  finished: boolean;
  /** How often the page refreshes while not finished. */
  refreshMs: number;
}

/** What the page hands its client inline (a JSON data block): the first answer and where to fetch the next. */
export interface DashboardBoot {
  data: DashboardData;
  /** `/dashboard/campaigns/:id/data`. */
  dataUrl: string;
  /** Where to log in again when the session ends, coming back to this page. */
  loginUrl: string;
  /** The LTV by cohort export of this campaign (`/dashboard/campaigns/:id/ltv.csv`). */
  ltvCsvUrl: string;
}
