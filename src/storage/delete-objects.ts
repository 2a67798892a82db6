import type { Dirent } from 'node:fs';
import { readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isMetaName, metaPathFor } from './object-meta.js';

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Deletes one data file, then its sidecar. The data file goes first: its name
 * is what readers look for, so the object vanishes in one step.
 * True when a data file was removed.
 */
export async function deleteObjectFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
  } catch (err) {
    const code = errno(err);
    // EISDIR/EPERM: the key names a directory, which is not an object.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EPERM') return false;
    throw err;
  }
  await rm(metaPathFor(path), { force: true });
  return true;
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = errno(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * Deletes every object below `dir`, then the directories it emptied.
 * Symbolic links are neither followed nor removed (they are not ours), and
 * hidden `.partial` temp files of puts in progress are left alone, so a
 * concurrent put still commits. Orphan sidecars are swept.
 */
export async function deleteTree(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await list(dir)) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) count += await deleteTree(path);
    } else if (entry.isFile()) {
      if (!entry.name.startsWith('.')) {
        if (await deleteObjectFile(path)) count++;
      } else if (isMetaName(entry.name)) {
        await rm(path, { force: true });
      }
    }
  }
  // Fails harmlessly when a put in progress keeps a temp file in it.
  await rmdir(dir).catch(() => {});
  return count;
}

/**
 * Deletes the objects of `dir` whose names start with `namePrefix`, and the
 * whole of matching subdirectories (a key prefix may end mid-segment:
 * `renders/ab` matches `renders/abc.mp4` and `renders/ab12/x`).
 */
export async function deleteMatching(dir: string, namePrefix: string): Promise<number> {
  let count = 0;
  for (const entry of await list(dir)) {
    if (entry.name.startsWith('.') || !entry.name.startsWith(namePrefix) || entry.isSymbolicLink()) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) count += await deleteTree(path);
    else if (entry.isFile() && (await deleteObjectFile(path))) count++;
  }
  return count;
}
