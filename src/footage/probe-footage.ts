import { probe } from '../encode/index.js';
import { AppError, isAppError } from '../errors/index.js';

/** What the frame server needs to know about a source video. */
export interface FootageInfo {
  width: number;
  height: number;
  codec: string;
  /** Frames per second of the video stream (its average rate: constant-rate sources are exact). */
  fps: number;
  /** Frames in the video stream (from the container, else duration x fps); corrected when decoding ends sooner. */
  frameCount: number;
  /** Seconds from the file's start to the video stream's first frame. */
  streamOffsetSec: number;
  hasAudio: boolean;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number.parseFloat(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Probes a source video with ffprobe. A file without a video stream, or one
 * ffprobe cannot read, is refused with VIDEO_UNREADABLE naming `label` (a
 * file name or a host: never a URL that may carry personal data).
 */
export async function probeFootage(file: string, label: string, ffprobePath: string): Promise<FootageInfo> {
  let result;
  try {
    result = await probe(file, { ffprobePath, timeoutMs: 30_000 });
  } catch (err) {
    if (isAppError(err, 'DEPENDENCY_MISSING')) throw err;
    throw new AppError('VIDEO_UNREADABLE', `<Video> source ${label} could not be read as a video`, { cause: err });
  }
  const video = result.video;
  if (!video || !video.fps || video.width === 0) {
    throw new AppError('VIDEO_UNREADABLE', `<Video> source ${label} has no decodable video stream`);
  }
  const stream = result.raw.streams.find((s) => s.codec_type === 'video') as Record<string, unknown>;
  const streamStart = seconds(stream.start_time) ?? 0;
  const fileStart = seconds((result.raw.format as Record<string, unknown>).start_time) ?? streamStart;
  const durationSec = seconds(stream.duration) ?? result.durationSec ?? 0;
  const frameCount = video.frames ?? Math.max(1, Math.round(durationSec * video.fps));
  return {
    width: video.width,
    height: video.height,
    codec: video.codec,
    fps: video.fps,
    frameCount,
    streamOffsetSec: Math.max(0, streamStart - fileStart),
    hasAudio: result.audio !== undefined,
  };
}
