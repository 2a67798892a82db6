/** What a render reports while it runs. */
export interface RenderProgress {
  /** Frames written to the encoder, in order. */
  framesDone: number;
  totalFrames: number;
  /** Frames reused from the previous capture because the DOM did not change. */
  framesReused: number;
  fps: number;
  /** Seconds left at the current rate; undefined before the first frame. */
  etaSeconds: number | undefined;
  elapsedMs: number;
}

/** Turns frame counts into fps and ETA. */
export function computeProgress(
  framesDone: number,
  totalFrames: number,
  framesReused: number,
  startedAt: number,
  now = Date.now(),
): RenderProgress {
  const elapsedMs = Math.max(1, now - startedAt);
  const fps = (framesDone * 1000) / elapsedMs;
  const etaSeconds = framesDone > 0 ? (totalFrames - framesDone) / fps : undefined;
  return { framesDone, totalFrames, framesReused, fps, etaSeconds, elapsedMs };
}
