import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors/index.js';
import {
  DEFAULT_CONTENT_TYPE,
  hashHandle,
  metaFor,
  metaMatches,
  metaPathFor,
  readMeta,
  writeMeta,
  type ObjectMeta,
} from './object-meta.js';

/** An open data file (pinned inode) with the sidecar that describes it. */
export interface OpenedObject {
  handle: FileHandle;
  stat: Stats;
  meta: ObjectMeta;
}

/**
 * How often a reader re-checks a sidecar that does not match its data file
 * before repairing it. A put renames the sidecar then the data file, so a
 * mismatch normally lasts microseconds; only a crash or two racing puts of
 * the same key leave one behind.
 */
const MISMATCH_RETRIES = 4;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Opens without following a symlink at the last component: nothing outside the root is served. */
async function openData(path: string): Promise<{ handle: FileHandle; stat: Stats } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = errno(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') {
      throw new AppError('INVALID_KEY', `Object ${path} is a symbolic link`, { details: { reason: 'symbolic link' } });
    }
    throw err;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    return undefined;
  }
  return { handle, stat: info };
}

/**
 * Rebuilds a missing or stale sidecar from the bytes themselves (so the ETag
 * stays the content hash), keeping the last known content type. It is written
 * only while the path still names the inode that was hashed.
 */
async function repairMeta(path: string, handle: FileHandle, info: Stats, stale?: ObjectMeta): Promise<ObjectMeta> {
  const meta = metaFor(info, stale?.contentType ?? DEFAULT_CONTENT_TYPE, await hashHandle(handle));
  const current = await stat(path).catch(() => undefined);
  if (current && current.ino === info.ino) await writeMeta(metaPathFor(path), meta).catch(() => {});
  return meta;
}

/**
 * Opens the object at `path` with a consistent sidecar, or undefined when it
 * does not exist. The caller owns (and must close) the returned handle.
 */
export async function openObject(path: string): Promise<OpenedObject | undefined> {
  const metaPath = metaPathFor(path);
  for (let attempt = 0; ; attempt++) {
    const data = await openData(path);
    if (!data) return undefined;
    try {
      const meta = await readMeta(metaPath);
      if (metaMatches(meta, data.stat)) return { ...data, meta };
      if (attempt >= MISMATCH_RETRIES) {
        return { ...data, meta: await repairMeta(path, data.handle, data.stat, meta) };
      }
    } catch (err) {
      await data.handle.close();
      throw err;
    }
    // Mid-overwrite: close and look again, the data rename follows shortly.
    await data.handle.close();
    await sleep(2 ** attempt);
  }
}
