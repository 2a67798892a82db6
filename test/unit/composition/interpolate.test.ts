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
    expect(() => interpolate(1, [0, 1], [0, 1], { extrapolateLeft: 'wrap' })).toThrow(/extrapolateLeft must be one of/);
  });
});
