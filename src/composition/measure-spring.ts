import { refuseUnknownOptions } from './refuse-unknown-options.js';
import { resolveSpringConfig, springDisplacement, type SpringConfig } from './spring-physics.js';

export interface MeasureSpringOptions {
  fps: number;
  config?: Partial<SpringConfig>;
  /**
   * How close to the target counts as settled, as a fraction of the distance.
   * Default 0.005. 0 gives Infinity (it never gets there exactly), 1 or more gives 0.
   */
  threshold?: number;
}

/** Beyond this a spring is considered to never settle (about 9 minutes at 60 fps). */
const MAX_FRAMES = 32_768;

/** Frames a spring must stay inside the threshold after it first gets there (Remotion's rule). */
const QUIET_FRAMES = 20;

/**
 * The number of frames a spring (without delay or stretching) needs to
 * settle: the first frame from which it stays closer than `threshold` to its
 * target. As in Remotion, "stays" means for the next 20 frames (19 after a
 * frame found outside), so `spring({ durationInFrames })` stretches time by
 * the same factor as there. `overshootClamping` does not change the result.
 */
export function measureSpring(options: MeasureSpringOptions): number {
  refuseUnknownOptions('measureSpring()', options, ['fps', 'config', 'threshold']);
  const { fps, threshold = 0.005 } = options;
  if (!(typeof fps === 'number' && Number.isFinite(fps) && fps > 0)) {
    throw new RangeError(`measureSpring(): fps must be > 0, got ${String(fps)}`);
  }
  if (!(typeof threshold === 'number' && threshold >= 0)) {
    throw new RangeError(`measureSpring(): threshold must be a number >= 0, got ${String(threshold)}`);
  }
  const config = resolveSpringConfig(options.config);
  if (threshold === 0) return Infinity;
  if (threshold >= 1) return 0;
  const displacement = springDisplacement(config);
  const outside = (frame: number): boolean => {
    if (frame > MAX_FRAMES) {
      throw new RangeError(
        `measureSpring(): the spring does not settle within ${MAX_FRAMES} frames; raise config.damping (got ${config.damping})`,
      );
    }
    return Math.abs(displacement(frame / fps)) >= threshold;
  };

  let settled = 0;
  while (outside(settled)) settled++;
  // Inside once is not settled yet: an oscillating spring comes back out.
  let checkUntil = settled + QUIET_FRAMES;
  for (let frame = settled + 1; frame <= checkUntil; frame++) {
    if (outside(frame)) {
      settled = frame + 1;
      checkUntil = frame + QUIET_FRAMES - 1;
    }
  }
  return settled;
}
