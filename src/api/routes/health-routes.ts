import { Router } from 'express';
import type { ReadinessReport } from '../../ops/index.js';
import type { RedisHealth } from '../../http/index.js';

/**
 * `GET /healthz` (liveness: the process answers; says how Redis looks) and
 * `GET /readyz` (readiness: 503 while Redis is not ready, so a load balancer
 * stops sending traffic this instance can only refuse). No API key: probes
 * carry none, and neither answer reveals anything.
 */
export function createHealthRoutes(deps: { redis: RedisHealth; readiness?: { check(): Promise<ReadinessReport> } }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', redis: deps.redis.status === 'ready' ? 'ready' : 'unavailable' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.readiness) {
      // Redis reachable with maxmemory-policy noeviction (src/ops/health), plus the connection's own state.
      const report = await deps.readiness.check();
      const ready = report.status === 'ready' && deps.redis.status === 'ready';
      const redis = deps.redis.status === 'ready' ? 'ready' : 'unavailable';
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', redis, checks: report.checks });
      return;
    }
    const ready = deps.redis.status === 'ready';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', redis: ready ? 'ready' : 'unavailable' });
  });
  return router;
}
