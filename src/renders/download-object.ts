import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError, type ErrorCode } from '../errors/index.js';
import type { ObjectStore } from '../storage/index.js';

/**
 * A local path to a stored object: the store's own file when it lives on
 * this file system, else a copy into `dir` under `name` (S3). `missingCode`
 * is the error when the object is gone.
 */
export async function objectOnDisk(
  store: Pick<ObjectStore, 'get' | 'localPath'>,
  key: string,
  target: { dir: string; name: string; missingCode: ErrorCode },
): Promise<string> {
  const local = store.localPath?.(key);
  if (local) return local;
  const object = await store.get(key);
  if (!object) throw new AppError(target.missingCode, `${key} disappeared before it could be read`);
  const file = path.join(target.dir, target.name);
  await pipeline(object.body, createWriteStream(file));
  return file;
}
