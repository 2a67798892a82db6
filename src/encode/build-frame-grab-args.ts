import { fileUrl } from './build-encode-args.js';
import type { EncoderCaps } from './encoder-caps.js';
import { planFrames, scaleChain } from './frame-pipeline.js';
import { playBadge } from './play-badge.js';
import { seconds, transcodeFlags } from './transcode-args-input.js';

export interface FrameGrabOptions {
  input: string;
  output: string;
  caps: EncoderCaps;
  atSeconds: number;
  width: number;
  height: number;
  playBadge: boolean;
  /** The CPU pixel format the image encoder takes (yuvj420p for mjpeg, rgb24 for png). */
  pixelFormat: 'yuvj420p' | 'rgb24';
  /** Encoder and muxer flags, written before the output. */
  encoderArgs: string[];
}

/**
 * Flags that let a filter upload the badge into the decoder's own CUDA
 * context: overlay_cuda needs both inputs on one device, so the device is
 * created once, named, and given to both the decoder and the filters.
 * https://ffmpeg.org/ffmpeg.html#Advanced-Video-options (-init_hw_device, -filter_hw_device)
 */
const CUDA_SHARED_DEVICE = ['-init_hw_device', 'cuda=cu:0', '-filter_hw_device', 'cu', '-hwaccel', 'cuda', '-hwaccel_device', 'cu', '-hwaccel_output_format', 'cuda'];

function badgeGraph(o: FrameGrabOptions, decode: EncoderCaps['decode'], toCpu: string): string {
  const badge = playBadge(o.width, o.height);
  if (decode === 'cuda') {
    // overlay_cuda blends a yuva420p overlay onto a yuv420p main frame on the
    // GPU; NVDEC's nv12 would need an nv12 overlay, which has no alpha.
    // https://ffmpeg.org/ffmpeg-filters.html#overlay_005fcuda
    return [
      `[0:v]scale_cuda=w=${o.width}:h=${o.height}:interp_algo=lanczos:format=yuv420p[bg]`,
      `${badge.source},format=yuva420p,hwupload[badge]`,
      `[bg][badge]overlay_cuda=x=${badge.x}:y=${badge.y},hwdownload,format=yuv420p,setsar=1,${toCpu}[out]`,
    ].join(';');
  }
  return [
    `[0:v]${scaleChain(decode, 'system', { width: o.width, height: o.height })}[bg]`,
    `${badge.source}[badge]`,
    `[bg][badge]overlay=x=${badge.x}:y=${badge.y},${toCpu}[out]`,
  ].join(';');
}

/**
 * One frame of the master at `atSeconds`, scaled (on the GPU where caps
 * decode there), optionally with the play badge, encoded on the CPU: JPEG and
 * PNG encoders exist only there, and one frame costs milliseconds anyway.
 * `-ss` before `-i` seeks in the demuxer, so only the frames from the nearest
 * keyframe on are decoded. https://trac.ffmpeg.org/wiki/Seeking
 */
export function buildFrameGrabArgs(o: FrameGrabOptions): string[] {
  const frames = planFrames(o.caps, 'system');
  const toCpu = `format=${o.pixelFormat}`;
  const inputArgs = o.playBadge && frames.decode === 'cuda' ? CUDA_SHARED_DEVICE : frames.inputArgs;
  const graph = o.playBadge
    ? ['-filter_complex', badgeGraph(o, frames.decode, toCpu), '-map', '[out]']
    : ['-map', '0:v:0', '-vf', `${scaleChain(frames.decode, 'system', { width: o.width, height: o.height })},${toCpu}`];
  return [
    ...transcodeFlags,
    ...inputArgs,
    '-ss', seconds(o.atSeconds),
    '-i', fileUrl(o.input),
    ...graph,
    '-frames:v', '1',
    ...o.encoderArgs,
    fileUrl(o.output),
  ];
}
