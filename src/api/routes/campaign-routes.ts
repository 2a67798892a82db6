import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  CAMPAIGN_ID_PATTERN,
  campaignParamsSchema,
  type CampaignService,
  type RecipientsFormat,
} from '../../campaigns/index.js';
import { AppError, isAppError } from '../../errors/index.js';
import { requireRedis, withRedisDeadline, checkParam, type RedisHealth } from '../../http/index.js';
import { uploadBody } from './upload-body.js';

export interface CampaignRouterDeps {
  campaigns: Pick<CampaignService, 'accept' | 'status' | 'manifest' | 'errors'>;
  /** The API's Redis connection: requests answer 503 at once while it is not ready. */
  redis?: RedisHealth;
}

export interface CampaignRouterOptions {
  /** Largest raw recipients upload (CSV / JSON Lines). Default 1 GiB. */
  maxUploadBytes?: number;
  /** Largest inline `recipients` array of a JSON body. Default 10,000. */
  maxInlineRecipients?: number;
  /** Largest JSON body, when the router is used without the app's JSON parser. Default 4 MiB. */
  jsonLimitBytes?: number;
  /** Deadline of the read-only routes' Redis work. Default 2000 ms. */
  redisTimeoutMs?: number;
}

const RAW_TYPES: Record<string, RecipientsFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

const pageSchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/**
 * `/v1/campaigns` (mounted behind the API key by createApp):
 * - `POST /` with the recipients as the raw body (`text/csv` or
 *   `application/x-ndjson`, streamed into the object store, never buffered,
 *   capped at `maxUploadBytes`) and the parameters in the query string
 *   (`templateId`, `channels=email,web`, `mode`, `variant`); or a JSON body
 *   `{templateId, channels, mode, variant?, recipients: [...]}` for small
 *   lists. Answers 202 with the status (state `ingesting`, every row counted
 *   valid or invalid) once the file is stored; the fan-out follows.
 * - `GET /:id` counts, progress and ETA; `GET /:id/manifest?format=csv|jsonl`;
 *   `GET /:id/errors?offset&limit` the invalid rows (line, reason, field paths).
 */
export function createCampaignRouter(deps: CampaignRouterDeps, options: CampaignRouterOptions = {}): Router {
  const maxUploadBytes = options.maxUploadBytes ?? 1024 ** 3;
  const maxInline = options.maxInlineRecipients ?? 10_000;
  const redisTimeoutMs = options.redisTimeoutMs ?? 2_000;
  const router = Router();
  const ready = deps.redis ? requireRedis(deps.redis) : (_req: Request, _res: Response, next: NextFunction) => next();
  // body-parser skips a body the app already parsed, so this only acts when mounted bare.
  const json = express.json({ limit: options.jsonLimitBytes ?? 4 * 1024 * 1024, type: ['application/json'] });
  checkParam(router, 'id', CAMPAIGN_ID_PATTERN);

  router.post('/', ready, json, async (req: Request, res: Response) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const rawFormat = RAW_TYPES[mediaType];
    let source: { recipients: Readable; format: RecipientsFormat; params: unknown };
    if (rawFormat) {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxUploadBytes) {
        res.setHeader('Connection', 'close');
        throw new AppError('PAYLOAD_TOO_LARGE', `recipients upload of ${declared} bytes`, { details: { maxBytes: maxUploadBytes } });
      }
      source = { recipients: uploadBody(req, maxUploadBytes, 'a recipients upload'), format: rawFormat, params: req.query };
    } else if (mediaType === 'application/json' && isObject(req.body)) {
      source = { recipients: inlineRecipients(req.body.recipients, maxInline), format: 'jsonl', params: req.body };
    } else {
      throw invalid('(body)', 'send the recipients as text/csv or application/x-ndjson, or a JSON body with a recipients array');
    }
    const params = campaignParamsSchema.safeParse(source.params);
    if (!params.success) {
      source.recipients.destroy();
      throw new AppError('INVALID_ARGUMENT', 'invalid campaign parameters', {
        details: { issues: params.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })) },
      });
    }
    try {
      // 202: the file is stored and every row counted; the fan-out runs as a job of its own.
      const status = await deps.campaigns.accept({ ...params.data, recipients: source.recipients, format: source.format });
      res.status(202).location(`${req.baseUrl}/${status.id}`).json(status);
    } catch (err) {
      // The client may still be sending: answer, then close rather than read the rest.
      if (isAppError(err, 'PAYLOAD_TOO_LARGE')) res.setHeader('Connection', 'close');
      throw err;
    }
  });

  router.get('/:id', ready, async (req: Request<{ id: string }>, res: Response) => {
    res.json(await withRedisDeadline(deps.campaigns.status(req.params.id), redisTimeoutMs));
  });

  router.get('/:id/manifest', ready, async (req: Request<{ id: string }>, res: Response) => {
    const format = req.query.format ?? 'csv';
    if (format !== 'csv' && format !== 'jsonl') throw invalid('format', 'expected csv or jsonl');
    const body = await withRedisDeadline(deps.campaigns.manifest(req.params.id, format), redisTimeoutMs);
    res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${req.params.id}-manifest.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(body, res);
  });

  router.get('/:id/errors', ready, async (req: Request<{ id: string }>, res: Response) => {
    const page = pageSchema.safeParse(req.query);
    if (!page.success) throw invalid(String(page.error.issues[0]?.path[0] ?? 'query'), 'expected a whole number in range');
    res.setHeader('Cache-Control', 'no-store');
    res.json(await withRedisDeadline(deps.campaigns.errors(req.params.id, page.data), redisTimeoutMs));
  });

  return router;
}

function inlineRecipients(value: unknown, max: number): Readable {
  if (!Array.isArray(value)) throw invalid('recipients', 'expected an array of recipient objects');
  if (value.length > max) throw invalid('recipients', `at most ${max} inline recipients; upload a file instead`);
  // The same path as an upload: line numbers are 1-based array positions.
  return Readable.from(value.map((row) => `${JSON.stringify(row ?? null)}\n`));
}

function invalid(path: string, message: string): AppError {
  return new AppError('INVALID_ARGUMENT', `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
