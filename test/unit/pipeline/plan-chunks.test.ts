import { describe, expect, it } from 'vitest';
import { CHUNK_START_MS, costOfFrames, isCaptureProfile, isMeasuredProfile, measuredProfile, MEASURED_STEP, planChunks, REUSED_FRAME_COST } from '../../../src/pipeline/index.js';

/** Letter costs are units, not ms: no start per chunk (what the callers pass for a letter profile). */
const LETTERS = { minFrames: 2, chunkStartMs: 0 };

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

  it('cuts by capture cost: a reused frame costs half, each chunk gets a near-equal share', () => {
    // 120 animated frames, then 120 still ones: the animated half costs twice the still half.
    const profile = 'c'.repeat(120) + 'r'.repeat(120);
    expect(isCaptureProfile(profile, 240)).toBe(true);
    const costs = costOfFrames(profile);
    expect(costs[0]).toBe(1);
    expect(costs[239]).toBe(REUSED_FRAME_COST);
    // Total 180: halves at cost 90, i.e. frame 90.
    expect(planChunks({ start: 0, end: 240 }, { ...LETTERS, chunks: 2 }, costs)).toEqual([
      { start: 0, end: 90 },
      { start: 90, end: 240 },
    ]);
    const three = planChunks({ start: 0, end: 240 }, { ...LETTERS, chunks: 3 }, costs);
    expect(three.map((s) => s.end)).toEqual([60, 120, 240]);
    // A sub-range is cut by its own frames' costs.
    expect(planChunks({ start: 100, end: 240 }, { ...LETTERS, chunks: 2 }, costs)).toEqual([
      { start: 100, end: 160 },
      { start: 160, end: 240 },
    ]);
  });

  it('a cost cut still gives every chunk a frame, and falls back to equal cuts on costs that do not fit', () => {
    const spiky = [100, 0, 0, 0, 0, 0];
    const spans = planChunks({ start: 0, end: 6 }, { ...LETTERS, chunks: 3 }, spiky);
    expect(spans).toHaveLength(3);
    for (const s of spans) expect(s.end).toBeGreaterThan(s.start);
    expect(spans.at(-1)!.end).toBe(6);
    const equal = planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2 });
    expect(planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2 }, costOfFrames('c'.repeat(100)))).toEqual(equal);
    expect(planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2 }, new Array(240).fill(0))).toEqual(equal);
    expect(isCaptureProfile('cxr', 3)).toBe(false);
    expect(isCaptureProfile('ccr', 4)).toBe(false);
  });

  it('cuts by measured time: one symbol a frame, within a step of the time measured', () => {
    // 90 frames of 80 ms, then 150 of 30 ms (a hold): 7200 + 4500 ms, half (5850 ms) at frame 73.
    const times = [...new Array(90).fill(80), ...new Array(150).fill(30)];
    const profile = measuredProfile(times);
    expect(isCaptureProfile(profile, 240)).toBe(true);
    const costs = costOfFrames(profile);
    costs.forEach((ms, i) => expect(Math.abs(Math.log(ms / times[i]!))).toBeLessThanOrEqual(Math.log(MEASURED_STEP) / 2 + 1e-9));
    const [first] = planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2, chunkStartMs: 0 }, costs);
    // Rounding moves both levels by a step's fraction: the seam stays within a few frames of 73.
    expect(Math.abs(first!.end - 73)).toBeLessThanOrEqual(4);
    // Fixed width: chunks' profiles joined end to end are the whole range's profile.
    expect(measuredProfile(times.slice(0, 100)) + measuredProfile(times.slice(100))).toBe(profile);
    // Below 1 ms and beyond the scale are clamped, never refused.
    expect(isCaptureProfile(measuredProfile([0, 0.5, 1e9]), 3)).toBe(true);
  });

  it('tells the letter form from the measured one, and refuses a mix of the two', () => {
    expect(costOfFrames('ccr')).toEqual([1, 1, REUSED_FRAME_COST]);
    const mixed = 'cr' + measuredProfile([40, 40]);
    expect(isCaptureProfile(mixed, 4)).toBe(false);
  });
  it('gives every chunk after the first a start: the first chunk takes that much more of the frames', () => {
    const flat = new Array(240).fill(100);
    // 24 000 ms of frames and one start of 2000 ms: 13 000 each, the second as 11 000 of frames + its start.
    expect(planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2, chunkStartMs: 2000 }, flat)).toEqual([
      { start: 0, end: 130 },
      { start: 130, end: 240 },
    ]);
    // Three chunks of 300 frames, starts of 1500 ms: (30 000 + 2 * 1500) / 3 = 11 000 each; frames 110, 95, 95.
    const three = planChunks({ start: 0, end: 300 }, { minFrames: 2, chunks: 3, chunkStartMs: 1500 }, new Array(300).fill(100));
    expect(three.map((s) => s.end - s.start)).toEqual([110, 95, 95]);
    // A sub-range: the start is the same whichever frame a chunk starts on.
    expect(planChunks({ start: 40, end: 240 }, { minFrames: 2, chunks: 2, chunkStartMs: 2000 }, flat)).toEqual([
      { start: 40, end: 150 },
      { start: 150, end: 240 },
    ]);
  });

  it('takes CHUNK_START_MS by default, only with costs, and leaves each chunk a frame when the start is larger than the work', () => {
    const flat = new Array(240).fill(100);
    const [first] = planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2 }, flat);
    expect(CHUNK_START_MS).toBeGreaterThan(0);
    // The seam nearest to half of the frames' cost and one start.
    expect(Math.abs(first!.end * 100 - (24_000 + CHUNK_START_MS) / 2)).toBeLessThanOrEqual(50);
    // Without costs the start changes nothing: chunks of equal frame counts.
    expect(planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2, chunkStartMs: 5000 })).toEqual([
      { start: 0, end: 120 },
      { start: 120, end: 240 },
    ]);
    const swamped = planChunks({ start: 0, end: 10 }, { minFrames: 2, chunks: 3, chunkStartMs: 1e6 }, new Array(10).fill(100));
    expect(swamped.map((s) => s.end - s.start)).toEqual([8, 1, 1]);
    // A negative start is none.
    expect(planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2, chunkStartMs: -500 }, flat)[0]!.end).toBe(120);
  });

  it('tells a measured profile from a letter one (only a measured one takes a start in ms)', () => {
    expect(isMeasuredProfile(measuredProfile([40, 80]))).toBe(true);
    expect(isMeasuredProfile('ccr')).toBe(false);
    expect(isMeasuredProfile('')).toBe(false);
  });
});
