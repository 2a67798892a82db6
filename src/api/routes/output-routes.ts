import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { findStoredByKey, type RenderOutputIndex } from '../../renders/index.js';
import { AppError } from '../../errors/index.js';
import type { ObjectInfo, ObjectStore } from '../../storage/index.js';
import { admitHot } from '../fast-path/hot-admission.js';
import { requireRedis, withRedisDeadline, checkParam, RENDER_KEY_PATTERN, type RedisHealth } from '../../http/index.js';
import { etagMatches, parseRangeHeader } from '../parse-range-header.js';

export interface OutputRoutesDeps {
  /** With `restore`, a master whose done record expired is found in the store (findStoredByKey). */
  index: Pick<RenderOutputIndex, 'get' | 'restore'>;
  store: ObjectStore;
  redis: RedisHealth;
  redisTimeoutMs: number;
  /** Optional (metrics): whether `GET /v1/outputs/:key` found a stored output. */
  onCacheLookup?: (result: 'hit' | 'miss') => void;
}

/** Files an HLS ladder writes: rung folders, playlists, init and media segments. */
const HLS_FILE = /^(?:[a-z0-9_-]{1,32}\/){0,2}[a-z0-9_.-]{1,64}\.(?:m3u8|m4s|mp4)$/;

/** Outputs are named by the hash of their inputs: the bytes behind a key never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * `GET /v1/outputs/:key`: the output of a finished render, found through the
 * output index (which knows its storage key, hence its format) and streamed
 * from the ObjectStore, with single byte ranges (206/416), a strong ETag
 * (304 on If-None-Match) and immutable caching. No API key: the 256-bit
 * content-addressed key is the capability, so links can be opened as is.
 */
export function createOutputRoutes(deps: OutputRoutesDeps): Router {
  const router = Router();
  checkParam(router, 'key', RENDER_KEY_PATTERN);
  router.get('/:key', requireRedis(deps.redis), async (req: Request<{ key: string }>, res: Response) => {
    const { record, info } = await withRedisDeadline(findStoredByKey(deps, req.params.key), deps.redisTimeoutMs);
    deps.onCacheLookup?.(info ? 'hit' : 'miss');
    if (!record || record.state !== 'done' || !record.storageKey) throw new AppError('NOT_FOUND', 'no finished output for this key');
    if (!info) throw new AppError('NOT_FOUND', `output ${record.storageKey} is indexed but not stored`);
    // Checked in full: this path may be answered from memory for the fast path's memo period.
    if (!deps.store.presignedUrl) admitHot(req, { storageKey: record.storageKey, info });
    await sendObject(deps.store, record.storageKey, info, req, res);
  });
  // The other files of a deliverable set: HLS rung playlists and segments next to master.m3u8.
  router.get('/:key/*file', requireRedis(deps.redis), async (req: Request<{ key: string; file: string[] }>, res: Response) => {
    const file = req.params.file.join('/');
    if (!HLS_FILE.test(file)) throw new AppError('NOT_FOUND', 'no such file in this output');
    const record = await withRedisDeadline(deps.index.get(req.params.key), deps.redisTimeoutMs);
    const dir = `deliverables/${req.params.key}/`;
    if (!record || record.state !== 'done' || !record.storageKey?.startsWith(dir)) throw new AppError('NOT_FOUND', 'no finished deliverable set for this key');
    const info = await deps.store.head(dir + file);
    if (!info) throw new AppError('NOT_FOUND', 'no such file in this output');
    await sendObject(deps.store, dir + file, info, req, res);
  });
  return router;
}

/** Sends a stored object with ETag/304, single ranges (206/416) and immutable caching. */
export async function sendObject(store: ObjectStore, storageKey: string, info: ObjectInfo, req: Request, res: Response): Promise<void> {
  // An S3 store in redirect mode: the client fetches the bytes from the bucket.
  // The presigned URL expires, so the redirect itself is only cached briefly.
  const presigned = await store.presignedUrl?.(storageKey);
  if (presigned) {
    res.setHeader('Cache-Control', 'private, max-age=60');
    res.redirect(302, presigned);
    return;
  }
  res.setHeader('ETag', info.etag);
  res.setHeader('Cache-Control', IMMUTABLE);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Last-Modified', info.modifiedAt.toUTCString());
  if (etagMatches(req.get('if-none-match'), info.etag)) {
    res.status(304).end();
    return;
  }
  // If-Range: a range only applies to the representation the client already has.
  const ifRange = req.get('if-range');
  const rangeHeader = ifRange && ifRange.trim() !== info.etag ? undefined : req.get('range');
  const range = parseRangeHeader(rangeHeader, info.size);
  if (range.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${info.size}`);
    res.status(416).end();
    return;
  }
  res.setHeader('Content-Type', info.contentType);
  const span = range.kind === 'partial' ? { start: range.start, end: range.end } : undefined;
  if (span) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${span.start}-${span.end}/${info.size}`);
    res.setHeader('Content-Length', String(span.end - span.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(info.size));
  }
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return;
  }
  const body = await openBody(store, storageKey, span);
  try {
    await pipeline(body, res);
  } catch (err) {
    // A player that seeks drops its connection mid-body all the time: not an error.
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw err;
  }
}

/**
 * A local file is read straight from disk (no extra hop through the store's
 * stream); other stores stream their own ranged body. Opening the file
 * before the first byte is sent means a vanished file is a clean 404.
 */
async function openBody(store: ObjectStore, storageKey: string, span: { start: number; end: number } | undefined): Promise<Readable> {
  const local = store.localPath?.(storageKey);
  if (local) {
    try {
      const handle = await open(local, 'r');
      return handle.createReadStream(span ? { start: span.start, end: span.end } : {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new AppError('NOT_FOUND', `output ${storageKey} vanished`);
    }
  }
  const object = await store.get(storageKey, span);
  if (!object) throw new AppError('NOT_FOUND', `output ${storageKey} vanished`);
  return object.body;
}
