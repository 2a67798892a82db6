import { Router, type Request, type Response } from 'express';
import { ltvCsv, METRICS_CAMPAIGN_ID_PATTERN, type EngagementMetrics } from '../../engagement/index.js';
import { requireRedis, withRedisDeadline, checkParam, type RedisHealth } from '../../http/index.js';

export interface CampaignMetricsRoutesDeps {
  metrics: Pick<EngagementMetrics, 'campaignMetrics'>;
  redis?: RedisHealth;
}

/**
 * `GET /v1/campaigns/:id/metrics` (CampaignMetrics) and
 * `GET /v1/campaigns/:id/ltv.csv` (LTV by cohort, per currency). Mounted at
 * `/v1/campaigns` behind the API key, before the campaign router: it only
 * answers these paths, everything else goes on to the campaign routes. A
 * campaign with no events yet reads as zeros. Campaign ids are the farm's
 * own (`cmp_...`) or, from API-key clients, other systems' URL-safe ids.
 */
export function createCampaignMetricsRoutes(deps: CampaignMetricsRoutesDeps, options: { redisTimeoutMs?: number } = {}): Router {
  const router = Router();
  checkParam(router, 'id', METRICS_CAMPAIGN_ID_PATTERN);
  const ready = deps.redis ? [requireRedis(deps.redis)] : [];
  // TTFR, consistency and conversions scan per-recipient hashes: a larger deadline than a status read.
  const read = (id: string) => withRedisDeadline(deps.metrics.campaignMetrics(id), (options.redisTimeoutMs ?? 2_000) * 10);
  router.get('/:id/metrics', ...ready, async (req: Request<{ id: string }>, res: Response) => {
    const metrics = await read(req.params.id);
    res.setHeader('Cache-Control', 'no-store');
    res.json(metrics);
  });
  router.get('/:id/ltv.csv', ...ready, async (req: Request<{ id: string }>, res: Response) => {
    const metrics = await read(req.params.id);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${req.params.id.replace(/[^A-Za-z0-9_.-]/g, '_')}-ltv.csv"`);
    res.send(ltvCsv(metrics));
  });
  return router;
}
