import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../errors/index.js';

/** A temp file next to the final path, to fill and then commit or discard. */
export interface PreparedOutput {
  /** Absolute final path. */
  readonly finalPath: string;
  /** Absolute temp path in the same directory; give it to ffmpeg. */
  readonly tempPath: string;
  /** fsyncs the temp file and renames it over the final path. */
  commit(): Promise<void>;
  /** Deletes the temp file. A no-op after commit, so it can sit in `finally`. */
  discard(): Promise<void>;
}

type OutputState = 'open' | 'committed' | 'discarded';

/** Longest base name kept in temp names: `.<name>.<12 hex>.partial` must fit in 255 bytes. */
const MAX_NAME_CHARS = 200;

/**
 * Hidden temp name in the same directory, so the final rename is atomic (same
 * file system) and half-written files never look like real outputs.
 */
export function tempPathFor(finalPath: string, random: string = randomBytes(6).toString('hex')): string {
  const name = basename(finalPath).slice(0, MAX_NAME_CHARS);
  return join(dirname(finalPath), `.${name}.${random}.partial`);
}

function notWritable(path: string, why: string, cause?: unknown): AppError {
  return new AppError('OUTPUT_NOT_WRITABLE', `Cannot write output ${path}: ${why}`, { cause, details: { path } });
}

function explain(err: NodeJS.ErrnoException, dir: string): string {
  switch (err.code) {
    case 'ENOENT':
      return `directory ${dir} does not exist; create it first (mkdir -p ${dir}) or choose another output path.`;
    case 'ENOTDIR':
      return `a parent of ${dir} is a file, not a directory; choose another output path.`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to create files in ${dir}; fix its owner/mode or choose another output path.`;
    case 'EROFS':
      return `${dir} is on a read-only file system; choose another output path.`;
    case 'ENOSPC':
      return `no space left on the device holding ${dir}.`;
    default:
      return `${err.code ?? 'error'}: ${err.message}`;
  }
}

/** fsync so a crash right after the rename cannot leave an empty final file. */
async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Checks up front that `finalPath` can be written, and creates an empty,
 * exclusive temp file beside it. Throws AppError('OUTPUT_NOT_WRITABLE') naming
 * the path and what to do, before any expensive rendering starts.
 */
export async function prepareOutput(finalPath: string): Promise<PreparedOutput> {
  const absolute = resolve(finalPath);
  const dir = dirname(absolute);
  try {
    const dirStat = await stat(dir);
    if (!dirStat.isDirectory()) throw notWritable(absolute, `${dir} is not a directory; choose another output path.`);
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw notWritable(absolute, explain(err as NodeJS.ErrnoException, dir), err);
  }
  const existing = await stat(absolute).catch(() => null);
  if (existing?.isDirectory()) throw notWritable(absolute, 'it is a directory; give a file name.');

  const tempPath = tempPathFor(absolute);
  // Creating the temp file now is the real writability test (access() cannot
  // see read-only mounts or quotas everywhere) and 'wx' rules out collisions.
  try {
    await writeFile(tempPath, '', { flag: 'wx' });
  } catch (err) {
    throw notWritable(absolute, explain(err as NodeJS.ErrnoException, dir), err);
  }

  let state: OutputState = 'open';
  return {
    finalPath: absolute,
    tempPath,
    async commit() {
      if (state !== 'open') throw new AppError('INTERNAL', `output ${absolute} was already ${state}`);
      try {
        await fsyncPath(tempPath, 'r+');
        await rename(tempPath, absolute);
        state = 'committed';
      } catch (err) {
        throw notWritable(absolute, explain(err as NodeJS.ErrnoException, dir), err);
      }
      // Persist the directory entry too; some file systems refuse to fsync a
      // directory, which is harmless here.
      await fsyncPath(dir, 'r').catch(() => {});
    },
    async discard() {
      if (state !== 'open') return;
      state = 'discarded';
      await rm(tempPath, { force: true });
    },
  };
}

/**
 * Writes `data` to `path` atomically: readers see the old file or the whole
 * new one, never a partial write. Throws AppError('OUTPUT_NOT_WRITABLE').
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const output = await prepareOutput(path);
  try {
    await writeFile(output.tempPath, data);
    await output.commit();
  } catch (err) {
    await output.discard();
    if (err instanceof AppError) throw err;
    throw notWritable(output.finalPath, explain(err as NodeJS.ErrnoException, dirname(output.finalPath)), err);
  }
}
