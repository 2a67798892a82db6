import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { buildStillArgs, jpegQscale } from '../../../src/encode/index.js';
import { valueAfter, valuesAfter } from './args-helpers.js';

describe('buildStillArgs', () => {
  it('converts a PNG capture to webp at the default quality 80', () => {
    const args = buildStillArgs({ inputCodec: 'png', format: 'webp', outPath: '/o/.p.webp.x.partial' });
    expect(valuesAfter(args, '-c:v')).toEqual(['png', 'libwebp']);
    expect(valueAfter(args, '-quality')).toBe('80');
    expect(valueAfter(args, '-frames:v')).toBe('1');
    expect(args.slice(-3)).toEqual(['-f', 'webp', 'file:/o/.p.webp.x.partial']);
    expect(args).not.toContain('-nostdin');
  });

  it('writes one jpg with a quality mapped to qscale', () => {
    const args = buildStillArgs({ inputCodec: 'png', format: 'jpg', outPath: '/o/p.jpg', quality: 100 });
    expect(valueAfter(args, '-q:v')).toBe('2');
    expect(valuesAfter(args, '-f')).toEqual(['image2pipe', 'image2']);
    expect(valueAfter(args, '-update')).toBe('1');
  });

  it('writes png without a quality setting', () => {
    const args = buildStillArgs({ inputCodec: 'mjpeg', format: 'png', outPath: '/o/p.png', quality: 10 });
    expect(valuesAfter(args, '-c:v')).toEqual(['mjpeg', 'png']);
    expect(args).not.toContain('-q:v');
    expect(args).not.toContain('-quality');
  });

  it('maps quality monotonically onto 2..31', () => {
    expect(jpegQscale(100)).toBe(2);
    expect(jpegQscale(1)).toBe(31);
    expect(jpegQscale(80)).toBeLessThan(jpegQscale(50));
  });

  it('rejects out-of-range quality with INVALID_ARGUMENT', () => {
    let caught: unknown;
    try {
      buildStillArgs({ inputCodec: 'png', format: 'jpg', outPath: '/o/p.jpg', quality: 0 });
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});
