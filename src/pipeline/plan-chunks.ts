/** When a render is split, and into how many chunks (config: RENDER_SPLIT_MIN_FRAMES, RENDER_SPLIT_CHUNKS). */
export interface SplitOptions {
  /** Renders shorter than this many frames stay whole: the join costs about as much as a short chunk. */
  minFrames: number;
  /** Chunks per split render; below 2 nothing is split. Usually the render workers that are free. */
  chunks: number;
  /**
   * What every chunk but the first pays before its frames, in the unit of
   * the costs (ms of a measured profile), for a cost cut: default
   * CHUNK_START_MS. Give 0 with costs that are not ms (a letter profile).
   */
  chunkStartMs?: number;
}

/**
 * The start of a chunk after the first that a whole render's profile does
 * not hold, in CPU ms: a seek to a frame in the middle of the composition,
 * that frame drawn and encoded cold, an encoder that starts on it (the first
 * chunk's start is the whole render's, which the profile's first frame
 * holds). Measured by bench/split-render-chunks.ts (each chunk's CPU time
 * against the whole render's profile of its frames, year-recap, one core,
 * 2026-12-07: 526 and 592 ms, and a run between them that load made
 * unreadable; docs/capacity.md section 5, "An averaged profile and a start
 * per chunk"). It agrees with
 * bench/split-render.ts before it: at the seam one render's profile gave,
 * the second chunk was the busier by 0.42-0.71 CPU s on a quiet machine.
 */
export const CHUNK_START_MS = 500;

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
 *
 * Every chunk after the first is given a start (`chunkStartMs`) on top of
 * its frames' costs, so the first chunk takes that much more of the frames:
 * with N chunks, W the frames' cost and s the start, the first holds
 * (W + (N-1)s)/N of it and each other (W - s)/N. A start of W or more
 * leaves the later chunks one frame each.
 */
export function planChunks(range: FrameSpan, options: SplitOptions, costs?: readonly number[]): FrameSpan[] {
  const frames = range.end - range.start;
  if (frames <= 0) throw new RangeError(`empty frame range [${range.start}, ${range.end})`);
  const count = frames < options.minFrames ? 1 : Math.max(1, Math.min(Math.floor(options.chunks), frames));
  const start = Math.max(0, options.chunkStartMs ?? CHUNK_START_MS);
  const cuts = costs && costs.length >= range.end && count > 1 ? costCuts(range, count, costs, start) : undefined;
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
function costCuts(range: FrameSpan, count: number, costs: readonly number[], chunkStart: number): number[] | undefined {
  // running[i]: the cost of frames [range.start, range.start + i).
  const running = [0];
  for (let f = range.start; f < range.end; f++) running.push(running.at(-1)! + Math.max(0, costs[f] ?? 0));
  const total = running.at(-1)!;
  if (!(total > 0) || !Number.isFinite(total)) return undefined;
  const cuts: number[] = [];
  let at = 0;
  // Each chunk's share of frames and starts together; the first's start is in its frames already.
  const each = (total + (count - 1) * chunkStart) / count;
  for (let i = 1; i < count; i++) {
    const share = i * each - (i - 1) * chunkStart;
    while (at < running.length - 1 && running[at + 1]! <= share) at++;
    // `at` has the last boundary at or below the share; the next may be nearer.
    let best = at + 1 < running.length && running[at + 1]! - share < share - running[at]! ? at + 1 : at;
    const previous = cuts.length > 0 ? cuts.at(-1)! - range.start : 0;
    best = Math.min(Math.max(best, previous + 1), range.end - range.start - (count - i));
    cuts.push(range.start + best);
  }
  return cuts;
}
