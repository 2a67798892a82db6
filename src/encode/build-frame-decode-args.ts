import { formatNumber } from './build-audio-mix-filter.js';
import { fileUrl } from './build-encode-args.js';
import { jpegQscale } from './build-still-args.js';

export interface FrameDecodeOptions {
  input: string;
  /** First frame wanted, counted from the video stream's first frame. */
  firstFrame: number;
  /** Frames to decode from there (fewer come out when the file ends first). */
  frames: number;
  /** The video stream's frame rate. */
  fps: number;
  /** Where the video stream starts after the file's start (ffprobe start_time difference), seconds. */
  streamOffsetSec: number;
  /** jpeg: small, fast to load; png: RGBA, keeps an alpha channel. */
  format: 'jpeg' | 'png';
  /** 1-100, jpeg only. */
  quality: number;
  /** A libvpx decoder for VP8/VP9 with alpha: ffmpeg's native ones drop the alpha plane. */
  decoder?: 'libvpx' | 'libvpx-vp9';
}

/**
 * Decodes a run of source frames of a <Video> to concatenated JPEG or PNG
 * images on stdout (image2pipe), one per source frame, in order.
 *
 * - `-ss` before `-i` seeks in the demuxer, then decodes from the previous
 *   keyframe and drops frames before the position (accurate seek, the
 *   default when transcoding). The position is half a frame before the
 *   wanted frame, so rounding can never keep the frame before it or drop the
 *   wanted one. https://trac.ffmpeg.org/wiki/Seeking
 * - `-fps_mode passthrough` writes every decoded frame once: no frame is
 *   duplicated or dropped to fit a rate. https://ffmpeg.org/ffmpeg.html#Advanced-Video-options
 * - JPEG frames are full-range BT.601 (JFIF), what browsers expect; scale
 *   reads the source's own matrix (auto) to convert.
 */
export function buildFrameDecodeArgs(o: FrameDecodeOptions): string[] {
  if (!Number.isInteger(o.firstFrame) || o.firstFrame < 0) throw new RangeError(`firstFrame must be an integer >= 0, got ${o.firstFrame}`);
  if (!Number.isInteger(o.frames) || o.frames < 1) throw new RangeError(`frames must be an integer >= 1, got ${o.frames}`);
  const seekSec = o.firstFrame === 0 ? 0 : Math.max(0, o.streamOffsetSec + (o.firstFrame - 0.5) / o.fps);
  const output =
    o.format === 'jpeg'
      ? ['-vf', 'scale=out_color_matrix=bt601:out_range=full,format=yuvj420p', '-c:v', 'mjpeg', '-q:v', String(jpegQscale(o.quality))]
      : ['-vf', 'format=rgba', '-c:v', 'png', '-compression_level', '1'];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    ...(o.decoder ? ['-c:v', o.decoder] : []),
    ...(seekSec > 0 ? ['-ss', formatNumber(seekSec)] : []),
    '-i', fileUrl(o.input),
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-frames:v', String(o.frames),
    '-fps_mode', 'passthrough',
    ...output,
    '-f', 'image2pipe', 'pipe:1',
  ];
}
