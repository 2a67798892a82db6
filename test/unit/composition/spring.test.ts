import { describe, expect, it } from 'vitest';
import { measureSpring, spring } from '../../../src/composition/index.js';

const fps = 30;

describe('spring', () => {
  it('starts at from and settles at to', () => {
    expect(spring({ frame: 0, fps, from: 10, to: 20 })).toBe(10);
    expect(spring({ frame: 200, fps, from: 10, to: 20 })).toBeCloseTo(20, 3);
    const mid = spring({ frame: 5, fps });
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan(1.5);
  });

  it('is deterministic and independent of the frames computed before', () => {
    const a = spring({ frame: 17, fps, config: { damping: 8 } });
    for (let f = 0; f < 40; f++) spring({ frame: f, fps, config: { damping: 8 } });
    expect(spring({ frame: 17, fps, config: { damping: 8 } })).toBe(a);
  });

  it('overshoots by default with low damping, and not with overshootClamping', () => {
    const frames = Array.from({ length: 90 }, (_, frame) => frame);
    const free = frames.map((frame) => spring({ frame, fps, config: { damping: 5 } }));
    const clamped = frames.map((frame) => spring({ frame, fps, config: { damping: 5, overshootClamping: true } }));
    expect(Math.max(...free)).toBeGreaterThan(1.05);
    expect(Math.max(...clamped)).toBe(1);
    expect(clamped.at(-1)).toBe(1);
  });

  it('handles critical and heavy damping without overshoot', () => {
    for (const damping of [20, 60]) {
      const values = Array.from({ length: 120 }, (_, frame) => spring({ frame, fps, config: { damping } }));
      expect(Math.max(...values)).toBeLessThanOrEqual(1 + 1e-12);
      for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
    }
  });

  it('waits for delay', () => {
    expect(spring({ frame: 10, fps, delay: 10 })).toBe(0);
    expect(spring({ frame: 15, fps, delay: 10 })).toBe(spring({ frame: 5, fps }));
  });

  it('durationInFrames stretches time so it settles at that frame', () => {
    const natural = measureSpring({ fps });
    expect(natural).toBeGreaterThan(10);
    const target = natural * 2;
    const stretched = (frame: number) => spring({ frame, fps, durationInFrames: target });
    expect(stretched(target)).toBeCloseTo(spring({ frame: natural, fps }), 12);
    expect(Math.abs(stretched(target) - 1)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(stretched(target - 6) - 1)).toBeGreaterThan(0.005);
    expect(stretched(10)).toBeCloseTo(spring({ frame: 5, fps }), 12);
  });

  it('measureSpring returns the first frame after which it stays within the threshold', () => {
    const n = measureSpring({ fps, config: { damping: 12 } });
    for (let f = n; f < n + 200; f++) expect(Math.abs(spring({ frame: f, fps, config: { damping: 12 } }) - 1)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(spring({ frame: n - 1, fps, config: { damping: 12 } }) - 1)).toBeGreaterThan(0.005);
    // Stiffer springs settle sooner.
    expect(measureSpring({ fps, config: { stiffness: 400, damping: 40 } })).toBeLessThan(measureSpring({ fps, config: { damping: 20 } }));
  });

  it('rejects nonsense configs', () => {
    expect(() => spring({ frame: 1, fps, config: { mass: 0 } })).toThrow(/mass must be a number > 0/);
    expect(() => spring({ frame: 1, fps: 0 })).toThrow(/fps must be > 0/);
    expect(() => measureSpring({ fps, config: { damping: 0 } })).toThrow(/does not settle/);
  });
});
