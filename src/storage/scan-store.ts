import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertObjectKey } from './object-key.js';
import { isMetaName, metaPathFor } from './object-meta.js';

/** One object as a sweep sees it. */
export interface ScannedObject {
  key: string;
  path: string;
  size: number;
  /** Identity of the data file, to spot a put that replaced it after the scan. */
  ino: number;
  /** When it was stored: the data file's mtime, which the file store sets at commit. */
  storedMs: number;
  /** When it was last used: its sidecar's mtime (see access-tracker.ts), else storedMs. */
  usedMs: number;
}

/** A hidden leftover: a put's temp file or a sidecar without data. */
export interface ScannedLeftover {
  path: string;
  ino: number;
  /** Last sign of life: the later of mtime and ctime (a rename, as put does, bumps ctime only). */
  touchedMs: number;
}

export interface StoreScan {
  objects: ScannedObject[];
  leftovers: ScannedLeftover[];
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isKey(key: string): boolean {
  try {
    assertObjectKey(key);
    return true;
  } catch {
    return false;
  }
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return [];
    throw err;
  }
}

async function scanDirectory(dir: string, keyPrefix: string, out: StoreScan): Promise<void> {
  const entries = await list(dir);
  const names = new Set(entries.map((entry) => entry.name));
  for (const entry of entries) {
    // Symlinks are not ours to follow or delete; hidden directories are not the store's.
    if (entry.isSymbolicLink()) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.')) await scanDirectory(path, `${keyPrefix}${entry.name}/`, out);
      continue;
    }
    if (!entry.isFile()) continue;
    // Every stat may race with a put or delete: a vanished file is skipped.
    if (entry.name.startsWith('.')) {
      const orphanMeta = isMetaName(entry.name) && !names.has(entry.name.slice(1, -'.meta.json'.length));
      if (!entry.name.endsWith('.partial') && !orphanMeta) continue;
      const info = await lstat(path).catch(() => undefined);
      if (info) out.leftovers.push({ path, ino: info.ino, touchedMs: Math.max(info.mtimeMs, info.ctimeMs) });
      continue;
    }
    const key = `${keyPrefix}${entry.name}`;
    // A file that no key can name was not put here by the store: leave it alone.
    if (!isKey(key)) continue;
    const data = await lstat(path).catch(() => undefined);
    if (!data?.isFile()) continue;
    const meta = await stat(metaPathFor(path)).catch(() => undefined);
    out.objects.push({ key, path, size: data.size, ino: data.ino, storedMs: data.mtimeMs, usedMs: Math.max(meta?.mtimeMs ?? 0, data.mtimeMs) });
  }
}

/** Every object and leftover below `root`, without following symlinks. */
export async function scanStore(root: string): Promise<StoreScan> {
  const out: StoreScan = { objects: [], leftovers: [] };
  await scanDirectory(root, '', out);
  return out;
}
