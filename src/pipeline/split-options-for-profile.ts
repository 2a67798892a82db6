import { isMeasuredProfile, type CaptureProfile } from './capture-profile.js';
import type { SplitOptions } from './plan-chunks.js';

/**
 * The split options a cost cut by `profile` takes: a letter profile (an
 * older worker's) costs frames in units, not ms, so the start of a chunk (in
 * ms, SplitOptions.chunkStartMs) would swamp them: none is added. A measured
 * profile, or none (a cut by frame count), keeps `options` as they are.
 */
export function splitOptionsForProfile(options: SplitOptions, profile: CaptureProfile | undefined): SplitOptions {
  return profile !== undefined && !isMeasuredProfile(profile) ? { ...options, chunkStartMs: 0 } : options;
}
