import { refuseUnknownOptions } from './refuse-unknown-options.js';

/** Physical parameters of a damped spring. */
export interface SpringConfig {
  mass: number;
  stiffness: number;
  /** Must be > 0: an undamped spring never settles. */
  damping: number;
  /** Never go past the target: values beyond it are held at it (the spring can still dip back before it settles). */
  overshootClamping: boolean;
  /**
   * How an over-damped spring moves (damping above 2·√(stiffness·mass), such
   * as the common `{ damping: 200 }`):
   * - `'critical'` (default): like a critically damped spring of the same
   *   mass and stiffness, the extra damping ignored. This is what Remotion
   *   does, so ported templates move the same: `{ damping: 200 }` at 30 fps
   *   settles in 23 frames and is at 0.96 on frame 15.
   * - `'exact'`: the physical solution, slower the more damping there is
   *   (the same spring settles in 318 frames and is at 0.22 on frame 15).
   *   Choose it for motion that must behave like a real damper.
   * Springs at or below critical damping move the same in both.
   */
  overdamping: 'critical' | 'exact';
}

export const DEFAULT_SPRING_CONFIG: Readonly<SpringConfig> = Object.freeze({
  mass: 1,
  stiffness: 100,
  damping: 10,
  overshootClamping: false,
  overdamping: 'critical',
});

const CONFIG_KEYS = Object.keys(DEFAULT_SPRING_CONFIG);

/** Fills defaults and rejects configs that have no physical meaning or that name an unknown option. */
export function resolveSpringConfig(config: Partial<SpringConfig> = {}): SpringConfig {
  refuseUnknownOptions('spring(): config', config, CONFIG_KEYS);
  const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  const resolved: SpringConfig = { ...DEFAULT_SPRING_CONFIG, ...defined };
  for (const key of ['mass', 'stiffness', 'damping'] as const) {
    if (!(typeof resolved[key] === 'number' && Number.isFinite(resolved[key]) && resolved[key] > 0)) {
      throw new RangeError(`spring(): config.${key} must be a number > 0, got ${String(resolved[key])}`);
    }
  }
  if (typeof resolved.overshootClamping !== 'boolean') {
    throw new TypeError(`spring(): config.overshootClamping must be a boolean, got ${String(resolved.overshootClamping)}`);
  }
  if (resolved.overdamping !== 'critical' && resolved.overdamping !== 'exact') {
    throw new RangeError(`spring(): config.overdamping must be 'critical' or 'exact', got ${String(resolved.overdamping)}`);
  }
  return resolved;
}

/**
 * The remaining distance to the target, at t seconds, of a spring released at
 * rest one unit away: x(0) = 1, x'(0) = 0, x(t) -> 0 (negative while it
 * overshoots). Solved in closed form, so the value at a frame never depends
 * on which frames were computed before it.
 */
export function springDisplacement(config: SpringConfig): (t: number) => number {
  const { mass, stiffness, damping } = config;
  const w0 = Math.sqrt(stiffness / mass);
  const zeta = damping / (2 * Math.sqrt(stiffness * mass));

  if (zeta < 1) {
    // Under-damped: a decaying oscillation.
    const decay = zeta * w0;
    const wd = w0 * Math.sqrt(1 - zeta * zeta);
    const ratio = decay / wd;
    return (t) => Math.exp(-decay * t) * (Math.cos(wd * t) + ratio * Math.sin(wd * t));
  }
  if (zeta === 1 || config.overdamping === 'critical') {
    // Critically damped: the fastest approach that never overshoots.
    return (t) => Math.exp(-w0 * t) * (1 + w0 * t);
  }
  // Over-damped: the sum of two decaying exponentials, monotonic from 1 to 0.
  const root = Math.sqrt(zeta * zeta - 1);
  const r1 = -w0 * (zeta - root);
  const r2 = -w0 * (zeta + root);
  const c1 = -r2 / (r1 - r2);
  const c2 = r1 / (r1 - r2);
  return (t) => c1 * Math.exp(r1 * t) + c2 * Math.exp(r2 * t);
}
