import { describe, expect, it } from 'vitest';
import { measuredProfile, splitOptionsForProfile } from '../../../src/pipeline/index.js';

describe('splitOptionsForProfile', () => {
  const options = { minFrames: 10, chunks: 2, chunkStartMs: 500 };

  it('adds no start per chunk to a letter profile (its costs are units, not ms)', () => {
    expect(splitOptionsForProfile(options, 'ccccrrrr')).toEqual({ ...options, chunkStartMs: 0 });
  });

  it('keeps the options for a measured profile, and without a profile (a cut by frame count)', () => {
    expect(splitOptionsForProfile(options, measuredProfile([40, 40, 80, 80]))).toBe(options);
    expect(splitOptionsForProfile(options, undefined)).toBe(options);
  });
});
