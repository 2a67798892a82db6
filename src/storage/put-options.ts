import { AppError } from '../errors/index.js';
import type { PutOptions } from './object-store.js';

/**
 * Checks a put's content type before any byte is consumed. CR/LF are refused:
 * the value becomes a response header (and, on S3, a request header).
 */
export function assertPutOptions(options: PutOptions | undefined): asserts options is PutOptions {
  const contentType = options?.contentType;
  if (typeof contentType !== 'string' || contentType.length === 0 || /[\r\n]/.test(contentType)) {
    throw new AppError('INVALID_ARGUMENT', 'put needs a contentType', { details: { reason: 'contentType' } });
  }
}

/** True when the put source is `{ file }` rather than a stream. */
export function isFileSource(source: unknown): source is { file: string } {
  return typeof source === 'object' && source !== null && 'file' in source && typeof source.file === 'string';
}
