import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { formatFromPath, isStillFormat, isVideoFormat, outputFormatSchema } from '../../../src/encode/index.js';

describe('formatFromPath', () => {
  it.each([
    ['/out/a.mp4', 'mp4'],
    ['b.WEBM', 'webm'],
    ['./x/y.gif', 'gif'],
    ['poster.jpg', 'jpg'],
    ['poster.JPEG', 'jpg'],
    ['card.png', 'png'],
    ['c.d.webp', 'webp'],
  ])('%s -> %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  it.each(['movie.mov', 'noext', '/dir.mp4/file', '.mp4x'])('rejects %s with INVALID_ARGUMENT listing extensions', (path) => {
    let caught: unknown;
    try {
      formatFromPath(path);
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain('.mp4, .webm, .gif, .jpg, .png, .webp');
  });
});

describe('isStillFormat / isVideoFormat', () => {
  it('splits the formats into stills and videos', () => {
    const stills = outputFormatSchema.options.filter(isStillFormat);
    const videos = outputFormatSchema.options.filter(isVideoFormat);
    expect(stills).toEqual(['jpg', 'png', 'webp']);
    expect(videos).toEqual(['mp4', 'webm', 'gif']);
  });
});
