import { describe, expect, it } from 'vitest';
import { Easing, interpolate } from '../../../src/composition/index.js';

describe('interpolate', () => {
  it('maps linearly inside the range', () => {
    expect(interpolate(5, [0, 10], [0, 100])).toBe(50);
    expect(interpolate(0, [0, 10], [100, 200])).toBe(100);
    expect(interpolate(10, [0, 10], [100, 200])).toBe(200);
  });

  it('extends by default on both sides', () => {
    expect(interpolate(-5, [0, 10], [0, 100])).toBe(-50);
    expect(interpolate(15, [0, 10], [0, 100])).toBe(150);
  });

  it('clamps when asked, per side', () => {
    expect(interpolate(-5, [0, 10], [0, 100], { extrapolateLeft: 'clamp' })).toBe(0);
    expect(interpolate(15, [0, 10], [0, 100], { extrapolateLeft: 'clamp' })).toBe(150);
    expect(interpolate(15, [0, 10], [0, 100], { extrapolateRight: 'clamp' })).toBe(100);
  });

  it('returns the input with identity extrapolation', () => {
    expect(interpolate(-5, [0, 10], [0, 100], { extrapolateLeft: 'identity' })).toBe(-5);
    expect(interpolate(42, [0, 10], [0, 100], { extrapolateRight: 'identity' })).toBe(42);
  });

  it('walks multi-segment ranges', () => {
    const range = [0, 10, 30, 40];
    const out = [0, 1, 1, 0];
    expect(interpolate(5, range, out)).toBe(0.5);
    expect(interpolate(20, range, out)).toBe(1);
    expect(interpolate(35, range, out)).toBe(0.5);
    expect(interpolate(50, range, out)).toBe(-1); // last segment extended
    expect(interpolate(-10, range, out)).toBe(-1); // first segment extended
  });

  it('applies the easing inside each segment', () => {
    expect(interpolate(5, [0, 10], [0, 100], { easing: Easing.quad })).toBeCloseTo(25, 10);
    expect(interpolate(15, [0, 10, 20], [0, 100, 200], { easing: Easing.quad })).toBeCloseTo(125, 10);
  });

  it('rejects bad ranges with clear messages', () => {
    expect(() => interpolate(1, [0, 1, 2], [0, 1])).toThrow(/same length/);
    expect(() => interpolate(1, [0], [0])).toThrow(/at least 2/);
    expect(() => interpolate(1, [0, 5, 5], [0, 1, 2])).toThrow(/strictly increasing.*inputRange\[2\]=5/);
    expect(() => interpolate(1, [0, NaN], [0, 1])).toThrow(/inputRange\[1\] must be a finite number/);
    expect(() => interpolate(1, [0, 1], [0, Infinity])).toThrow(/outputRange\[1\]/);
    expect(() => interpolate(NaN, [0, 1], [0, 1])).toThrow(/input must be a number/);
    // @ts-expect-error invalid on purpose
    expect(() => interpolate(1, [0, 1], [0, 1], { extrapolateLeft: 'loop' })).toThrow(/extrapolateLeft must be one of/);
  });

  it('applies the easing at the clamped end, as Remotion does', () => {
    const half = (t: number) => t * 0.5;
    expect(interpolate(15, [0, 10], [0, 100], { easing: half, extrapolateRight: 'clamp' })).toBe(50);
    expect(interpolate(10, [0, 10], [0, 100], { easing: half, extrapolateRight: 'clamp' })).toBe(50);
    const lifted = (t: number) => 0.2 + 0.8 * t;
    expect(interpolate(-5, [0, 10], [0, 100], { easing: lifted, extrapolateLeft: 'clamp' })).toBeCloseTo(20, 12);
    // An easing that ends at 1 holds exactly the end value.
    expect(interpolate(99, [0, 10], [0, 100], { easing: Easing.out(Easing.cubic), extrapolateRight: 'clamp' })).toBe(100);
  });

  it('gives a value for infinite inputs instead of NaN', () => {
    // A constant segment stays constant, whatever the input or the easing.
    expect(interpolate(Infinity, [0, 1], [5, 5])).toBe(5);
    expect(interpolate(-Infinity, [0, 1, 2], [3, 3, 7])).toBe(3);
    expect(interpolate(0.5, [0, 1], [4, 4], { easing: (t) => Math.exp(1000 * t) })).toBe(4);
    // Otherwise it extends to infinity, clamps, or returns itself.
    expect(interpolate(Infinity, [0, 1], [0, 2])).toBe(Infinity);
    expect(interpolate(-Infinity, [0, 1], [0, 2])).toBe(-Infinity);
    expect(interpolate(Infinity, [0, 1], [0, 2], { extrapolateRight: 'clamp' })).toBe(2);
    expect(interpolate(-Infinity, [0, 1], [0, 2], { extrapolateLeft: 'identity' })).toBe(-Infinity);
  });

  it('holds still before the range with Easing.circle and the default extend', () => {
    expect(interpolate(-5, [0, 10], [0, 100], { easing: Easing.circle })).toBe(0);
    expect(interpolate(-25, [0, 10], [0, 100], { easing: Easing.circle })).toBe(0);
  });

  it("wraps with 'wrap': the end segment starts over", () => {
    expect(interpolate(12, [0, 10], [0, 100], { extrapolateRight: 'wrap' })).toBeCloseTo(20, 12);
    expect(interpolate(35, [0, 10], [0, 100], { extrapolateRight: 'wrap' })).toBeCloseTo(50, 12);
    expect(interpolate(-3, [0, 10], [0, 100], { extrapolateLeft: 'wrap' })).toBeCloseTo(70, 12);
    // With three points only the last segment (10 -> 20) repeats past the end.
    expect(interpolate(25, [0, 10, 20], [0, 100, 0], { extrapolateRight: 'wrap' })).toBeCloseTo(50, 12);
    expect(interpolate(12, [0, 10, 20], [0, 100, 0], { extrapolateRight: 'wrap' })).toBeCloseTo(80, 12);
  });

  it('takes one easing per segment', () => {
    const options = { easing: [Easing.quad, Easing.linear] };
    expect(interpolate(5, [0, 10, 20], [0, 10, 20], options)).toBeCloseTo(2.5, 12);
    expect(interpolate(15, [0, 10, 20], [0, 10, 20], options)).toBeCloseTo(15, 12);
    expect(() => interpolate(5, [0, 10, 20], [0, 10, 20], { easing: [Easing.quad] })).toThrow(/array of 2 functions/);
  });

  it('refuses options it does not implement, naming them', () => {
    // @ts-expect-error Remotion option we do not implement
    expect(() => interpolate(1, [0, 2], [0, 1], { posterize: 2 })).toThrow(/option "posterize" is not supported/);
    // @ts-expect-error Remotion option we do not implement
    expect(() => interpolate(1, [0, 2], [1, 2], { output: 'perceptual-scale' })).toThrow(/option "output" is not supported.*Math\.log/);
    // @ts-expect-error a typo
    expect(() => interpolate(1, [0, 2], [0, 1], { extrapolateRigth: 'clamp' })).toThrow(/"extrapolateRigth"/);
    // undefined values count as absent
    expect(interpolate(1, [0, 2], [0, 1], { easing: undefined })).toBe(0.5);
  });
});
