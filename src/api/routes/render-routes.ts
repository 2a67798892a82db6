import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors/index.js';
import { enqueueRender, getRenderStatus, type RenderStatus, type RenderStatusDeps, type RenderOutputIndex, type RenderQueue, renderJobSchema, waitForRender } from '../../renders/index.js';
import type { ObjectStore } from '../../storage/index.js';
import type { TemplateRegistry } from '../../templates/index.js';
import { requireRedis, withRedisDeadline, checkParam, RENDER_KEY_PATTERN, TEMPLATE_ID_PATTERN, type RedisHealth } from '../../http/index.js';

export interface RenderRoutesDeps {
  registry: TemplateRegistry;
  renderQueue: Pick<RenderQueue, 'queue' | 'events' | 'jobOptions'>;
  index: RenderOutputIndex;
  store: ObjectStore;
  redis: RedisHealth;
  /** Erasure tombstones (the Live wiring's): an erased render's status answers 410, not its failure. */
  wasErased?: RenderStatusDeps['wasErased'];
}

/** `POST /v1/renders` body. Unknown fields are refused, so a typo is an error rather than a silent default. */
const createRenderBody = z
  .object({
    templateId: z.string().regex(TEMPLATE_ID_PATTERN),
    variant: z.string().min(1).max(32).optional(),
    props: z.record(z.string(), z.unknown()).optional(),
    /** Campaign priority is for fan-out only. */
    priority: z.enum(['api', 'live']).optional(),
    format: renderJobSchema.shape.format.optional(),
  })
  .strict();

const WAIT_PATTERN = /^\d{1,6}$/;

/**
 * `POST /v1/renders` queues a render once per key (202, or 200 when its
 * output already exists); `?wait=N` then waits up to N seconds (capped) and
 * answers with the final status. `GET /v1/renders/:key` reports state,
 * progress, output and error.
 */
export function createRenderRoutes(deps: RenderRoutesDeps, options: { maxWaitSeconds: number; redisTimeoutMs: number }): Router {
  const router = Router();
  checkParam(router, 'key', RENDER_KEY_PATTERN);
  const queueDeps = {
    registry: deps.registry,
    queue: deps.renderQueue.queue,
    events: deps.renderQueue.events,
    jobOptions: deps.renderQueue.jobOptions,
    index: deps.index,
    store: deps.store,
    ...(deps.wasErased ? { wasErased: deps.wasErased } : {}),
  };
  const deadline = <T>(work: Promise<T>) => withRedisDeadline(work, options.redisTimeoutMs);

  router.post('/', requireRedis(deps.redis), async (req: Request, res: Response) => {
    const waitSeconds = parseWait(req.query.wait, options.maxWaitSeconds);
    const parsed = createRenderBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      // Paths and zod's wording only: never the values, which may be personal data.
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
      throw new AppError('INVALID_ARGUMENT', 'invalid render request body', { details: { issues } });
    }
    const body = parsed.data;
    // The first request for a template builds its bundle (seconds, no Redis):
    // done outside the Redis deadline so it is not mistaken for an outage.
    await deps.registry.bundle(body.templateId);
    const queued = await deadline(
      enqueueRender(queueDeps, {
        templateId: body.templateId,
        variant: body.variant,
        props: body.props,
        format: body.format,
        priorityClass: body.priority ?? 'api',
      }),
    );
    let status: RenderStatus | { renderKey: string; state: RenderStatus['state'] } = { renderKey: queued.renderKey, state: queued.state };
    if (waitSeconds > 0 && queued.state !== 'done') {
      const abort = new AbortController();
      const onClose = () => abort.abort();
      res.once('close', onClose);
      try {
        const waitMs = waitSeconds * 1000;
        status = await withRedisDeadline(waitForRender(queueDeps, queued.renderKey, waitMs, abort.signal), waitMs + options.redisTimeoutMs);
      } finally {
        res.off('close', onClose);
      }
    } else if (queued.state === 'done') {
      status = await deadline(getRenderStatus(queueDeps, queued.renderKey));
    }
    const finished = status.state === 'done' || status.state === 'failed';
    if (!finished) res.setHeader('Location', selfLink(status.renderKey));
    res.setHeader('Cache-Control', 'no-store');
    res.status(finished ? 200 : 202).json(present(status));
  });

  router.get('/:key', requireRedis(deps.redis), async (req: Request<{ key: string }>, res: Response) => {
    const status = await deadline(getRenderStatus(queueDeps, req.params.key));
    res.setHeader('Cache-Control', 'no-store');
    res.json(present(status));
  });
  return router;
}

/** `?wait=N` in whole seconds, capped; absent means 0. */
function parseWait(value: unknown, max: number): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !WAIT_PATTERN.test(value)) {
    throw new AppError('INVALID_ARGUMENT', 'wait must be whole seconds', {
      details: { issues: [{ path: 'wait', message: `expected whole seconds (0-${max})` }] },
    });
  }
  return Math.min(Number(value), max);
}

function selfLink(key: string): string {
  return `/v1/renders/${key}`;
}

/** The client's view of a status: links instead of storage keys. */
function present(status: RenderStatus | { renderKey: string; state: RenderStatus['state'] }) {
  const full = status as RenderStatus;
  const outputLink = `/v1/outputs/${status.renderKey}`;
  return {
    renderKey: status.renderKey,
    state: status.state,
    ...(full.progress ? { progress: full.progress } : {}),
    ...(full.output ? { output: { url: outputLink, size: full.output.size, contentType: full.output.contentType } } : {}),
    ...(full.error ? { error: full.error } : {}),
    links: { self: selfLink(status.renderKey), output: outputLink },
  };
}
