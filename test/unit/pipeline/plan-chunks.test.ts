import { describe, expect, it } from 'vitest';
import { planChunks } from '../../../src/pipeline/index.js';

describe('planChunks', () => {
  it('cuts a range into contiguous chunks whose lengths differ by one frame at most', () => {
    for (const [frames, chunks] of [[240, 2], [240, 3], [901, 4], [7, 3], [900, 7]] as const) {
      const spans = planChunks({ start: 10, end: 10 + frames }, { minFrames: 2, chunks });
      expect(spans).toHaveLength(chunks);
      expect(spans[0]!.start).toBe(10);
      expect(spans.at(-1)!.end).toBe(10 + frames);
      for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBe(spans[i - 1]!.end);
      const lengths = spans.map((s) => s.end - s.start);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps short renders whole, never splits into fewer than 2 or more chunks than frames', () => {
    expect(planChunks({ start: 0, end: 100 }, { minFrames: 240, chunks: 4 })).toEqual([{ start: 0, end: 100 }]);
    expect(planChunks({ start: 0, end: 300 }, { minFrames: 240, chunks: 1 })).toEqual([{ start: 0, end: 300 }]);
    expect(planChunks({ start: 0, end: 3 }, { minFrames: 2, chunks: 8 })).toHaveLength(3);
    expect(() => planChunks({ start: 5, end: 5 }, { minFrames: 2, chunks: 2 })).toThrow(RangeError);
  });
});
