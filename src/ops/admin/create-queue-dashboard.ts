import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../errors/index.js';
import { adminAuth } from './admin-auth.js';

export interface QueueDashboardDeps {
  /** The farm's queues (render, transcode, webhooks), producer handles. */
  queues: readonly Queue[];
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface QueueDashboardOptions {
  /** ADMIN_API_KEYS; empty turns the dashboard off (404). */
  adminKeys: readonly string[];
  /** BULL_BOARD_READ_ONLY: show only, no retry, clean, pause or remove. Default false. */
  readOnly?: boolean;
  /** Where the router is mounted; the UI builds its links and API calls on it. Default `/admin/queues`. */
  basePath?: string;
}

/** Job data fields shown as `[redacted]`: personal data and secrets stay out of the dashboard. */
const REDACTED_FIELDS = new Set(['props', 'recipientId', 'recipient', 'email', 'phone', 'token', 'secret', 'signature', 'payload', 'deliveries', 'events']);

/**
 * Bull Board for the farm's queues, behind admin authentication (adminAuth):
 * mount the returned router at `basePath`. With no admin key the dashboard
 * is off: it answers 404 and the log says how to turn it on.
 */
export function createQueueDashboard(deps: QueueDashboardDeps, options: QueueDashboardOptions): Router {
  const basePath = options.basePath ?? '/admin/queues';
  const router = Router();
  if (options.adminKeys.filter(Boolean).length === 0) {
    deps.logger?.info({ path: basePath }, 'queue dashboard off: set ADMIN_API_KEYS=<key> to serve it (HTTP Basic password or Bearer)');
    router.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('NOT_FOUND', 'the queue dashboard is off (ADMIN_API_KEYS is empty)')));
    return router;
  }
  const readOnly = options.readOnly ?? false;
  const serverAdapter = new ExpressAdapter().setBasePath(basePath);
  const adapters = deps.queues.map((queue) => {
    const adapter = new BullMQAdapter(queue, { readOnlyMode: readOnly, allowRetries: !readOnly });
    adapter.setFormatter('data', redact);
    return adapter;
  });
  createBullBoard({ queues: adapters, serverAdapter, options: { uiConfig: { boardTitle: 'mastercut queues' } } });
  router.use(adminAuth(options.adminKeys), withoutExternalFonts, serverAdapter.getRouter());
  deps.logger?.info({ path: basePath, readOnly, queues: deps.queues.map((q) => q.name) }, 'queue dashboard on');
  return router;
}

/** Bull Board's page links IBM Plex on Google Fonts (and may preconnect to it). */
const EXTERNAL_FONT_LINK = /<link\b[^>]*\bhref="https:\/\/fonts\.(googleapis|gstatic)\.com[^"]*"[^>]*>\s*/g;

/**
 * Renders Bull Board's page without its Google Fonts link: on an air-gapped
 * network that is a failed request on every load, and elsewhere a request to
 * a third party from an admin page. Its CSS falls back to the system fonts.
 * (Its Express adapter renders the page with `res.render`; an own `render`
 * on the response outlives the sub-app's prototype swap.)
 */
function withoutExternalFonts(_req: Request, res: Response, next: NextFunction): void {
  const render = res.render.bind(res);
  res.render = ((view: string, locals?: object) =>
    render(view, locals ?? {}, (err: Error | null, html?: string) => (err ? next(err) : void res.send((html ?? '').replace(EXTERNAL_FONT_LINK, ''))))) as Response['render'];
  next();
}

function redact(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, REDACTED_FIELDS.has(k) ? '[redacted]' : v]));
}
