import { lstat, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deleteObjectFile } from './delete-objects.js';
import { metaPathFor } from './object-meta.js';
import { scanStore, type ScannedLeftover, type ScannedObject } from './scan-store.js';
import type { StoreLifecycle, SweepOptions, SweepResult } from './store-lifecycle.js';

/**
 * Removes an object unless it changed since the scan: a put replaced it (other
 * inode) or, for an eviction, someone used it (newer sidecar mtime). The
 * check and the unlink are two steps; losing that race costs one cache miss.
 * A reader that already has the file open keeps reading it (POSIX unlink).
 */
async function removeObject(object: ScannedObject, checkUse: boolean): Promise<boolean> {
  const data = await lstat(object.path).catch(() => undefined);
  if (!data || data.ino !== object.ino) return false;
  if (checkUse) {
    const meta = await stat(metaPathFor(object.path)).catch(() => undefined);
    if (meta && meta.mtimeMs > object.usedMs) return false;
  }
  return deleteObjectFile(object.path);
}

async function removeLeftover(leftover: ScannedLeftover): Promise<boolean> {
  const info = await lstat(leftover.path).catch(() => undefined);
  if (!info || info.ino !== leftover.ino) return false;
  return unlink(leftover.path).then(() => true, () => false);
}

/**
 * Removes the directories that removals emptied, deepest first, never `root`.
 * A put that races this retries its mkdir (stage-object.ts).
 */
async function pruneDirectories(root: string, dirs: Set<string>): Promise<void> {
  const ordered = [...dirs].sort((a, b) => b.length - a.length);
  for (const start of ordered) {
    for (let dir = start; dir !== root && dir.startsWith(root); dir = dirname(dir)) {
      const removed = await rmdir(dir).then(() => true, () => false);
      if (!removed) break;
    }
  }
}

function expires(lifecycle: StoreLifecycle, object: ScannedObject, now: number): boolean {
  if (lifecycle.ttlMs <= 0 || now - object.storedMs <= lifecycle.ttlMs) return false;
  return lifecycle.ttlPrefixes === undefined || lifecycle.ttlPrefixes.some((prefix) => object.key.startsWith(prefix));
}

/**
 * One pass of the file store's lifecycle:
 * 1. temp files of killed writers (untouched for tempMaxAge) and orphan sidecars;
 * 2. objects past the TTL since they were stored;
 * 3. least recently used objects while the data is over maxBytes, sparing
 *    anything used within the grace period and anything under keepPrefixes.
 * A put in progress is never touched: its temp file is fresh, and it is not
 * an object until its rename.
 */
export async function sweepStore(root: string, lifecycle: StoreLifecycle, options: SweepOptions = {}): Promise<SweepResult> {
  const now = lifecycle.now();
  const scan = await scanStore(root);
  const result: SweepResult = { expired: 0, evicted: 0, bytesFreed: 0, tempFilesRemoved: 0, bytesStored: 0 };
  const emptied = new Set<string>();

  for (const leftover of scan.leftovers) {
    if (now - leftover.touchedMs > lifecycle.tempMaxAgeMs && (await removeLeftover(leftover))) {
      result.tempFilesRemoved++;
      emptied.add(dirname(leftover.path));
    }
  }

  const live: ScannedObject[] = [];
  for (const object of scan.objects) {
    if (expires(lifecycle, object, now) && (await removeObject(object, false))) {
      result.expired++;
      result.bytesFreed += object.size;
      emptied.add(dirname(object.path));
      await options.onRemoved?.(object.key, 'expired');
    } else {
      live.push(object);
    }
  }

  let stored = live.reduce((sum, object) => sum + object.size, 0);
  if (lifecycle.maxBytes > 0 && stored > lifecycle.maxBytes) {
    live.sort((a, b) => a.usedMs - b.usedMs);
    for (const object of live) {
      if (stored <= lifecycle.maxBytes) break;
      if (lifecycle.keepPrefixes.some((prefix) => object.key.startsWith(prefix))) continue;
      // Sorted by use: everything after this one is as recent or more.
      if (now - object.usedMs < lifecycle.graceMs) break;
      if (await removeObject(object, true)) {
        result.evicted++;
        result.bytesFreed += object.size;
        stored -= object.size;
        emptied.add(dirname(object.path));
        await options.onRemoved?.(object.key, 'evicted');
      }
    }
  }
  result.bytesStored = stored;
  await pruneDirectories(root, emptied);
  return result;
}
