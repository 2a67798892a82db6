import { describe, expect, it } from 'vitest';
import { blendCaptureProfile, blendWeight, costOfFrames, isCaptureProfile, measuredProfile, measuredProfileKeepingSums, MEASURED_STEP, planChunks } from '../../../src/pipeline/index.js';

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
/** Half a step of the log scale, as a fraction: the most one frame's plain rounding moves it. */
const HALF_STEP = Math.sqrt(MEASURED_STEP) - 1;
/** A carried rounding is half a step of the frame plus the carry it got: at most this fraction of one frame. */
const CARRY = HALF_STEP / (1 - HALF_STEP);

/** A fixed pseudo-random sequence (an LCG), so the noisy profiles below are the same on every run. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

describe('blendCaptureProfile', () => {
  it('averages in ms, one byte a frame, the running sums within half a step of one frame', () => {
    const stored = measuredProfile(new Array(240).fill(100));
    const fresh = measuredProfile(new Array(240).fill(50));
    const blended = blendCaptureProfile(stored, fresh, 1 / 2);
    expect(isCaptureProfile(blended, 240)).toBe(true);
    const wanted = costOfFrames(stored).map((ms, f) => (ms + costOfFrames(fresh)[f]!) / 2);
    const got = costOfFrames(blended);
    let running = 0;
    let wantedRunning = 0;
    for (let f = 0; f < 240; f++) {
      running += got[f]!;
      wantedRunning += wanted[f]!;
      expect(Math.abs(running - wantedRunning)).toBeLessThanOrEqual(CARRY * wanted[f]! + 1e-6);
    }
  });

  it('moves with a small weight where plain rounding would not', () => {
    const stored = measuredProfile(new Array(240).fill(100));
    const oneStepUp = measuredProfile(new Array(240).fill(100 * MEASURED_STEP));
    // 1/8 of one step (15%) is ~1.9% a frame: plain rounding keeps every frame where it was.
    expect(measuredProfile(costOfFrames(stored).map((ms, f) => (7 * ms + costOfFrames(oneStepUp)[f]!) / 8))).toBe(stored);
    const blended = costOfFrames(blendCaptureProfile(stored, oneStepUp, 1 / 8));
    const wanted = 240 * ((7 * costOfFrames(stored)[0]! + costOfFrames(oneStepUp)[0]!) / 8);
    expect(Math.abs(sum(blended) - wanted)).toBeLessThanOrEqual(CARRY * 110);
    expect(sum(blended)).toBeGreaterThan(sum(costOfFrames(stored)) * 1.01);
  });

  it('keeps the fresh profile alone where there is nothing to average with', () => {
    const fresh = measuredProfile([40, 80, 20]);
    expect(blendCaptureProfile(undefined, fresh, 1 / 2)).toBe(fresh);
    expect(blendCaptureProfile(null, fresh, 1 / 2)).toBe(fresh);
    // Another length, the letter form (stored or fresh), or a weight of 1.
    expect(blendCaptureProfile(measuredProfile([40, 80]), fresh, 1 / 2)).toBe(fresh);
    expect(blendCaptureProfile('ccr', fresh, 1 / 2)).toBe(fresh);
    expect(blendCaptureProfile(fresh, 'ccr', 1 / 2)).toBe('ccr');
    expect(blendCaptureProfile(measuredProfile([10, 10, 10]), fresh, 1)).toBe(fresh);
    // A weight of 0 keeps the stored one.
    expect(blendCaptureProfile(fresh, measuredProfile([10, 10, 10]), 0)).toBe(fresh);
  });

  it('weighs the first renders equally, then each new one 1/cap', () => {
    expect([0, 1, 2, 7, 8, 50].map((n) => blendWeight(n, 8))).toEqual([1, 1 / 2, 1 / 3, 1 / 8, 1 / 8, 1 / 8]);
    expect(blendWeight(5, 1)).toBe(1);
    expect(blendWeight(-3, 8)).toBe(1);
  });

  it('cuts a noisy template where its renders do on average, which single renders miss by frames', () => {
    // A template's cost: 100 animated frames of 80 ms, then a hold of 140 frames of 25 ms.
    const truth = [...new Array(100).fill(80), ...new Array(140).fill(25)];
    const random = noise(7);
    // Each render reads frames in 10 ms ticks, and 40% of a frame's time (its encode) lands up to 60 frames later.
    const renders = Array.from({ length: 8 }, () => {
      const times = truth.map((ms) => Math.max(1, 10 * Math.round((ms + (random() - 0.5) * 40) / 10)));
      const moved = times.map(() => 0);
      times.forEach((ms, f) => {
        moved[f]! += ms * 0.6;
        moved[Math.min(239, f + Math.floor(random() * 60))]! += ms * 0.4;
      });
      return moved;
    });
    const seamOf = (costs: number[]) => planChunks({ start: 0, end: 240 }, { minFrames: 2, chunks: 2, chunkStartMs: 0 }, costs)[1]!.start;
    const meanSeam = seamOf(truth.map((_, f) => sum(renders.map((r) => r[f]!)) / renders.length));
    let average: string | undefined;
    renders.forEach((times, n) => (average = blendCaptureProfile(average, measuredProfile(times), blendWeight(n, 8))));
    const singleErrors = renders.map((times) => Math.abs(seamOf(costOfFrames(measuredProfile(times))) - meanSeam));
    expect(Math.max(...singleErrors)).toBeGreaterThanOrEqual(2);
    expect(Math.abs(seamOf(costOfFrames(average!)) - meanSeam)).toBeLessThanOrEqual(1);
  });
});

describe('measuredProfileKeepingSums', () => {
  it('keeps every running sum within half a step of one frame, one symbol a frame', () => {
    const times = Array.from({ length: 300 }, (_, f) => 30 + ((f * 37) % 61));
    const profile = measuredProfileKeepingSums(times);
    expect(isCaptureProfile(profile, 300)).toBe(true);
    const costs = costOfFrames(profile);
    let running = 0;
    let wanted = 0;
    for (let f = 0; f < times.length; f++) {
      running += costs[f]!;
      wanted += times[f]!;
      expect(Math.abs(running - wanted)).toBeLessThanOrEqual(CARRY * 91);
    }
  });
});
