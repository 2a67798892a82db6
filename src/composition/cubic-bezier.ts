const NEWTON_ITERATIONS = 8;
const NEWTON_EPSILON = 1e-7;
const BISECTION_ITERATIONS = 40;

/**
 * Builds the easing of a cubic Bézier curve from (0,0) to (1,1) with control
 * points (x1, y1) and (x2, y2), as CSS `cubic-bezier()` does. The curve is
 * parametric, so we first solve x(u) = t for u (Newton, then bisection when
 * the slope is too flat), then return y(u). Typed structurally (not with
 * EasingFunction) so that this file does not import easing.ts back.
 */
export function cubicBezier(x1: number, y1: number, x2: number, y2: number): (t: number) => number {
  for (const [name, v] of [['x1', x1], ['y1', y1], ['x2', x2], ['y2', y2]] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`Easing.bezier: ${name} must be a finite number, got ${v}`);
  }
  // x must stay monotonic, otherwise one t maps to several points of the curve.
  if (x1 < 0 || x1 > 1 || x2 < 0 || x2 > 1) {
    throw new RangeError(`Easing.bezier: x1 and x2 must lie in [0, 1], got x1=${x1}, x2=${x2}`);
  }
  if (x1 === y1 && x2 === y2) return (t) => t;

  // Polynomial coefficients of B(u) = a u^3 + b u^2 + c u for each axis.
  const cx = 3 * x1;
  const bx = 3 * (x2 - x1) - cx;
  const ax = 1 - cx - bx;
  const cy = 3 * y1;
  const by = 3 * (y2 - y1) - cy;
  const ay = 1 - cy - by;

  const sampleX = (u: number): number => ((ax * u + bx) * u + cx) * u;
  const sampleY = (u: number): number => ((ay * u + by) * u + cy) * u;
  const slopeX = (u: number): number => (3 * ax * u + 2 * bx) * u + cx;

  const solveU = (t: number): number => {
    let u = t;
    for (let i = 0; i < NEWTON_ITERATIONS; i++) {
      const err = sampleX(u) - t;
      if (Math.abs(err) < NEWTON_EPSILON) return u;
      const d = slopeX(u);
      if (Math.abs(d) < 1e-6) break;
      u -= err / d;
    }
    let lo = 0;
    let hi = 1;
    u = t;
    for (let i = 0; i < BISECTION_ITERATIONS; i++) {
      const x = sampleX(u);
      if (Math.abs(x - t) < NEWTON_EPSILON) return u;
      if (x < t) lo = u;
      else hi = u;
      u = (lo + hi) / 2;
    }
    return u;
  };

  return (t: number): number => {
    // Exact endpoints; outside [0, 1] (interpolate's 'extend') continue linearly
    // along the end tangents instead of evaluating the cubic far off the curve.
    if (t <= 0) return t === 0 ? 0 : t * (x1 > 0 ? y1 / x1 : 0);
    if (t >= 1) return t === 1 ? 1 : 1 + (t - 1) * (x2 < 1 ? (1 - y2) / (1 - x2) : 0);
    return sampleY(solveU(t));
  };
}
