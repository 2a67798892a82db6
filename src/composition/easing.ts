import { cubicBezier } from './cubic-bezier.js';

/** An easing maps progress t in [0, 1] to eased progress (0 -> 0, 1 -> 1). */
export type EasingFunction = (t: number) => number;

const HALF_PI = Math.PI / 2;

/**
 * A ball dropped onto the floor: four parabolic arcs, each touching 1, the
 * first from 0. It ends at rest on 1, so it reads as a landing.
 */
function bounce(t: number): number {
  const k = 7.5625;
  if (t < 1 / 2.75) return k * t * t;
  if (t < 2 / 2.75) {
    const u = t - 1.5 / 2.75;
    return k * u * u + 0.75;
  }
  if (t < 2.5 / 2.75) {
    const u = t - 2.25 / 2.75;
    return k * u * u + 0.9375;
  }
  const u = t - 2.625 / 2.75;
  return k * u * u + 0.984375;
}

/**
 * Easing curves for interpolate(). The base curves ease in (slow start);
 * wrap them with `Easing.out` or `Easing.inOut` to change the direction.
 */
export const Easing = {
  /** A jump at the start: 0 at t <= 0, 1 for any t > 0. */
  step0: ((t) => (t > 0 ? 1 : 0)) as EasingFunction,
  /** A jump at the end: 0 until t reaches 1, then 1. */
  step1: ((t) => (t >= 1 ? 1 : 0)) as EasingFunction,
  linear: ((t) => t) as EasingFunction,
  /** A gentle ease-in: cubic Bézier (0.42, 0, 1, 1). */
  ease: cubicBezier(0.42, 0, 1, 1),
  quad: ((t) => t * t) as EasingFunction,
  cubic: ((t) => t * t * t) as EasingFunction,
  /** t raised to the power n. */
  poly(n: number): EasingFunction {
    if (!(n > 0)) throw new RangeError(`Easing.poly(n): n must be > 0, got ${n}`);
    return (t) => Math.pow(t, n);
  },
  sin: ((t) => 1 - Math.cos(t * HALF_PI)) as EasingFunction,
  /**
   * A quarter circle. Progress is clamped to [0, 1] first, as Remotion does:
   * 0 before the start (so frames before an 'extend'ed range stay still), 1
   * after the end, never NaN.
   */
  circle: ((t) => {
    const c = Math.min(1, Math.max(0, t));
    return 1 - Math.sqrt(1 - c * c);
  }) as EasingFunction,
  /** Exponential, rescaled so that it is exactly 0 at t = 0 and 1 at t = 1. */
  exp: ((t) => (Math.pow(2, 10 * t) - 1) / 1023) as EasingFunction,
  /** A spring-like wobble; `bounciness` 0 gives no overshoot. */
  elastic(bounciness = 1): EasingFunction {
    const p = bounciness * Math.PI;
    return (t) => 1 - Math.pow(Math.cos(t * HALF_PI), 3) * Math.cos(t * p);
  },
  /** Pulls back before moving forward; `s` sets how far (1.70158 is about 10%). */
  back(s = 1.70158): EasingFunction {
    return (t) => t * t * ((s + 1) * t - s);
  },
  /**
   * Bounces at the end like a ball landing (Remotion's and React Native's
   * `Easing.bounce`); `Easing.out(Easing.bounce)` bounces at the start instead.
   */
  bounce: bounce as EasingFunction,
  /** A CSS-style cubic Bézier with control points (x1, y1) and (x2, y2). */
  bezier(x1: number, y1: number, x2: number, y2: number): EasingFunction {
    return cubicBezier(x1, y1, x2, y2);
  },
  /** Runs an easing forwards (identity; for readability). */
  in(easing: EasingFunction): EasingFunction {
    return easing;
  },
  /** Runs an easing backwards: a fast start and a slow end. */
  out(easing: EasingFunction): EasingFunction {
    return (t) => 1 - easing(1 - t);
  },
  /** First half eases in, second half eases out. */
  inOut(easing: EasingFunction): EasingFunction {
    return (t) => (t < 0.5 ? easing(t * 2) / 2 : 1 - easing((1 - t) * 2) / 2);
  },
} as const;
