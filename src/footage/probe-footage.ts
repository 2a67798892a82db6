import { probe } from '../encode/index.js';
import { AppError, isAppError } from '../errors/index.js';

/** The video stream of a source, as the frame decoder needs it. */
export interface VideoStreamInfo {
  width: number;
  height: number;
  codec: string;
  /** Frames per second of the stream (its average rate: constant-rate sources are exact). */
  fps: number;
  /** Frames in the stream (from the container, else duration x fps); corrected when decoding ends sooner. */
  frameCount: number;
  /** Seconds from the file's start to the stream's first frame. */
  streamOffsetSec: number;
}

/** What the frame server and the mixer need to know about a source file. */
export interface FootageInfo {
  /** Absent for a sound-only file (an <Audio> source). */
  video?: VideoStreamInfo;
  hasAudio: boolean;
  /** Length of the video stream, or of the file when it has none. */
  durationSec: number;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number.parseFloat(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Probes a media file with ffprobe. One ffprobe cannot read, or with neither
 * a video nor an audio stream, is refused with VIDEO_UNREADABLE naming
 * `label` (a file name or a host: never a URL, which may carry personal data).
 */
export async function probeFootage(file: string, label: string, ffprobePath: string): Promise<FootageInfo> {
  let result;
  try {
    result = await probe(file, { ffprobePath, timeoutMs: 30_000 });
  } catch (err) {
    if (isAppError(err, 'DEPENDENCY_MISSING')) throw err;
    throw new AppError('VIDEO_UNREADABLE', `media source ${label} could not be read`, { cause: err });
  }
  const hasAudio = result.audio !== undefined;
  const v = result.video;
  if (!v || !v.fps || v.width === 0) {
    if (!hasAudio) throw new AppError('VIDEO_UNREADABLE', `media source ${label} has neither a video nor an audio stream`);
    return { hasAudio, durationSec: result.durationSec ?? 0 };
  }
  const stream = result.raw.streams.find((s) => s.codec_type === 'video') as Record<string, unknown>;
  const streamStart = seconds(stream.start_time) ?? 0;
  const fileStart = seconds((result.raw.format as Record<string, unknown>).start_time) ?? streamStart;
  const streamSec = seconds(stream.duration) ?? result.durationSec ?? 0;
  const frameCount = v.frames ?? Math.max(1, Math.round(streamSec * v.fps));
  const video: VideoStreamInfo = {
    width: v.width,
    height: v.height,
    codec: v.codec,
    fps: v.fps,
    frameCount,
    streamOffsetSec: Math.max(0, streamStart - fileStart),
  };
  return { video, hasAudio, durationSec: frameCount / v.fps };
}
