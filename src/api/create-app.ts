import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { pino } from 'pino';
import { AppError } from '../errors/index.js';
import { resolveApiOptions, type ApiDeps, type ApiOptions } from './api-deps.js';
import { apiKeyAuth } from './middleware/api-key-auth.js';
import { errorHandler, requestId } from '../http/index.js';
import { jsonBody } from './middleware/json-body.js';
import { pathGuard } from './middleware/path-guard.js';
import { requestLogger } from './middleware/request-logger.js';
import { createHealthRoutes } from './routes/health-routes.js';
import { createOutputRoutes } from './routes/output-routes.js';
import { createRenderRoutes } from './routes/render-routes.js';
import { createTemplateRoutes } from './routes/template-routes.js';

/**
 * The HTTP API as an Express app that does not listen: `src/api/main.ts`
 * listens, tests call `app.listen(0)`.
 *
 * Order matters: ids and logging come first so every answer (errors
 * included) is traced; the path guard refuses traversal before routing;
 * health and outputs are public; every management route checks the API key
 * before its body is read, so an anonymous client cannot make the server
 * parse anything; one error middleware ends the chain.
 */
export function createApp(deps: ApiDeps, options: ApiOptions = {}): Express {
  const opts = resolveApiOptions(options);
  const logger = deps.logger ?? pino({ level: 'silent' });
  const app = express();
  app.disable('x-powered-by');
  // Outputs set strong content ETags themselves; JSON status answers change and must not be cached.
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(requestId());
  app.use(requestLogger(logger));
  app.use(pathGuard());
  app.use(createHealthRoutes({ redis: deps.redis, readiness: deps.readiness }));
  const metrics = deps.metrics;
  const onCacheLookup = metrics ? (result: 'hit' | 'miss') => metrics.cacheLookup('store', result) : undefined;
  app.use('/v1/outputs', createOutputRoutes({ index: deps.index, store: deps.store, redis: deps.redis, redisTimeoutMs: opts.redisTimeoutMs, onCacheLookup }));
  // Live URLs are public: the sealed token is the capability (checked before anything else).
  if (deps.live) {
    app.use('/l', deps.live.pages);
    app.use('/b', deps.live.bundles);
  }
  if (deps.zeroKnowledge) app.use('/z', deps.zeroKnowledge);
  // The dashboard takes the API key as a Bearer header or a login session cookie, so it sits outside `auth`.
  if (deps.dashboard) app.use('/dashboard', deps.dashboard);
  // Bull Board checks the admin keys (not API_KEYS) itself, and answers 404 when none is set.
  if (deps.adminQueues) app.use('/admin/queues', deps.adminQueues);

  const auth = apiKeyAuth(deps.apiKeys, { mintKeys: deps.mintKeys });
  const json = jsonBody({ limitBytes: opts.jsonLimitBytes });
  // Events read their own bodies (JSON or text/plain beacons) and check the API key or a Live token themselves.
  if (deps.engagement) {
    app.use('/v1/events', deps.engagement.events);
    // The pixel is public (a click reference is its capability); imports check the API key themselves.
    app.use('/v1/conversions', deps.engagement.conversions);
  }
  app.use('/v1/templates', auth, createTemplateRoutes({ registry: deps.registry }));
  app.use(
    '/v1/renders',
    auth,
    json,
    createRenderRoutes(
      {
        registry: deps.registry,
        renderQueue: deps.renderQueue,
        index: deps.index,
        store: deps.store,
        redis: deps.redis,
        ...(deps.live?.wasKeyErased ? { wasErased: deps.live.wasKeyErased } : {}),
      },
      { maxWaitSeconds: opts.maxWaitSeconds, redisTimeoutMs: opts.redisTimeoutMs },
    ),
  );
  // Only `/:id/metrics` and `/:id/ltv.csv`; every other campaign path goes on to the campaign router.
  if (deps.engagement) app.use('/v1/campaigns', auth, deps.engagement.metrics);
  // The campaign router reads its own bodies: raw CSV / JSON Lines streams,
  // and JSON with its own (larger) limit for inline recipient lists.
  if (deps.campaignRouter) app.use('/v1/campaigns', auth, deps.campaignRouter);
  if (deps.webhookRouter) app.use('/v1/webhooks', auth, json, deps.webhookRouter);
  // Profiles read their own bodies: merge patches, and CSV / JSON Lines bulk uploads.
  if (deps.recipientRouter) app.use('/v1/recipients', auth, deps.recipientRouter);
  if (deps.live) {
    app.use('/v1/live-links', auth, json, deps.live.links);
    app.use('/v1/subjects', auth, deps.live.subjects);
  }

  app.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('NOT_FOUND', 'no such route')));
  app.use(errorHandler(logger, deps.redis));
  return app;
}
