import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAllowedAssetType, type AllowedAssetType } from './asset-kind.js';

/** One cached asset (image or video) on disk. */
export interface CachedAsset {
  path: string;
  contentType: AllowedAssetType;
  bytes: number;
}

/** Disk cache of fetched assets, keyed by sha256 of the URL (and kind). */
export interface AssetDiskCache {
  keyFor(url: string): string;
  read(key: string): Promise<CachedAsset | null>;
  write(key: string, body: Buffer, contentType: AllowedAssetType): Promise<CachedAsset>;
}

interface Sidecar {
  contentType: string;
  bytes: number;
}

/** Writes through a temp file in the same folder and renames it, so readers never see half a file. */
async function writeAtomically(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Creates the cache over `dir`. Each entry is `<key>.bin` plus `<key>.json`
 * (content type and size). The sidecar is written last, so its presence
 * means the entry is complete; an entry whose sizes disagree is a miss.
 * File names hold only the hash: URLs may carry personal data.
 */
export function createAssetDiskCache(dir: string): AssetDiskCache {
  const paths = (key: string) => ({ bin: path.join(dir, `${key}.bin`), meta: path.join(dir, `${key}.json`) });

  return {
    keyFor(url) {
      return createHash('sha256').update(url).digest('hex');
    },

    async read(key) {
      const { bin, meta } = paths(key);
      try {
        const sidecar = JSON.parse(await readFile(meta, 'utf8')) as Partial<Sidecar>;
        const type = sidecar.contentType;
        if (!isAllowedAssetType(type)) return null;
        const info = await stat(bin);
        if (info.size !== sidecar.bytes) return null;
        return { path: bin, contentType: type, bytes: info.size };
      } catch {
        return null;
      }
    },

    async write(key, body, contentType) {
      await mkdir(dir, { recursive: true });
      const { bin, meta } = paths(key);
      await writeAtomically(bin, body);
      const sidecar: Sidecar = { contentType, bytes: body.length };
      await writeAtomically(meta, JSON.stringify(sidecar));
      return { path: bin, contentType, bytes: body.length };
    },
  };
}
