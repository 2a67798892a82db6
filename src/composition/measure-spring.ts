import { resolveSpringConfig, solveSpring, type SpringConfig } from './spring-physics.js';

export interface MeasureSpringOptions {
  fps: number;
  config?: Partial<SpringConfig>;
  /** How close to the target counts as settled, as a fraction of the distance. Default 0.005. */
  threshold?: number;
}

/** Beyond this a spring is considered to never settle (about 9 minutes at 60 fps). */
const MAX_FRAMES = 32_768;

/**
 * The number of frames a spring (without delay or stretching) needs before it
 * stays within `threshold` of its target for good.
 */
export function measureSpring(options: MeasureSpringOptions): number {
  const { fps, threshold = 0.005 } = options;
  if (!(Number.isFinite(fps) && fps > 0)) throw new RangeError(`measureSpring(): fps must be > 0, got ${fps}`);
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`measureSpring(): threshold must lie in (0, 1), got ${threshold}`);
  }
  const config = resolveSpringConfig(options.config);
  const solution = solveSpring(config);

  let lastOutside = -1;
  for (let frame = 0; frame <= MAX_FRAMES; frame++) {
    const t = frame / fps;
    if (config.overshootClamping && t >= solution.firstCrossing) return lastOutside + 1;
    if (Math.abs(solution.displacement(t)) > threshold) lastOutside = frame;
    // Once even the envelope is inside, no later frame can leave the band.
    if (solution.envelope(t) <= threshold) return lastOutside + 1;
  }
  throw new RangeError(
    `measureSpring(): the spring does not settle within ${MAX_FRAMES} frames; raise config.damping (got ${config.damping})`,
  );
}
