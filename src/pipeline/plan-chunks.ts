/** When a render is split, and into how many chunks (config: RENDER_SPLIT_MIN_FRAMES, RENDER_SPLIT_CHUNKS). */
export interface SplitOptions {
  /** Renders shorter than this many frames stay whole: the join costs about as much as a short chunk. */
  minFrames: number;
  /** Chunks per split render; below 2 nothing is split. Usually the render workers that are free. */
  chunks: number;
}

/** Frames [start, end) of the composition. */
export interface FrameSpan {
  start: number;
  end: number;
}

/**
 * Cuts frames [start, end) into contiguous chunks of near-equal length (they
 * differ by one frame at most), in order. One chunk, the whole range, when
 * the range is shorter than `minFrames` or `chunks` is below 2; never more
 * chunks than frames.
 */
export function planChunks(range: FrameSpan, options: SplitOptions): FrameSpan[] {
  const frames = range.end - range.start;
  if (frames <= 0) throw new RangeError(`empty frame range [${range.start}, ${range.end})`);
  const count = frames < options.minFrames ? 1 : Math.max(1, Math.min(Math.floor(options.chunks), frames));
  const spans: FrameSpan[] = [];
  for (let i = 0; i < count; i++) {
    spans.push({ start: range.start + Math.round((i * frames) / count), end: range.start + Math.round(((i + 1) * frames) / count) });
  }
  return spans;
}
