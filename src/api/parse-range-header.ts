/** What a `Range` header asks of an object of known size. */
export type RangeRequest =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against an object of `size` bytes (RFC 9110
 * §14.1.2): `bytes=a-b` (end clamped to the last byte), `bytes=a-` (to the
 * end) and `bytes=-n` (the last n bytes). A first byte at or past the end is
 * unsatisfiable (416). Anything else (no header, another unit, a malformed
 * or a multi-range request) is answered with the whole object, which the
 * RFC allows: a server may ignore Range, and multipart/byteranges is not
 * worth its complexity for video players, which ask one range at a time.
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: 'full' };
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'full' };
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { kind: 'full' };
  // An inverted range is syntactically invalid, so it is ignored, not refused.
  if (end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/**
 * True when an `If-None-Match` header matches `etag` (weak comparison, as
 * RFC 9110 §13.1.2 asks for GET/HEAD): `*`, or any listed tag equal once
 * the `W/` prefixes are dropped.
 */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}
