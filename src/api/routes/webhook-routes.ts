import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { listRecentWebhookFailures, WEBHOOK_ENDPOINT_ID_PATTERN, type ReplayResult, type WebhookRegistry } from '../../engagement/index.js';
import type { Redis } from 'ioredis';
import { AppError } from '../../errors/index.js';
import { requireRedis, withRedisDeadline, checkParam, type RedisHealth } from '../../http/index.js';

export interface WebhookRouterDeps {
  registry: WebhookRegistry;
  /** `replayWebhookEvents` bound to the webhooks queue. */
  replay: (endpointId: string, body: unknown) => Promise<ReplayResult>;
  /** Read for recent failures; its status answers 503 at once while Redis is down. */
  redis: Redis & RedisHealth;
}

export interface WebhookRouterOptions {
  /** Deadline of each route's Redis work (registration also resolves DNS). Default 5000 ms. */
  timeoutMs?: number;
}

const limitSchema = z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(50) });

/**
 * `/v1/webhooks`, mounted behind the API key and the JSON body parser:
 * - `POST /` `{url, events[], secret?, description?, includeBots?}` → 201, with `secret` (shown this once);
 * - `GET /`, `GET /:id` (secrets as hints only, plus delivery stats), `PATCH /:id`, `DELETE /:id` → 204;
 * - `POST /:id/rotate-secret` `{secret?}` → the new secret (the old one keeps signing for the overlap);
 * - `POST /:id/enable` (clears the failure run);
 * - `POST /:id/replay` `{from, to?}` or `{eventIds}` → 202 `{jobs, events, truncated, notFound}`;
 * - `GET /:id/failures?limit=` the endpoint's recent failed attempts.
 */
export function createWebhookRouter(deps: WebhookRouterDeps, options: WebhookRouterOptions = {}): Router {
  const ms = options.timeoutMs ?? 5_000;
  const router = Router();
  const ready = requireRedis(deps.redis);
  const within = <T>(work: Promise<T>) => withRedisDeadline(work, ms);
  checkParam(router, 'id', WEBHOOK_ENDPOINT_ID_PATTERN);
  router.use(ready);

  router.post('/', async (req: Request, res: Response) => {
    const { endpoint, secret } = await within(deps.registry.create(req.body));
    res.status(201).json({ ...endpoint, secret });
  });
  router.get('/', async (_req: Request, res: Response) => {
    res.json({ endpoints: await within(deps.registry.list()) });
  });
  router.get('/:id', async (req: Request, res: Response) => {
    res.json(await within(deps.registry.get(String(req.params.id))));
  });
  router.patch('/:id', async (req: Request, res: Response) => {
    res.json(await within(deps.registry.update(String(req.params.id), req.body)));
  });
  router.delete('/:id', async (req: Request, res: Response) => {
    await within(deps.registry.delete(String(req.params.id)));
    res.status(204).end();
  });
  router.post('/:id/rotate-secret', async (req: Request, res: Response) => {
    const { endpoint, secret } = await within(deps.registry.rotateSecret(String(req.params.id), req.body));
    res.json({ ...endpoint, secret });
  });
  router.post('/:id/enable', async (req: Request, res: Response) => {
    res.json(await within(deps.registry.enable(String(req.params.id))));
  });
  router.post('/:id/replay', async (req: Request, res: Response) => {
    res.status(202).json(await within(deps.replay(String(req.params.id), req.body)));
  });
  router.get('/:id/failures', async (req: Request, res: Response, next: NextFunction) => {
    const parsed = limitSchema.safeParse(req.query);
    if (!parsed.success) return next(new AppError('INVALID_ARGUMENT', 'limit must be an integer from 1 to 1000', { details: { issues: [{ path: 'limit', message: 'integer from 1 to 1000' }] } }));
    const id = String(req.params.id);
    await within(deps.registry.get(id));
    res.json({ failures: await within(listRecentWebhookFailures(deps.redis, { endpointId: id, limit: parsed.data.limit })) });
  });
  return router;
}
