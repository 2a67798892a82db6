import { Router, type Request, type Response } from 'express';
import type { EngagementMetrics } from '../../engagement/index.js';
import { requireRedis, withRedisDeadline } from '../middleware/require-redis.js';
import { checkParam } from '../params.js';
import type { RedisHealth } from '../to-app-error.js';

export interface CampaignMetricsRoutesDeps {
  metrics: Pick<EngagementMetrics, 'campaignMetrics'>;
  redis?: RedisHealth;
}

/**
 * Campaign ids of events: the farm's own (`cmp_...`) and, from API-key
 * clients, other systems' ids, as long as they are URL-safe.
 */
const METRICS_CAMPAIGN_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * `GET /v1/campaigns/:id/metrics` (CampaignMetrics). Mounted at
 * `/v1/campaigns` behind the API key, before the campaign router: it only
 * answers this one path, everything else goes on to the campaign routes.
 * A campaign with no events yet reads as zeros.
 */
export function createCampaignMetricsRoutes(deps: CampaignMetricsRoutesDeps, options: { redisTimeoutMs?: number } = {}): Router {
  const router = Router();
  checkParam(router, 'id', METRICS_CAMPAIGN_ID_PATTERN);
  const ready = deps.redis ? [requireRedis(deps.redis)] : [];
  router.get('/:id/metrics', ...ready, async (req: Request<{ id: string }>, res: Response) => {
    // TTFR and consistency scan per-recipient hashes: a larger deadline than a status read.
    const metrics = await withRedisDeadline(deps.metrics.campaignMetrics(req.params.id), (options.redisTimeoutMs ?? 2_000) * 10);
    res.setHeader('Cache-Control', 'no-store');
    res.json(metrics);
  });
  return router;
}
