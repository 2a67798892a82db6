import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Request } from 'express';
import { byteLimitStream } from '../../campaigns/index.js';
import { AppError } from '../../errors/index.js';
import { badCompressedBody } from '../../http/index.js';

/**
 * A streamed upload's body (recipients, orders), decompressed per its
 * Content-Encoding, through the size cap (which counts decompressed bytes:
 * a small gzip bomb is stopped like a large upload). A dropped connection
 * or corrupt compressed data ends the stream with an error (400), an
 * unknown encoding throws UNSUPPORTED_ENCODING (415) at once. `what` names
 * the upload in those errors.
 */
export function uploadBody(req: Request, maxBytes: number, what: string): Readable {
  const decoder = decoderFor(req.headers['content-encoding'], what);
  const limited = byteLimitStream(maxBytes);
  const source = decoder ? req.pipe(decoder) : req;
  decoder?.once('error', (err) => limited.destroy(badCompressedBody(err)));
  source.pipe(limited);
  limited.once('error', () => source.unpipe(limited));
  req.once('aborted', () => limited.destroy(new AppError('INVALID_ARGUMENT', `${what} aborted by the client`)));
  req.once('error', (err) => limited.destroy(err));
  return limited;
}

function decoderFor(header: string | undefined, what: string): Transform | undefined {
  const encoding = (header ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  throw new AppError('UNSUPPORTED_ENCODING', `unsupported Content-Encoding of ${what}`);
}
