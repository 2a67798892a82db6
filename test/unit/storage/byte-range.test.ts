import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors/index.js';
import { resolveByteRange } from '../../../src/storage/index.js';

function errorOf(work: () => unknown): AppError {
  try {
    work();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('resolveByteRange', () => {
  it('keeps a range inside the object and clamps an end past it', () => {
    expect(resolveByteRange({ start: 0, end: 0 }, 10)).toEqual({ start: 0, end: 0 });
    expect(resolveByteRange({ start: 9, end: 9 }, 10)).toEqual({ start: 9, end: 9 });
    expect(resolveByteRange({ start: 3, end: 100 }, 10)).toEqual({ start: 3, end: 9 });
  });

  it('calls a start at or past the end unsatisfiable, with the size for Content-Range', () => {
    const err = errorOf(() => resolveByteRange({ start: 10, end: 20 }, 10));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.details).toMatchObject({ size: 10, satisfiable: false, range: { start: 10, end: 20 } });
    expect(errorOf(() => resolveByteRange({ start: 0, end: 0 }, 0)).details.size).toBe(0);
  });

  it('refuses malformed ranges before looking at the size', () => {
    const bad = [
      { start: 5, end: 4 },
      { start: -1, end: 4 },
      { start: 0.5, end: 4 },
      { start: 0, end: Number.POSITIVE_INFINITY },
      { start: Number.NaN, end: 1 },
    ];
    for (const range of bad) expect(errorOf(() => resolveByteRange(range, 100)).code, JSON.stringify(range)).toBe('INVALID_ARGUMENT');
  });
});
