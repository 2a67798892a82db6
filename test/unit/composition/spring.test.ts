import { describe, expect, it } from 'vitest';
import { measureSpring, spring } from '../../../src/composition/index.js';

const fps = 30;

/** Critically damped remaining distance with ω0 = √(k/m), written out here independently of the runtime. */
const critical = (w0: number, t: number) => Math.exp(-w0 * t) * (1 + w0 * t);

describe('spring', () => {
  it('starts at from and settles at to', () => {
    expect(spring({ frame: 0, fps, from: 10, to: 20 })).toBe(10);
    expect(spring({ frame: 200, fps, from: 10, to: 20 })).toBeCloseTo(20, 3);
    // The default spring (mass 1, stiffness 100, damping 10: ζ = 0.5) overshoots to 1.1553 on frame 10.
    expect(spring({ frame: 10, fps })).toBeCloseTo(1.15528559137785, 10);
    expect(spring({ frame: -5, fps })).toBe(0);
  });

  it('is deterministic and independent of the frames computed before', () => {
    const a = spring({ frame: 17, fps, config: { damping: 8 } });
    for (let f = 0; f < 40; f++) spring({ frame: f, fps, config: { damping: 8 } });
    expect(spring({ frame: 17, fps, config: { damping: 8 } })).toBe(a);
  });

  it('moves an over-damped spring as a critically damped one, as Remotion does', () => {
    // damping 200 with stiffness 100 and mass 1 is ζ = 10; Remotion ignores the damping beyond ζ = 1.
    expect(spring({ frame: 15, fps, config: { damping: 200 } })).toBeCloseTo(1 - critical(10, 0.5), 12);
    expect(spring({ frame: 15, fps, config: { damping: 200 } })).toBeCloseTo(0.96, 2);
    // measureSpring's documented example.
    expect(measureSpring({ fps, config: { damping: 200 } })).toBe(23);
    // Any damping above critical gives the same motion.
    expect(spring({ frame: 7, fps, config: { damping: 40 } })).toBe(spring({ frame: 7, fps, config: { damping: 1000 } }));
  });

  it("offers the physical over-damped motion with overdamping: 'exact'", () => {
    const config = { damping: 200, overdamping: 'exact' as const };
    expect(spring({ frame: 15, fps, config })).toBeCloseTo(0.2197277675039624, 10);
    expect(measureSpring({ fps, config })).toBe(318);
    // At or below critical damping both give the same motion.
    expect(spring({ frame: 9, fps, config: { damping: 20, overdamping: 'exact' } })).toBe(spring({ frame: 9, fps, config: { damping: 20 } }));
  });

  it('clamps overshoot at to, and can still dip back under it', () => {
    const frames = Array.from({ length: 120 }, (_, frame) => frame);
    const free = frames.map((frame) => spring({ frame, fps, config: { damping: 5 } }));
    const clamped = frames.map((frame) => spring({ frame, fps, config: { damping: 5, overshootClamping: true } }));
    expect(Math.max(...free)).toBeGreaterThan(1.05);
    expect(Math.max(...clamped)).toBe(1);
    frames.forEach((f) => expect(clamped[f]).toBe(Math.min(free[f]!, 1)));
    expect(clamped.some((v, i) => v < 1 && clamped.slice(0, i).includes(1))).toBe(true);
    // Reversed ranges clamp at to as well.
    const down = frames.map((frame) => spring({ frame, fps, from: 100, to: 0, config: { damping: 5, overshootClamping: true } }));
    expect(Math.min(...down)).toBe(0);
  });

  it('waits for delay', () => {
    expect(spring({ frame: 10, fps, delay: 10 })).toBe(0);
    expect(spring({ frame: 15, fps, delay: 10 })).toBe(spring({ frame: 5, fps }));
  });

  it('durationInFrames stretches time and lands exactly on to after the duration', () => {
    const natural = measureSpring({ fps });
    const target = natural * 2;
    const stretched = (frame: number, extra = {}) => spring({ frame, fps, durationInFrames: target, from: 3, to: 7, ...extra });
    expect(stretched(10)).toBeCloseTo(spring({ frame: 5, fps, from: 3, to: 7 }), 12);
    expect(Math.abs(stretched(target) - 7)).toBeLessThanOrEqual(0.005 * 4);
    // After the duration: exactly `to`, not 0.005 short of it.
    expect(stretched(target + 0.5)).toBe(7);
    expect(stretched(target + 100)).toBe(7);
    // The delay shifts the whole stretched animation.
    expect(stretched(target + 4, { delay: 5 })).not.toBe(7);
    expect(stretched(target + 6, { delay: 5 })).toBe(7);
  });

  it('durationRestThreshold sets what counts as settled for the stretch', () => {
    const strict = measureSpring({ fps, config: { damping: 15 }, threshold: 0.0001 });
    const loose = measureSpring({ fps, config: { damping: 15 } });
    expect(strict).toBeGreaterThan(loose);
    const at = (threshold: number) => spring({ frame: 30, fps, durationInFrames: 60, config: { damping: 15 }, durationRestThreshold: threshold });
    // Same duration, longer natural time squeezed into it: further along at the same frame.
    expect(at(0.0001)).toBeCloseTo(spring({ frame: (30 * strict) / 60, fps, config: { damping: 15 } }), 12);
    expect(at(0.0001)).not.toBeCloseTo(at(0.005), 4);
    expect(() => at(0)).toThrow(/durationRestThreshold must lie in \(0, 1\)/);
  });

  it('reverse plays from to back to from', () => {
    const natural = measureSpring({ fps });
    expect(spring({ frame: 0, fps, reverse: true })).toBe(spring({ frame: natural, fps }));
    expect(spring({ frame: 5, fps, reverse: true })).toBe(spring({ frame: natural - 5, fps }));
    expect(spring({ frame: natural, fps, reverse: true })).toBe(0);
    expect(spring({ frame: natural + 50, fps, reverse: true, from: 2, to: 9 })).toBe(2);
    // With a duration: exactly `to` while the delay holds it, then back to from over the duration.
    const reversed = (frame: number) => spring({ frame, fps, reverse: true, durationInFrames: 40, delay: 10, from: 2, to: 9 });
    expect(reversed(0)).toBe(9);
    expect(reversed(9)).toBe(9);
    expect(reversed(30)).toBeCloseTo(spring({ frame: 20, fps, durationInFrames: 40, from: 2, to: 9 }), 12);
    expect(reversed(50)).toBe(2);
  });

  it('throws for an infinite or NaN frame', () => {
    expect(() => spring({ frame: Infinity, fps })).toThrow(/frame must be a finite number/);
    expect(() => spring({ frame: -Infinity, fps })).toThrow(/frame must be a finite number/);
    expect(() => spring({ frame: NaN, fps })).toThrow(/frame must be a finite number/);
  });

  it('refuses unknown options and nonsense configs, naming them', () => {
    // @ts-expect-error not a spring() option
    expect(() => spring({ frame: 1, fps, stiffness: 80 })).toThrow(/spring\(\): option "stiffness" is not supported/);
    // @ts-expect-error a typo in the config
    expect(() => spring({ frame: 1, fps, config: { dampening: 12 } })).toThrow(/config: option "dampening"/);
    // @ts-expect-error invalid on purpose
    expect(() => spring({ frame: 1, fps, reverse: 'yes' })).toThrow(/reverse must be a boolean/);
    // @ts-expect-error invalid on purpose
    expect(() => spring({ frame: 1, fps, config: { overdamping: 'physical' } })).toThrow(/overdamping must be 'critical' or 'exact'/);
    expect(() => spring({ frame: 1, fps, config: { mass: 0 } })).toThrow(/mass must be a number > 0/);
    expect(() => spring({ frame: 1, fps: 0 })).toThrow(/fps must be > 0/);
    // An undamped spring never settles: refused up front, as Remotion does.
    expect(() => spring({ frame: 1, fps, config: { damping: 0 } })).toThrow(/damping must be a number > 0/);
    expect(spring({ frame: 1, fps, config: { damping: undefined } })).toBe(spring({ frame: 1, fps }));
  });
});

