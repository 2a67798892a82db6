import { startFfmpeg } from './ffmpeg-process.js';

export interface RunFfmpegOptions {
  ffmpegPath?: string;
  signal?: AbortSignal;
  /** Output time reached, in seconds (from `-progress`). */
  onTime?: (seconds: number) => void;
}

/**
 * Runs one ffmpeg command that reads files (not stdin) to completion. Rejects
 * with AppError('FFMPEG_FAILED') carrying the stderr tail in `details`, with
 * AppError('DEPENDENCY_MISSING') without ffmpeg, or with CancelledError when
 * `signal` aborts (ffmpeg is killed).
 */
export async function runFfmpeg(args: readonly string[], options: RunFfmpegOptions = {}): Promise<void> {
  const { onTime } = options;
  const proc = await startFfmpeg(args, {
    ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onTime ? { onProgress: (p) => onTime(p.outTimeSec) } : {}),
  });
  // Nothing is written to stdin: closing it at once is the "no more frames" signal.
  await proc.end();
}
