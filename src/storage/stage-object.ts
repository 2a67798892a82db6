import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors/index.js';
import { fsyncFile, hashHandle, tempPathFor } from './object-meta.js';

/** A complete, fsynced, hidden temp file beside its final path, ready to rename. */
export interface StagedObject {
  temp: string;
  sha256: string;
  /** Runs after the object is committed (e.g. removes a copied-in source). */
  afterCommit(): Promise<void>;
  /** Runs when the put fails: gives a moved-in source back, removes the temp. */
  undo(): Promise<void>;
}

const MKDIR_ATTEMPTS = 3;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Creates the parent directory. Retries because a concurrent deletePrefix may
 * remove an emptied directory between our mkdir and the next step.
 */
async function withDirectory<T>(finalPath: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir(dirname(finalPath), { recursive: true });
      return await step();
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw new AppError('INVALID_KEY', `A parent of ${finalPath} is an object, not a directory`, {
          cause: err,
          details: { reason: 'parent is an object' },
        });
      }
      if (code !== 'ENOENT' || attempt >= MKDIR_ATTEMPTS) throw err;
    }
  }
}

/** Streams `source` into a new temp file beside `finalPath`, hashing on the way. */
export async function stageStream(source: Readable, finalPath: string): Promise<StagedObject> {
  const temp = tempPathFor(finalPath);
  // Open first (exclusive), so a missing directory is retried before a single
  // byte of the one-shot source stream is consumed.
  const handle: FileHandle = await withDirectory(finalPath, () => open(temp, 'wx'));
  const hash = createHash('sha256');
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const undo = () => rm(temp, { force: true });
  try {
    await pipeline(source, hasher, handle.createWriteStream());
    await fsyncFile(temp);
  } catch (err) {
    await handle.close().catch(() => {});
    await undo();
    throw err;
  }
  return { temp, sha256: hash.digest('hex'), afterCommit: async () => {}, undo };
}

async function assertRegularFile(file: string): Promise<void> {
  const info = await stat(file).catch((err: unknown) => {
    throw new AppError('INVALID_ARGUMENT', `Cannot put ${file}: ${errno(err) ?? 'stat failed'}`, {
      cause: err,
      details: { reason: 'source file unreadable' },
    });
  });
  if (!info.isFile()) {
    throw new AppError('INVALID_ARGUMENT', `Cannot put ${file}: not a regular file`, {
      details: { reason: 'source is not a regular file' },
    });
  }
}

/**
 * Moves a local file in: a rename when it sits on the same file system
 * (no copy of a large render), else a copy whose source is removed only after
 * the commit. Either way the caller's file is consumed on success.
 */
export async function stageFile(file: string, finalPath: string): Promise<StagedObject> {
  await assertRegularFile(file);
  const temp = tempPathFor(finalPath);
  let moved = false;
  await withDirectory(finalPath, async () => {
    try {
      await rename(file, temp);
      moved = true;
    } catch (err) {
      if (errno(err) !== 'EXDEV') throw err;
      await copyFile(file, temp, constants.COPYFILE_EXCL);
    }
  });
  const undo = async () => {
    if (moved) await rename(temp, file).catch(() => rm(temp, { force: true }));
    else await rm(temp, { force: true });
  };
  try {
    const handle = await open(temp, 'r');
    try {
      // The sha256 is read back from the temp file itself, and the fsync makes
      // a copied file durable before its name can appear.
      const sha256 = await hashHandle(handle);
      await handle.sync();
      return { temp, sha256, undo, afterCommit: () => (moved ? Promise.resolve() : rm(file, { force: true })) };
    } finally {
      await handle.close();
    }
  } catch (err) {
    await undo();
    throw err;
  }
}
