import express, { Router, type Request, type Response } from 'express';
import { AppError, isAppError } from '../../errors/index.js';
import { checkParam, requireRedis, withRedisDeadline, type RedisHealth } from '../../http/index.js';
import { bulkUpsertProfiles, RECIPIENT_ID_PATTERN, type ProfileStore } from '../../recipients/index.js';
import { uploadBody } from './upload-body.js';

export interface RecipientRoutesDeps {
  profiles: ProfileStore;
  redis?: RedisHealth;
}

export interface RecipientRoutesOptions {
  /** Largest bulk upload (RECIPIENT_BULK_MAX_BYTES). Default 1 GiB. */
  maxUploadBytes?: number;
  redisTimeoutMs?: number;
}

const BULK_TYPES: Record<string, 'csv' | 'jsonl'> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

/**
 * `/v1/recipients` (behind the API key): profiles.
 * - `PUT /:id` replaces the fields (JSON object), `PATCH /:id` applies an
 *   RFC 7396 merge patch (application/merge-patch+json or application/json),
 *   both answering `{recipientId, version, hash, updatedAt}`;
 * - `GET /:id` answers the profile with its fields, `DELETE /:id` removes it;
 * - `POST /bulk` streams a CSV or JSON Lines upload, each row a PUT, and
 *   answers `{total, valid, invalid, errors: [{line, reason}]}`.
 */
export function createRecipientRoutes(deps: RecipientRoutesDeps, options: RecipientRoutesOptions = {}): Router {
  const maxUploadBytes = options.maxUploadBytes ?? 1024 ** 3;
  const redisTimeoutMs = options.redisTimeoutMs ?? 2_000;
  const router = Router();
  const ready = deps.redis ? requireRedis(deps.redis) : (_req: Request, _res: Response, next: () => void) => next();
  // The store checks the exact bound on canonical JSON (a clear 413); the parser only stops bodies far past it.
  const json = express.json({ limit: Math.max(64 * 1024, deps.profiles.maxBytes * 4), strict: false, type: ['application/json', 'application/merge-patch+json'] });
  checkParam(router, 'id', RECIPIENT_ID_PATTERN);

  router.post('/bulk', ready, async (req: Request, res: Response) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format = BULK_TYPES[mediaType];
    if (!format) throw new AppError('INVALID_ARGUMENT', 'send the profiles as text/csv or application/x-ndjson');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxUploadBytes) {
      res.setHeader('Connection', 'close');
      throw new AppError('PAYLOAD_TOO_LARGE', `profiles upload of ${declared} bytes`, { details: { maxBytes: maxUploadBytes } });
    }
    try {
      res.json(await bulkUpsertProfiles(deps.profiles, uploadBody(req, maxUploadBytes, 'a profiles upload'), { format }));
    } catch (err) {
      if (isAppError(err, 'PAYLOAD_TOO_LARGE')) res.setHeader('Connection', 'close');
      throw err;
    }
  });

  router.put('/:id', ready, json, async (req: Request<{ id: string }>, res: Response) => {
    res.json(await withRedisDeadline(deps.profiles.put(req.params.id, bodyOf(req)), redisTimeoutMs));
  });

  router.patch('/:id', ready, json, async (req: Request<{ id: string }>, res: Response) => {
    res.json(await withRedisDeadline(deps.profiles.patch(req.params.id, bodyOf(req)), redisTimeoutMs));
  });

  router.get('/:id', ready, async (req: Request<{ id: string }>, res: Response) => {
    const profile = await withRedisDeadline(deps.profiles.get(req.params.id), redisTimeoutMs);
    if (!profile) throw new AppError('NOT_FOUND', 'no profile for this recipient');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ recipientId: profile.recipientId, fields: profile.fields, version: profile.version, hash: profile.hash, updatedAt: profile.updatedAt });
  });

  router.delete('/:id', ready, async (req: Request<{ id: string }>, res: Response) => {
    if (!(await withRedisDeadline(deps.profiles.delete(req.params.id), redisTimeoutMs))) throw new AppError('NOT_FOUND', 'no profile for this recipient');
    res.status(204).end();
  });

  return router;
}

/** The parsed JSON body; a body of another type (or none) was never read. */
function bodyOf(req: Request): unknown {
  if (!req.is(['application/json', 'application/merge-patch+json'])) {
    throw new AppError('INVALID_ARGUMENT', 'send the profile as application/json (PATCH: or application/merge-patch+json)');
  }
  return req.body as unknown;
}
