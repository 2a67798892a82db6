/**
 * A capture profile: one character per frame, in order, telling what the
 * frame cost to render. It is what a split render's cost cut is planned from
 * (planChunks with costs): a video whose first half is animated and whose
 * second half is mostly still costs far more in its first half, and chunks of
 * equal frame counts then finish apart, the split waiting on the slow one.
 *
 * Two forms, told apart by their alphabets (they share no character), so a
 * profile stored or handed over by an older worker is still read right and a
 * mix of the two is refused (an equal cut) rather than misread:
 *
 * - **measured** (what renders record now): the frame's measured time in the
 *   capture loop (seek, screenshot or reuse, and the share of the core the
 *   encoder took meanwhile), on a log scale: symbol i stands for
 *   MEASURED_STEP^i ms. One byte a frame keeps the profile as compact as the
 *   letters were, and fixed width keeps chunks' profiles joinable end to end.
 * - **letters** (older workers): `c` captured, `r` reused, costed 1 and
 *   REUSED_FRAME_COST. A guess: on the quiet machine the chunks it cut
 *   finished 11.31 and 12.62 CPU s apart (docs/capacity.md section 5).
 */
export type CaptureProfile = string;

/** The cost of a reused frame against 1 for a captured one, for letter profiles only (an estimate, not a fit). */
export const REUSED_FRAME_COST = 0.5;

/**
 * The measured alphabet: digits and letters without `c` and `r` (the letter
 * form's), 60 symbols. With steps of 15% they span 1 ms to ~3.8 s a frame
 * (a frame of a loaded worker), each time rounded by at most ~7%; over the
 * tens of frames a chunk holds the rounding averages out.
 */
const MEASURED_SYMBOLS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghijklmnopqstuvwxyz';
export const MEASURED_STEP = 1.15;
const LN_STEP = Math.log(MEASURED_STEP);

const LETTERS = /^[cr]*$/;
const MEASURED = /^[0-9A-Zabd-qs-z]*$/;

/** True when `value` is a capture profile (either form) of exactly `frames` frames (a stored one may be stale or foreign). */
export function isCaptureProfile(value: unknown, frames: number): value is CaptureProfile {
  return typeof value === 'string' && value.length === frames && (LETTERS.test(value) || MEASURED.test(value));
}

/** The measured profile of frames that took `timesMs` each (capture order = frame order). */
export function measuredProfile(timesMs: ArrayLike<number>): CaptureProfile {
  return Array.from(timesMs, (ms) => {
    const index = ms > 1 ? Math.round(Math.log(ms) / LN_STEP) : 0;
    return MEASURED_SYMBOLS[Math.min(MEASURED_SYMBOLS.length - 1, index)]!;
  }).join('');
}

/** True when `profile` is of the measured form (ms per frame), which averages and takes a start cost in ms; false for letters. */
export function isMeasuredProfile(profile: CaptureProfile): boolean {
  return MEASURED.test(profile) && profile.length > 0;
}

/**
 * The measured profile of `timesMs`, each frame's rounding carried to the
 * next (error diffusion), so that every running sum, which is what a cut is
 * placed by, stays within half a step of one frame of the times' own. A
 * blend of profiles (blendCaptureProfile) needs it: a new render weighing
 * 1/8 moves a frame by less than the half step that plain rounding drops,
 * and the average would never move; carried, the moves add up along the
 * frames instead. A frame alone may then be off by more than half a step.
 */
export function measuredProfileKeepingSums(timesMs: ArrayLike<number>): CaptureProfile {
  let carry = 0;
  return Array.from(timesMs, (ms) => {
    const wanted = ms + carry;
    const index = wanted > 1 ? Math.min(MEASURED_SYMBOLS.length - 1, Math.round(Math.log(wanted) / LN_STEP)) : 0;
    carry = wanted - MEASURED_STEP ** index;
    return MEASURED_SYMBOLS[index]!;
  }).join('');
}

/** The cost of each frame of a profile, by frame number: what planChunks cuts by (ms for a measured one). */
export function costOfFrames(profile: CaptureProfile): number[] {
  if (LETTERS.test(profile)) return Array.from(profile, (kind) => (kind === 'r' ? REUSED_FRAME_COST : 1));
  return Array.from(profile, (symbol) => MEASURED_STEP ** MEASURED_SYMBOLS.indexOf(symbol));
}
