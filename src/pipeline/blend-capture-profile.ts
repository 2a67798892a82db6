import { costOfFrames, isMeasuredProfile, measuredProfileKeepingSums, type CaptureProfile } from './capture-profile.js';

/**
 * A template version's profile averaged over its renders: `stored` (the
 * average so far) and `fresh` (a whole render's own) mixed frame by frame in
 * ms, `fresh` weighing `freshWeight` (0 to 1), kept one byte a frame.
 *
 * Why: one render's profile is noisy. CPU time is read in 10 ms ticks and
 * a frame's encode lands up to 60 frames after it (the encoder's window), so
 * three whole renders of year-recap on a quiet machine cut it at frames 102,
 * 108 and 95, and the cut at 95 left the second chunk busier by 3.2 CPU s
 * (docs/capacity.md section 5). The noise is the render's, not the
 * template's: averaged, it shrinks while what the template costs stays.
 *
 * In ms, not in symbols: the symbols are logarithms, and their mean would be
 * a geometric mean that undercounts the frames whose time varies most. The
 * mix is rounded back with each frame's rounding carried to the next
 * (measuredProfileKeepingSums), or a small weight would never move a frame.
 *
 * `fresh` alone is returned where there is nothing to average with: no
 * stored profile, one of another length (a version string reused), or either
 * of the letter form (older workers: costs that are not ms).
 */
export function blendCaptureProfile(stored: CaptureProfile | null | undefined, fresh: CaptureProfile, freshWeight: number): CaptureProfile {
  const weight = Math.min(1, Math.max(0, freshWeight));
  if (!stored || stored.length !== fresh.length || weight === 1 || !isMeasuredProfile(stored) || !isMeasuredProfile(fresh)) return fresh;
  const before = costOfFrames(stored);
  const now = costOfFrames(fresh);
  return measuredProfileKeepingSums(before.map((ms, frame) => (1 - weight) * ms + weight * now[frame]!));
}

/**
 * The weight of a version's next whole render against the `renders` averaged
 * so far: a plain mean of the first `cap`, then 1/`cap` each (an exponential
 * moving average), so that a change of machine type still shows within a
 * few times `cap` renders.
 */
export function blendWeight(renders: number, cap: number): number {
  return 1 / Math.min(Math.max(0, Math.floor(renders)) + 1, Math.max(1, cap));
}
