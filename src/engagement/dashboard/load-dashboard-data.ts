import { CAMPAIGN_ID_PATTERN, type CampaignStatus } from '../../campaigns/index.js';
import { AppError, isAppError } from '../../errors/index.js';
import type { CampaignMetrics } from '../campaign-metrics.schema.js';
import type { WebhookFailureRecord } from '../webhooks/index.js';
import type { DashboardData } from './dashboard-data.schema.js';

export interface DashboardDataDeps {
  /** `createEngagementMetrics(redis).campaignMetrics`. */
  campaignMetrics(campaignId: string): Promise<CampaignMetrics>;
  /** `CampaignService.status`; NOT_FOUND when the farm has no such campaign. */
  campaignStatus(campaignId: string): Promise<CampaignStatus>;
  /** The most recent failed webhook deliveries, newest first (`listRecentWebhookFailures`); absent when webhooks are not wired. */
  webhookFailures?(limit: number): Promise<WebhookFailureRecord[]>;
}

export interface DashboardDataOptions {
  /** Page refresh period while the campaign runs. */
  refreshMs: number;
  /** Webhook failures listed. */
  failuresLimit: number;
}

const FINISHED_STATES = new Set(['done', 'failed']);

/**
 * Loads one dashboard refresh: metrics, render status and webhook failures,
 * read in parallel. A campaign unknown to the farm still has a dashboard
 * when events name it (campaigns made elsewhere report here too); with no
 * record and no event at all the answer is NOT_FOUND.
 */
export function createDashboardData(deps: DashboardDataDeps, options: DashboardDataOptions) {
  return async function loadDashboardData(campaignId: string): Promise<DashboardData> {
    const [metrics, status, failures] = await Promise.all([
      deps.campaignMetrics(campaignId),
      // Another system's campaign id is never a farm campaign: no record to look up.
      CAMPAIGN_ID_PATTERN.test(campaignId)
        ? deps.campaignStatus(campaignId).catch((err: unknown) => {
            if (isAppError(err, 'NOT_FOUND')) return null;
            throw err;
          })
        : null,
      deps.webhookFailures ? deps.webhookFailures(options.failuresLimit) : Promise.resolve(undefined),
    ]);
    if (status === null && !hasAnyEvent(metrics)) {
      throw new AppError('NOT_FOUND', `no campaign ${campaignId}`, { details: { campaignId } });
    }
    return {
      campaignId,
      generatedAt: new Date().toISOString(),
      metrics,
      status,
      webhookFailures: { available: failures !== undefined, items: failures ?? [] },
      finished: status === null || FINISHED_STATES.has(status.state),
      refreshMs: options.refreshMs,
    };
  };
}

function hasAnyEvent(metrics: CampaignMetrics): boolean {
  const events = Object.values(metrics.overall.events).reduce((sum, n) => sum + n, 0);
  return events + metrics.overall.botEvents + metrics.overall.funnel.delivered > 0;
}
