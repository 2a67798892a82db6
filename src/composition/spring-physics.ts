/** Physical parameters of a damped spring. */
export interface SpringConfig {
  mass: number;
  stiffness: number;
  damping: number;
  /** Stop at the target the first time it is reached instead of overshooting. */
  overshootClamping: boolean;
}

export const DEFAULT_SPRING_CONFIG: Readonly<SpringConfig> = Object.freeze({
  mass: 1,
  stiffness: 100,
  damping: 10,
  overshootClamping: false,
});

/**
 * The remaining distance to the target of a spring released at rest one unit
 * away: x(0) = 1, x'(0) = 0, x(t) -> 0. Solved in closed form, so the value at
 * a frame never depends on which frames were computed before it.
 */
export interface SpringSolution {
  /** Remaining distance at t seconds (negative while overshooting). */
  displacement(t: number): number;
  /** An upper bound of |displacement(s)| for every s >= t. */
  envelope(t: number): number;
  /** When the spring first reaches its target; Infinity when it never overshoots. */
  firstCrossing: number;
}

/** Fills defaults and rejects configs that have no physical meaning. */
export function resolveSpringConfig(config: Partial<SpringConfig> = {}): SpringConfig {
  const resolved = { ...DEFAULT_SPRING_CONFIG, ...config };
  for (const key of ['mass', 'stiffness'] as const) {
    if (!(Number.isFinite(resolved[key]) && resolved[key] > 0)) {
      throw new RangeError(`spring(): config.${key} must be a number > 0, got ${resolved[key]}`);
    }
  }
  if (!(Number.isFinite(resolved.damping) && resolved.damping >= 0)) {
    throw new RangeError(`spring(): config.damping must be a number >= 0, got ${resolved.damping}`);
  }
  return resolved;
}

/** Solves m x'' + c x' + k x = 0 for the three damping regimes. */
export function solveSpring(config: SpringConfig): SpringSolution {
  const { mass, stiffness, damping } = config;
  const w0 = Math.sqrt(stiffness / mass);
  const zeta = damping / (2 * Math.sqrt(stiffness * mass));

  if (zeta < 1) {
    // Under-damped: a decaying oscillation.
    const decay = zeta * w0;
    const wd = w0 * Math.sqrt(1 - zeta * zeta);
    const ratio = decay / wd;
    const amplitude = Math.sqrt(1 + ratio * ratio);
    return {
      displacement: (t) => Math.exp(-decay * t) * (Math.cos(wd * t) + ratio * Math.sin(wd * t)),
      envelope: (t) => amplitude * Math.exp(-decay * t),
      // cos(wd t) + ratio sin(wd t) = 0 first happens at wd t = pi - atan(1 / ratio).
      firstCrossing: (Math.PI - Math.atan2(wd, decay)) / wd,
    };
  }
  if (zeta === 1) {
    // Critically damped: the fastest approach that never overshoots.
    const displacement = (t: number): number => Math.exp(-w0 * t) * (1 + w0 * t);
    return { displacement, envelope: displacement, firstCrossing: Infinity };
  }
  // Over-damped: the sum of two decaying exponentials, monotonic from 1 to 0.
  const root = Math.sqrt(zeta * zeta - 1);
  const r1 = -w0 * (zeta - root);
  const r2 = -w0 * (zeta + root);
  const c1 = -r2 / (r1 - r2);
  const c2 = r1 / (r1 - r2);
  const displacement = (t: number): number => c1 * Math.exp(r1 * t) + c2 * Math.exp(r2 * t);
  return { displacement, envelope: displacement, firstCrossing: Infinity };
}
