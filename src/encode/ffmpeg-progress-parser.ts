/** One `-progress` report from ffmpeg. */
export interface FfmpegProgress {
  /** Frames encoded so far (0 for audio-only outputs). */
  frame: number;
  /** Output timestamp reached, in seconds. */
  outTimeSec: number;
  /** Encoding speed relative to real time (1.5 = 1.5x), or null before it is known. */
  speed: number | null;
  /** Bytes written so far, or null when ffmpeg reports N/A. */
  totalSizeBytes: number | null;
  /** True on the last report (`progress=end`). */
  done: boolean;
}

function toNumber(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

function toProgress(fields: Map<string, string>): FfmpegProgress {
  // out_time_us is the precise one; out_time_ms is also microseconds (a
  // long-standing ffmpeg naming bug), so it is only the fallback.
  const micros = toNumber(fields.get('out_time_us')) ?? toNumber(fields.get('out_time_ms')) ?? 0;
  return {
    frame: toNumber(fields.get('frame')) ?? 0,
    outTimeSec: Math.max(0, micros / 1_000_000),
    speed: toNumber(fields.get('speed')?.replace(/x$/, '')),
    totalSizeBytes: toNumber(fields.get('total_size')),
    done: fields.get('progress') === 'end',
  };
}

/**
 * Incremental parser for ffmpeg's `-progress` output: blocks of `key=value`
 * lines, each block closed by `progress=continue` or `progress=end`.
 * Feed it chunks as they arrive (they may split lines anywhere); it calls
 * `onProgress` once per complete block.
 * https://ffmpeg.org/ffmpeg.html#Advanced-options
 */
export function createProgressParser(onProgress: (progress: FfmpegProgress) => void): (chunk: Buffer | string) => void {
  let pending = '';
  let fields = new Map<string, string>();
  return (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      fields.set(key, line.slice(eq + 1).trim());
      if (key === 'progress') {
        onProgress(toProgress(fields));
        fields = new Map();
      }
    }
    // Progress lines are short; a runaway line means this is not -progress output.
    if (pending.length > 4096) pending = '';
  };
}
