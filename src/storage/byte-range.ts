import { AppError } from '../errors/index.js';
import type { ByteRange } from './object-store.js';

function invalidRange(range: ByteRange, size: number | undefined, reason: string): AppError {
  return new AppError('INVALID_ARGUMENT', `Byte range ${range.start}-${range.end} is not satisfiable: ${reason}`, {
    // `satisfiable: false` + `size` is what an HTTP layer needs for a 416
    // with `Content-Range: bytes */<size>`.
    details: { reason, range: { start: range.start, end: range.end }, size, satisfiable: false },
  });
}

/**
 * Checks the shape of an inclusive range before any I/O: integers,
 * 0 <= start <= end. Throws AppError('INVALID_ARGUMENT').
 */
export function assertByteRange(range: ByteRange): void {
  if (!range || typeof range !== 'object') {
    throw new AppError('INVALID_ARGUMENT', 'Byte range must be an object {start, end}', {
      details: { reason: 'not an object', satisfiable: false },
    });
  }
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw invalidRange(range, undefined, 'not integers');
  if (start < 0) throw invalidRange(range, undefined, 'negative start');
  if (end < start) throw invalidRange(range, undefined, 'end before start');
}

/**
 * Resolves an inclusive range against an object of `size` bytes, as HTTP
 * does (RFC 9110 §14.1.2): an `end` past the last byte is clamped, a `start`
 * at or past the end (or any range of an empty object) is unsatisfiable and
 * throws AppError('INVALID_ARGUMENT') with `details.size`.
 */
export function resolveByteRange(range: ByteRange, size: number): ByteRange {
  assertByteRange(range);
  if (range.start >= size) throw invalidRange(range, size, 'start at or past the end of the object');
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
