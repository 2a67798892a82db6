import { AppError } from '../errors/index.js';

/**
 * Share of a byte budget given to audio + video. Two-pass x264 lands within
 * ~2-5% of its target and a capped single pass within ~10%; the rest covers
 * that error. A miss is still caught by the size check and retried lower.
 */
export const BUDGET_SAFETY = 0.9;
/** MP4 headers and sample tables (moov): a few KB for a short clip. */
export const CONTAINER_OVERHEAD_BYTES = 8_000;
/** Below this, H.264 at any MMS size is a blur of blocks: refuse instead. */
export const MIN_VIDEO_BITRATE_K = 48;

export interface BudgetInput {
  maxBytes: number;
  durationSec: number;
  /** The audio bitrate in kbit/s, or 0 when the output has no audio. */
  audioBitrateK: number;
}

/**
 * The video bitrate (kbit/s) that fits `maxBytes` for `durationSec` after the
 * audio, the container overhead and the safety margin. Throws
 * AppError('DELIVERABLE_INVALID') when what is left is too small to watch.
 */
export function budgetVideoBitrateK(o: BudgetInput): number {
  const usableBits = (o.maxBytes - CONTAINER_OVERHEAD_BYTES) * 8 * BUDGET_SAFETY;
  const totalK = usableBits / 1000 / Math.max(o.durationSec, 0.1);
  const videoK = Math.floor(totalK - o.audioBitrateK);
  if (videoK < MIN_VIDEO_BITRATE_K) {
    throw new AppError(
      'DELIVERABLE_INVALID',
      `A budget of ${o.maxBytes} bytes leaves ${videoK} kbit/s of video for ${o.durationSec.toFixed(1)} s (at least ${MIN_VIDEO_BITRATE_K} needed); raise maxBytes or shorten the video`,
      { details: { maxBytes: o.maxBytes, durationSec: o.durationSec, videoBitrateK: videoK } },
    );
  }
  return videoK;
}

/**
 * After a file of `actualBytes` overshot `maxBytes` at `previousK`, the lower
 * bitrate for the one retry: the video share scaled by how much it overshot,
 * then the safety margin again. Throws like budgetVideoBitrateK.
 */
export function retryVideoBitrateK(o: BudgetInput & { previousK: number; actualBytes: number }): number {
  const audioBytes = (o.audioBitrateK * 1000 * o.durationSec) / 8;
  const videoBytesNow = Math.max(1, o.actualBytes - audioBytes - CONTAINER_OVERHEAD_BYTES);
  const videoBytesAllowed = (o.maxBytes - CONTAINER_OVERHEAD_BYTES) * BUDGET_SAFETY - audioBytes;
  const videoK = Math.floor(Math.min(o.previousK * 0.95, (o.previousK * videoBytesAllowed) / videoBytesNow) * BUDGET_SAFETY);
  if (videoK < MIN_VIDEO_BITRATE_K) {
    throw new AppError('DELIVERABLE_INVALID', `${o.actualBytes} bytes is over the budget of ${o.maxBytes} and no usable lower bitrate is left`, {
      details: { maxBytes: o.maxBytes, actualBytes: o.actualBytes, videoBitrateK: videoK },
    });
  }
  return videoK;
}
