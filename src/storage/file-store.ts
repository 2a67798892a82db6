import { mkdir, realpath, rename, stat, utimes } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors/index.js';
import { createAccessTracker } from './access-tracker.js';
import { assertByteRange, resolveByteRange } from './byte-range.js';
import { deleteMatching, deleteObjectFile, deleteTree } from './delete-objects.js';
import { assertObjectPrefix, isInside, resolveObjectPath } from './object-key.js';
import { fsyncFile, metaFor, metaPathFor, toObjectInfo, writeMeta } from './object-meta.js';
import type { ByteRange, ObjectInfo, ObjectStore, PutOptions } from './object-store.js';
import { openObject } from './open-object.js';
import { assertPutOptions, isFileSource } from './put-options.js';
import { stageFile, stageStream, type StagedObject } from './stage-object.js';
import { resolveStoreLifecycle, type StoreLifecycleOptions, type SweepOptions, type SweepResult } from './store-lifecycle.js';
import { sweepStore } from './sweep-store.js';

export interface FileStoreOptions extends StoreLifecycleOptions {
  /** Directory that holds every object; created on the first put. */
  root: string;
}

/** The file store: an ObjectStore whose objects always have a local path. */
export interface FileStore extends ObjectStore {
  /** Absolute root directory. */
  readonly root: string;
  /** Absolute path of `key`'s data file (validated; the file may not exist). */
  localPath(key: string): string;
  /**
   * Enforces the TTL and the byte budget and removes what killed writers left
   * (see sweep-store.ts). Meant for a timer in one API or worker process;
   * overlapping calls share one pass.
   */
  sweep(options?: SweepOptions): Promise<SweepResult>;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function outsideRoot(path: string): AppError {
  return new AppError('INVALID_KEY', `${path} resolves outside the store root`, {
    details: { reason: 'resolves outside the store root' },
  });
}

/**
 * The default ObjectStore: one file per object under `root`, named by its key.
 *
 * - put writes a hidden temp file in the target directory, fsyncs it, writes
 *   the sidecar (content type, sha256, and the inode it describes), then
 *   renames the data file into place: readers see all of it or nothing.
 * - get/head open the file first and pin that inode, so an overwrite while a
 *   body streams does not mix two versions.
 * - Keys are validated, resolved, and their directory's real path is checked
 *   against the root's, so neither `..` nor a planted symlink leads outside.
 * - With `maxBytes` / `ttlSeconds`, `sweep()` evicts least recently used
 *   objects and expires old ones (recency: access-tracker.ts).
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const root = resolve(options.root);
  const lifecycle = resolveStoreLifecycle(options);
  // Recency for LRU eviction: last put, get or head (the API heads before it reads localPath).
  const tracker = createAccessTracker(lifecycle.now, lifecycle.touchIntervalMs);
  let realRoot: string | undefined;
  let sweeping: Promise<SweepResult> | undefined;

  async function rootReal(): Promise<string> {
    realRoot ??= await realpath(root);
    return realRoot;
  }

  /**
   * For readers: the real path of the object's directory must stay below the
   * real root (a planted symlink must not lead outside). 'missing' when the
   * directory does not exist, so there is nothing to read.
   */
  async function checkDirectory(path: string): Promise<'ok' | 'missing'> {
    let realDir: string;
    try {
      realDir = await realpath(dirname(path));
      if (!isInside(await rootReal(), realDir)) throw outsideRoot(path);
      return 'ok';
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return 'missing';
      throw err;
    }
  }

