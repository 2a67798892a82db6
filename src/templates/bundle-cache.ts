import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBundle, listStaticFiles, sha256, type BuildBundleOptions, type BuiltBundle } from './build-bundle.js';

interface CacheRecord {
  version: string;
  inputs: Record<string, string>;
}

/**
 * Returns the on-disk bundle when none of its inputs changed, and rebuilds it
 * otherwise. Checking means hashing the recorded inputs (a few hundred KB), far
 * cheaper than an esbuild run; a static file added since counts as a change.
 */
export async function getOrBuildBundle(options: BuildBundleOptions): Promise<BuiltBundle & { fromCache: boolean }> {
  const recordPath = path.join(options.outRoot, 'inputs.json');
  const cached = await readRecord(recordPath);
  if (cached && (await isFresh(cached, options))) {
    return { ...cached, dir: path.join(options.outRoot, cached.version), fromCache: true };
  }
  const built = await buildBundle(options);
  const record: CacheRecord = { version: built.version, inputs: built.inputs };
  const temp = `${recordPath}.${process.pid}.partial`;
  await writeFile(temp, JSON.stringify(record));
  await rename(temp, recordPath);
  return { ...built, fromCache: false };
}

async function readRecord(file: string): Promise<CacheRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CacheRecord;
  } catch {
    return undefined;
  }
}

async function isFresh(record: CacheRecord, options: BuildBundleOptions): Promise<boolean> {
  try {
    // A bundle from before player.js existed is rebuilt.
    await Promise.all(['bundle.js', 'player.js'].map((file) => stat(path.join(options.outRoot, record.version, file))));
    const statics = await listStaticFiles(options.compositionsDir, options.templateId);
    for (const source of statics.values()) if (!(source in record.inputs)) return false;
    for (const [file, hash] of Object.entries(record.inputs)) {
      if (sha256(await readFile(file)) !== hash) return false;
    }
    return true;
  } catch {
    return false;
  }
}
