import { measureSpring } from './measure-spring.js';
import { resolveSpringConfig, solveSpring, type SpringConfig } from './spring-physics.js';

export interface SpringOptions {
  /** The current frame, usually useCurrentFrame(). */
  frame: number;
  fps: number;
  config?: Partial<SpringConfig>;
  /** Value at rest before the spring starts. Default 0. */
  from?: number;
  /** Value the spring settles at. Default 1. */
  to?: number;
  /** Frames to wait before releasing the spring. Default 0. */
  delay?: number;
  /** Stretch (or squeeze) time so that the spring settles exactly at this many frames after release. */
  durationInFrames?: number;
}

/**
 * A damped spring animation from `from` to `to`, computed in closed form from
 * the frame number alone: the same frame always gives the same value.
 */
export function spring(options: SpringOptions): number {
  const { frame, fps, from = 0, to = 1, delay = 0, durationInFrames } = options;
  if (typeof frame !== 'number' || Number.isNaN(frame)) throw new TypeError(`spring(): frame must be a number, got ${frame}`);
  if (!(Number.isFinite(fps) && fps > 0)) throw new RangeError(`spring(): fps must be > 0, got ${fps}`);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('spring(): from and to must be finite numbers');
  if (!Number.isFinite(delay)) throw new RangeError(`spring(): delay must be a finite number, got ${delay}`);
  if (durationInFrames !== undefined && !(Number.isFinite(durationInFrames) && durationInFrames > 0)) {
    throw new RangeError(`spring(): durationInFrames must be > 0, got ${durationInFrames}`);
  }
  const config = resolveSpringConfig(options.config);
  const solution = solveSpring(config);

  const elapsed = frame - delay;
  if (elapsed <= 0) return from;

  // Rescale time so the spring's natural settling frame lands on durationInFrames.
  const natural = durationInFrames === undefined ? 0 : measureSpring({ fps, config });
  const scale = durationInFrames === undefined || natural === 0 ? 1 : natural / durationInFrames;
  const t = (elapsed * scale) / fps;

  if (config.overshootClamping && t >= solution.firstCrossing) return to;
  const progress = 1 - solution.displacement(t);
  return from + (to - from) * progress;
}
