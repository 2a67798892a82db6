import { measureSpring } from './measure-spring.js';
import { refuseUnknownOptions } from './refuse-unknown-options.js';
import { resolveSpringConfig, springDisplacement, type SpringConfig } from './spring-physics.js';

export interface SpringOptions {
  /** The current frame, usually useCurrentFrame(). Must be finite. */
  frame: number;
  fps: number;
  config?: Partial<SpringConfig>;
  /** Value at rest before the spring starts. Default 0. */
  from?: number;
  /** Value the spring settles at. Default 1. */
  to?: number;
  /** Frames to wait before releasing the spring. Default 0. */
  delay?: number;
  /**
   * Stretch (or squeeze) time so that the spring settles exactly this many
   * frames after release; from then on the value is exactly `to`.
   */
  durationInFrames?: number;
  /**
   * How close to `to` counts as settled when measuring the natural duration
   * for `durationInFrames` and `reverse`, as a fraction of the distance, in
   * (0, 1). Default 0.005.
   */
  durationRestThreshold?: number;
  /** Play the animation backwards: from `to` (after the delay) back to `from`. Default false. */
  reverse?: boolean;
}

const KNOWN_OPTIONS = ['frame', 'fps', 'config', 'from', 'to', 'delay', 'durationInFrames', 'durationRestThreshold', 'reverse'];

function validate(options: SpringOptions): void {
  refuseUnknownOptions('spring()', options, KNOWN_OPTIONS);
  const { frame, fps, from = 0, to = 1, delay = 0, durationInFrames, durationRestThreshold, reverse = false } = options;
  if (typeof frame !== 'number' || !Number.isFinite(frame)) {
    throw new RangeError(`spring(): frame must be a finite number, got ${String(frame)}`);
  }
  if (!(typeof fps === 'number' && Number.isFinite(fps) && fps > 0)) throw new RangeError(`spring(): fps must be > 0, got ${String(fps)}`);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('spring(): from and to must be finite numbers');
  if (!Number.isFinite(delay)) throw new RangeError(`spring(): delay must be a finite number, got ${String(delay)}`);
  if (durationInFrames !== undefined && !(Number.isFinite(durationInFrames) && durationInFrames > 0)) {
    throw new RangeError(`spring(): durationInFrames must be > 0, got ${String(durationInFrames)}`);
  }
  if (durationRestThreshold !== undefined && !(durationRestThreshold > 0 && durationRestThreshold < 1)) {
    throw new RangeError(`spring(): durationRestThreshold must lie in (0, 1), got ${String(durationRestThreshold)}`);
  }
  if (typeof reverse !== 'boolean') throw new TypeError(`spring(): reverse must be a boolean, got ${String(reverse)}`);
}

/**
 * A damped spring animation from `from` to `to`, computed in closed form from
 * the frame number alone: the same frame always gives the same value. Moves
 * as Remotion's spring() does, over-damped springs included (see
 * `SpringConfig.overdamping` for the physically exact alternative). Unknown
 * options are refused, never ignored.
 */
export function spring(options: SpringOptions): number {
  validate(options);
  const { frame, fps, from = 0, to = 1, delay = 0, durationInFrames, durationRestThreshold, reverse = false } = options;
  const config = resolveSpringConfig(options.config);
  const natural =
    reverse || durationInFrames !== undefined ? measureSpring({ fps, config, threshold: durationRestThreshold }) : 0;

  // Reversed, time runs back from the end of the animation; the delay then holds it at `to`.
  let elapsed = reverse ? (durationInFrames ?? natural) - frame + delay : frame - delay;
  if (durationInFrames !== undefined) {
    if (elapsed > durationInFrames) return to;
    // Rescale time so the natural settling frame lands on durationInFrames.
    elapsed /= durationInFrames / natural;
  }
  if (elapsed <= 0 || from === to) return from;

  const progress = 1 - springDisplacement(config)(elapsed / fps);
  const clamped = config.overshootClamping ? Math.min(progress, 1) : progress;
  return clamped * (to - from) + from;
}
