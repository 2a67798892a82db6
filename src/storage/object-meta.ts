import { createHash, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { ObjectInfo } from './object-store.js';

/**
 * What the file store keeps beside each data file. `ino`, `size` and
 * `mtimeMs` pin the sidecar to one exact data file: the two renames of a put
 * (sidecar, then data) are not one atomic step, so a reader compares them and
 * never pairs a new sidecar with old bytes or the other way round.
 */
export const objectMetaSchema = z.object({
  v: z.literal(1),
  contentType: z.string().min(1),
  /** sha256 of the content, hex: a strong ETag that is the same for the same bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  ino: z.number().int(),
  mtimeMs: z.number(),
});

export type ObjectMeta = z.output<typeof objectMetaSchema>;

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/**
 * Hidden names (leading dot) cannot be keys (every key segment starts with a
 * letter or digit), so temp and sidecar files never collide with objects and
 * get/head can never return them.
 */
export function metaPathFor(dataPath: string): string {
  return join(dirname(dataPath), `.${basename(dataPath)}.meta.json`);
}

export function tempPathFor(dataPath: string): string {
  return join(dirname(dataPath), `.${basename(dataPath)}.${randomBytes(6).toString('hex')}.partial`);
}

export function isMetaName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.meta.json');
}

/** True when the sidecar describes exactly this data file. */
export function metaMatches(meta: ObjectMeta | undefined, stat: Stats): meta is ObjectMeta {
  return meta !== undefined && meta.ino === stat.ino && meta.size === stat.size && meta.mtimeMs === stat.mtimeMs;
}

export function metaFor(stat: Stats, contentType: string, sha256: string): ObjectMeta {
  return { v: 1, contentType, sha256, size: stat.size, ino: stat.ino, mtimeMs: stat.mtimeMs };
}

export function toObjectInfo(key: string, meta: ObjectMeta, stat: Stats): ObjectInfo {
  return { key, size: stat.size, contentType: meta.contentType, etag: `"${meta.sha256}"`, modifiedAt: stat.mtime };
}

/** The sidecar, or undefined when it is missing or unreadable (a reader then repairs it). */
export async function readMeta(metaPath: string): Promise<ObjectMeta | undefined> {
  try {
    const parsed = objectMetaSchema.safeParse(JSON.parse(await readFile(metaPath, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the sidecar atomically (temp + fsync + rename), so it is never half-written. */
export async function writeMeta(metaPath: string, meta: ObjectMeta): Promise<void> {
  const temp = `${metaPath}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await writeFile(temp, JSON.stringify(meta), { flag: 'wx' });
    await fsyncFile(temp);
    await rename(temp, metaPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** sha256 hex of an open file, read through the handle so it is that very inode. */
export async function hashHandle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
