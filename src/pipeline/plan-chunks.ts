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
 * Cuts frames [start, end) into contiguous chunks, in order. One chunk, the
 * whole range, when the range is shorter than `minFrames` or `chunks` is
 * below 2; never more chunks than frames.
 *
 * Without `costs` the chunks are of near-equal length (they differ by one
 * frame at most). With `costs` (the cost of each frame of the composition,
 * indexed by frame number: costOfFrames() of a capture profile) each cut
 * falls where the running cost is nearest to an equal share, so that chunks
 * rendered side by side finish together: equal frame counts do not when one
 * half of a video is mostly still frames, which are not captured again
 * (docs/capacity.md section 5, "Cutting by capture cost"). Costs that do not cover the range are ignored.
 */
export function planChunks(range: FrameSpan, options: SplitOptions, costs?: readonly number[]): FrameSpan[] {
  const frames = range.end - range.start;
  if (frames <= 0) throw new RangeError(`empty frame range [${range.start}, ${range.end})`);
  const count = frames < options.minFrames ? 1 : Math.max(1, Math.min(Math.floor(options.chunks), frames));
  const cuts = costs && costs.length >= range.end && count > 1 ? costCuts(range, count, costs) : undefined;
  const spans: FrameSpan[] = [];
  for (let i = 0; i < count; i++) {
    spans.push(
      cuts
        ? { start: i === 0 ? range.start : cuts[i - 1]!, end: i === count - 1 ? range.end : cuts[i]! }
        : { start: range.start + Math.round((i * frames) / count), end: range.start + Math.round(((i + 1) * frames) / count) },
    );
  }
  return spans;
}

/** The count - 1 inner cut frames of a cost cut: each at least one frame after the last, leaving a frame for every chunk after it. */
function costCuts(range: FrameSpan, count: number, costs: readonly number[]): number[] | undefined {
  // running[i]: the cost of frames [range.start, range.start + i).
  const running = [0];
  for (let f = range.start; f < range.end; f++) running.push(running.at(-1)! + Math.max(0, costs[f] ?? 0));
  const total = running.at(-1)!;
  if (!(total > 0) || !Number.isFinite(total)) return undefined;
  const cuts: number[] = [];
  let at = 0;
  for (let i = 1; i < count; i++) {
    const share = (i * total) / count;
    while (at < running.length - 1 && running[at + 1]! <= share) at++;
    // `at` has the last boundary at or below the share; the next may be nearer.
    let best = at + 1 < running.length && running[at + 1]! - share < share - running[at]! ? at + 1 : at;
    const previous = cuts.length > 0 ? cuts.at(-1)! - range.start : 0;
    best = Math.min(Math.max(best, previous + 1), range.end - range.start - (count - i));
    cuts.push(range.start + best);
  }
  return cuts;
}