describe('measureSpring', () => {
  /** The rule, brute force: inside the threshold at `n` and at each of the 19 frames after it (20 after the first entry). */
  function staysInside(n: number, damping: number, stiffness: number): boolean {
    for (let f = n; f < n + 19; f++) if (Math.abs(spring({ frame: f, fps, config: { damping, stiffness } }) - 1) >= 0.005) return false;
    return true;
  }

  it('returns the first frame after which the spring stays inside the threshold', () => {
    for (const [damping, stiffness] of [[12, 100], [5, 100], [3, 40]] as const) {
      const n = measureSpring({ fps, config: { damping, stiffness } });
      expect(staysInside(n, damping, stiffness)).toBe(true);
      expect(Math.abs(spring({ frame: n - 1, fps, config: { damping, stiffness } }) - 1)).toBeGreaterThanOrEqual(0.005);
    }
    expect(measureSpring({ fps, config: { stiffness: 400, damping: 40 } })).toBeLessThan(measureSpring({ fps, config: { damping: 20 } }));
  });

  it('looks 20 frames ahead only: a slow swing that leaves the band later does not count', () => {
    // Mass 40 swings with a 3.97 s period; near the end its swings barely leave the 0.005 band,
    // staying inside for more than 20 frames at a time, so it counts as settled before its last excursion.
    const config = { mass: 40, stiffness: 100, damping: 6 };
    const n = measureSpring({ fps, config });
    const later = Array.from({ length: 400 }, (_, i) => Math.abs(spring({ frame: n + 20 + i, fps, config }) - 1));
    expect(Math.max(...later)).toBeGreaterThanOrEqual(0.005);
  });

  it('handles the threshold edges and ignores overshootClamping', () => {
    expect(measureSpring({ fps, threshold: 0 })).toBe(Infinity);
    expect(measureSpring({ fps, threshold: 1 })).toBe(0);
    expect(() => measureSpring({ fps, threshold: -0.1 })).toThrow(/threshold must be a number >= 0/);
    expect(measureSpring({ fps, config: { damping: 5, overshootClamping: true } })).toBe(measureSpring({ fps, config: { damping: 5 } }));
  });
});
