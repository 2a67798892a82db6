import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors/index.js';

/** A complete local copy of a put's bytes, with what the upload must know up front. */
export interface SpooledFile {
  path: string;
  size: number;
  /** sha256 of the content, hex. */
  sha256: string;
}

function hasher(): { transform: Transform; result(): { size: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { transform, result: () => ({ size, sha256: hash.digest('hex') }) };
}

/**
 * Writes `source` to a private temp file in `dir`, hashing and counting on the
 * way. Used by stores that must know a body's length and hash before they send
 * it. The file is removed if the source fails; the caller removes it after use.
 */
export async function spoolStream(source: Readable, dir: string): Promise<SpooledFile> {
  const path = join(dir, `mastercut-spool-${randomBytes(8).toString('hex')}.partial`);
  const { transform, result } = hasher();
  try {
    // 0600: the bytes are someone's personalized video.
    await pipeline(source, transform, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { path, ...result() };
}

/**
 * Size and sha256 of a local file given to put. Refuses anything that is not a
 * regular file with INVALID_ARGUMENT, as the file store does.
 */
export async function hashLocalFile(path: string): Promise<SpooledFile> {
  const info = await stat(path).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'stat failed';
    throw new AppError('INVALID_ARGUMENT', `Cannot put ${path}: ${code}`, {
      cause: err,
      details: { reason: 'source file unreadable' },
    });
  });
  if (!info.isFile()) {
    throw new AppError('INVALID_ARGUMENT', `Cannot put ${path}: not a regular file`, {
      details: { reason: 'source is not a regular file' },
    });
  }
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { path, size, sha256: hash.digest('hex') };
}