  /**
   * For writers: checks the deepest existing ancestor before creating
   * anything, so `mkdir -p` can never create directories through a symlink.
   */
  async function prepareDirectory(path: string): Promise<void> {
    await mkdir(root, { recursive: true });
    const inside = await rootReal();
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      try {
        if (!isInside(inside, await realpath(dir))) throw outsideRoot(path);
        return;
      } catch (err) {
        if (errno(err) === 'ENOTDIR') {
          throw new AppError('INVALID_KEY', `A parent of ${path} is an object, not a directory`, {
            cause: err,
            details: { reason: 'parent is an object' },
          });
        }
        if (errno(err) !== 'ENOENT' || dir === root) throw err;
      }
    }
  }

  async function commit(key: string, path: string, staged: StagedObject, contentType: string): Promise<ObjectInfo> {
    try {
      // The data mtime is when the object was stored (the TTL counts from it),
      // also for a file moved in that was written long before.
      const storedAt = new Date(lifecycle.now());
      await utimes(staged.temp, storedAt, storedAt);
      const info = await stat(staged.temp);
      const meta = metaFor(info, contentType, staged.sha256);
      // Sidecar first, data second: a reader that finds the data name always
      // finds a sidecar for it (and spots, by inode, one that is not yet its own).
      await writeMeta(metaPathFor(path), meta);
      await rename(staged.temp, path);
      await fsyncFile(dirname(path)).catch(() => {});
      await tracker.touch(metaPathFor(path), true);
      await staged.afterCommit();
      return toObjectInfo(key, meta, info);
    } catch (err) {
      await staged.undo();
      if (errno(err) === 'EISDIR' || errno(err) === 'ENOTEMPTY') {
        throw new AppError('INVALID_KEY', `Key ${key} names a directory`, {
          cause: err,
          details: { reason: 'key names a directory' },
        });
      }
      throw err;
    }
  }

  return {
    root,

    async put(key: string, source: Readable | { file: string }, putOptions: PutOptions): Promise<ObjectInfo> {
      const path = resolveObjectPath(root, key);
      assertPutOptions(putOptions);
      await prepareDirectory(path);
      const staged = isFileSource(source) ? await stageFile(source.file, path) : await stageStream(source as Readable, path);
      return commit(key, path, staged, putOptions.contentType);
    },

    async get(key: string, range?: ByteRange) {
      const path = resolveObjectPath(root, key);
      if (range !== undefined) assertByteRange(range);
      if ((await checkDirectory(path)) === 'missing') return undefined;
      const opened = await openObject(path);
      if (!opened) return undefined;
      try {
        await tracker.touch(metaPathFor(path));
        const info = toObjectInfo(key, opened.meta, opened.stat);
        const bytes = range === undefined ? undefined : resolveByteRange(range, opened.stat.size);
        // Streams from the handle opened above: the bytes of the inode whose
        // sidecar we matched, even if a put replaces the name meanwhile.
        const body = opened.handle.createReadStream(bytes ? { start: bytes.start, end: bytes.end } : {});
        return { info, body };
      } catch (err) {
        await opened.handle.close();
        throw err;
      }
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      const path = resolveObjectPath(root, key);
      if ((await checkDirectory(path)) === 'missing') return undefined;
      const opened = await openObject(path);
      if (!opened) return undefined;
      await opened.handle.close();
      await tracker.touch(metaPathFor(path));
      return toObjectInfo(key, opened.meta, opened.stat);
    },

    async delete(key: string): Promise<boolean> {
      const path = resolveObjectPath(root, key);
      if ((await checkDirectory(path)) === 'missing') return false;
      return deleteObjectFile(path);
    },

    async deletePrefix(prefix: string): Promise<number> {
      assertObjectPrefix(prefix);
      const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
      const path = resolveObjectPath(root, body);
      if ((await checkDirectory(path)) === 'missing') return 0;
      if (prefix.endsWith('/')) {
        // `renders/` means the directory's content, not `renders-old/`.
        const dirReal = await realpath(path).catch(() => undefined);
        if (dirReal === undefined) return 0;
        if (!isInside(realRoot ?? root, dirReal)) throw outsideRoot(path);
        return deleteTree(path);
      }
      const slash = body.lastIndexOf('/');
      return deleteMatching(dirname(path), slash < 0 ? body : body.slice(slash + 1));
    },

    localPath(key: string): string {
      return resolveObjectPath(root, key);
    },

    sweep(sweepOptions?: SweepOptions): Promise<SweepResult> {
      sweeping ??= sweepStore(root, lifecycle, sweepOptions).finally(() => {
        sweeping = undefined;
      });
      return sweeping;
    },
  };
}
