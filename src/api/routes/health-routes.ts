import { Router } from 'express';
import type { RedisHealth } from '../to-app-error.js';

/**
 * `GET /healthz` (liveness: the process answers; says how Redis looks) and
 * `GET /readyz` (readiness: 503 while Redis is not ready, so a load balancer
 * stops sending traffic this instance can only refuse). No API key: probes
 * carry none, and neither answer reveals anything.
 */
export function createHealthRoutes(deps: { redis: RedisHealth }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', redis: deps.redis.status === 'ready' ? 'ready' : 'unavailable' });
  });
  router.get('/readyz', (_req, res) => {
    const ready = deps.redis.status === 'ready';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', redis: ready ? 'ready' : 'unavailable' });
  });
  return router;
}
