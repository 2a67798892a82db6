/**
 * A capture profile: one letter per frame, in order, `c` for a frame the
 * browser captured and `r` for one it reused (the page did not change, so the
 * previous image was sent again: CaptureResult.frameKinds). It is what a
 * split render's cost cut is planned from (planChunks with costs): a video
 * whose first half is animated and whose second half is mostly still costs
 * far more to capture in its first half, and chunks of equal frame counts
 * then finish apart, the split waiting on the slow one.
 */
export type CaptureProfile = string;

/**
 * The capture cost of a reused frame, against 1 for a captured one. A reused
 * frame still pays the seek (React renders the frame, the page reports
 * whether the DOM changed) and its share of the encode (x264 codes a repeat
 * cheaply but not for free); it skips the screenshot and its JPEG round trip.
 * Half is an estimate, not a fit: bench/split-render.ts prints the chunks'
 * CPU seconds under both cuts to check it (docs/capacity.md section 5,
 * "Cutting by capture cost").
 */
export const REUSED_FRAME_COST = 0.5;

const PROFILE = /^[cr]*$/;

/** True when `value` is a capture profile of exactly `frames` frames (a stored one may be stale or foreign). */
export function isCaptureProfile(value: unknown, frames: number): value is CaptureProfile {
  return typeof value === 'string' && value.length === frames && PROFILE.test(value);
}

/** The cost of each frame of a profile, by frame number: what planChunks cuts by. */
export function costOfFrames(profile: CaptureProfile): number[] {
  return Array.from(profile, (kind) => (kind === 'r' ? REUSED_FRAME_COST : 1));
}
