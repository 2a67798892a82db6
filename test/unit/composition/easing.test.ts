import { describe, expect, it } from 'vitest';
import { Easing, type EasingFunction } from '../../../src/composition/index.js';

const curves: Record<string, EasingFunction> = {
  linear: Easing.linear,
  ease: Easing.ease,
  quad: Easing.quad,
  cubic: Easing.cubic,
  poly4: Easing.poly(4),
  sin: Easing.sin,
  circle: Easing.circle,
  exp: Easing.exp,
  elastic: Easing.elastic(2),
  back: Easing.back(),
  bounce: Easing.bounce,
  outBounce: Easing.out(Easing.bounce),
  bezier: Easing.bezier(0.25, 0.1, 0.25, 1),
  outCubic: Easing.out(Easing.cubic),
  inOutQuad: Easing.inOut(Easing.quad),
  inSin: Easing.in(Easing.sin),
};

describe('Easing', () => {
  it.each(Object.entries(curves))('%s goes from 0 to 1', (_name, f) => {
    expect(f(0)).toBeCloseTo(0, 9);
    expect(f(1)).toBeCloseTo(1, 9);
  });

  it('eases in below the diagonal, out above it', () => {
    expect(Easing.quad(0.5)).toBe(0.25);
    expect(Easing.out(Easing.quad)(0.5)).toBe(0.75);
    expect(Easing.inOut(Easing.cubic)(0.5)).toBeCloseTo(0.5, 12);
    expect(Easing.inOut(Easing.cubic)(0.25)).toBeCloseTo(0.0625, 12);
  });

  it('back pulls below 0 before going forward', () => {
    expect(Easing.back()(0.2)).toBeLessThan(0);
  });

  it('bezier matches known CSS curve values', () => {
    // cubic-bezier(0, 0, 1, 1) is the identity, whatever t.
    expect(Easing.bezier(0, 0, 1, 1)(0.37)).toBeCloseTo(0.37, 6);
    // CSS "ease" at x = 0.5 is about 0.8024 (computed independently from the curve's definition).
    expect(Easing.bezier(0.25, 0.1, 0.25, 1)(0.5)).toBeCloseTo(0.8024, 3);
    // Symmetric ease-in-out: f(0.5) = 0.5 and f(t) + f(1 - t) = 1.
    const inOut = Easing.bezier(0.42, 0, 0.58, 1);
    expect(inOut(0.5)).toBeCloseTo(0.5, 6);
    expect(inOut(0.2) + inOut(0.8)).toBeCloseTo(1, 6);
    // Monotonic for a monotonic curve.
    let prev = -1;
    for (let t = 0; t <= 1; t += 0.01) {
      const v = Easing.ease(t);
      expect(v).toBeGreaterThanOrEqual(prev - 1e-9);
      prev = v;
    }
  });

  it('bezier rejects control points that make x non-monotonic', () => {
    expect(() => Easing.bezier(1.5, 0, 0.5, 1)).toThrow(/x1 and x2 must lie in \[0, 1\]/);
    expect(() => Easing.poly(0)).toThrow(/n must be > 0/);
  });

  it('bounce lands like a ball, as Remotion and React Native draw it (not its mirror)', () => {
    // First arc: 7.5625 t² up to t = 1/2.75; second arc: 7.5625 (t - 1.5/2.75)² + 0.75.
    expect(Easing.bounce(0.2)).toBeCloseTo(0.3025, 12);
    expect(Easing.bounce(0.5)).toBeCloseTo(0.765625, 12);
    expect(Easing.bounce(2.25 / 2.75)).toBeCloseTo(0.9375, 12);
    // It ends bouncing near 1, so late values sit close to 1; its mirror would start there instead.
    expect(Easing.bounce(0.95)).toBeGreaterThan(0.98);
    expect(Easing.out(Easing.bounce)(0.05)).toBeLessThan(0.02);
  });

  it('circle clamps progress to [0, 1]: 0 before the start, 1 after the end', () => {
    expect(Easing.circle(0.6)).toBeCloseTo(0.2, 12);
    expect(Easing.circle(-0.5)).toBe(0);
    expect(Easing.circle(-3)).toBe(0);
    expect(Easing.circle(2)).toBe(1);
  });

  it('step0 jumps right after the start, step1 only at the end', () => {
    expect([-1, 0, 1e-9, 0.5, 1].map(Easing.step0)).toEqual([0, 0, 1, 1, 1]);
    expect([-1, 0, 0.5, 0.999999, 1, 2].map(Easing.step1)).toEqual([0, 0, 0, 0, 1, 1]);
  });
});
