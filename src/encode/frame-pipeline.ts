import type { EncoderCaps } from './encoder-caps.js';
import { DEFAULT_VAAPI_DEVICE } from './transcode-args-input.js';

/**
 * Where the consumer of the decoded, scaled frames wants them:
 * - `system`: CPU memory (libx264, libvpx-vp9, mjpeg, gif, qsv from system frames);
 * - `cuda`: NVENC takes CUDA frames without a copy (and system frames too);
 * - `vaapi`: h264_vaapi/hevc_vaapi need VAAPI surfaces.
 */
export type FrameSink = 'system' | 'cuda' | 'vaapi';

/** How decoding and scaling run for one output: the input flags and the filter chain. */
export interface FramePipeline {
  /** Where the master is decoded. */
  decode: EncoderCaps['decode'];
  /** Flags that go before `-i <master>`. */
  inputArgs: string[];
}

/** Where an encoder wants its frames. */
export function sinkForEncoder(encoder: string): FrameSink {
  if (encoder.endsWith('_nvenc')) return 'cuda';
  if (encoder.endsWith('_vaapi')) return 'vaapi';
  return 'system';
}

/**
 * Chooses the decoder for a sink. Mixed vendors (CUDA decode feeding VAAPI, or
 * the reverse) are never set up: the master is then decoded on the CPU, which
 * costs little next to the encode and avoids a device-to-device copy.
 */
export function planFrames(caps: EncoderCaps, sink: FrameSink): FramePipeline {
  const device = caps.vaapiDevice ?? DEFAULT_VAAPI_DEVICE;
  let decode = caps.decode;
  if ((decode === 'cuda' && sink === 'vaapi') || (decode === 'vaapi' && sink === 'cuda')) decode = 'cpu';
  switch (decode) {
    case 'cuda':
      // Frames stay in GPU memory after NVDEC, so scale_cuda and NVENC never copy them.
      // https://docs.nvidia.com/video-technologies/video-codec-sdk/12.0/ffmpeg-with-nvidia-gpu/index.html
      return { decode, inputArgs: ['-hwaccel', 'cuda', '-hwaccel_output_format', 'cuda'] };
    case 'vaapi':
      // https://trac.ffmpeg.org/wiki/Hardware/VAAPI
      return { decode, inputArgs: ['-hwaccel', 'vaapi', '-hwaccel_device', device, '-hwaccel_output_format', 'vaapi'] };
    case 'cpu':
      // A VAAPI encoder fed by the CPU decoder needs a device for hwupload.
      return { decode, inputArgs: sink === 'vaapi' ? ['-init_hw_device', `vaapi=va:${device}`, '-filter_hw_device', 'va'] : [] };
  }
}

/**
 * The CPU pixel format an encoder should get: x264 reads nv12 natively, which
 * saves a conversion after hwdownload; QSV takes nothing else; the rest get yuv420p.
 */
export function systemFormatFor(encoder: string, decode: EncoderCaps['decode']): 'yuv420p' | 'nv12' {
  return (encoder === 'libx264' && decode !== 'cpu') || encoder.endsWith('_qsv') ? 'nv12' : 'yuv420p';
}

export interface ScaleChainOptions {
  width: number;
  height: number;
  /** Output frame rate; omitted keeps the master's. */
  fps?: number;
  /** The CPU pixel format the consumer reads when sink is `system` (default yuv420p). */
  systemFormat?: 'yuv420p' | 'nv12';
}

/**
 * The filter chain (no labels) from decoded master frames to frames of
 * `width`x`height` where the sink wants them. `fps` runs first so that
 * dropped frames are never scaled; it only moves frame references, so it
 * works on GPU frames as well.
 */
export function scaleChain(decode: EncoderCaps['decode'], sink: FrameSink, o: ScaleChainOptions): string {
  const steps: string[] = o.fps === undefined ? [] : [`fps=${o.fps}`];
  const systemFormat = o.systemFormat ?? 'yuv420p';
  if (decode === 'cuda') {
    if (sink === 'cuda') {
      steps.push(`scale_cuda=w=${o.width}:h=${o.height}:interp_algo=lanczos`);
    } else {
      // NVDEC-only GPUs (H100/H200) and CPU encoders: scale on the GPU, then
      // copy the small frame down. hwdownload needs the same pixel format the
      // frames have on the GPU, hence format=nv12 on both sides.
      // https://ffmpeg.org/ffmpeg-filters.html#hwdownload
      steps.push(`scale_cuda=w=${o.width}:h=${o.height}:interp_algo=lanczos:format=nv12`, 'hwdownload', 'format=nv12');
      if (systemFormat !== 'nv12') steps.push(`format=${systemFormat}`);
    }
    return withSquarePixels(steps);
  }
  if (decode === 'vaapi') {
    steps.push(`scale_vaapi=w=${o.width}:h=${o.height}:format=nv12`);
    if (sink !== 'vaapi') {
      steps.push('hwdownload', 'format=nv12');
      if (systemFormat !== 'nv12') steps.push(`format=${systemFormat}`);
    }
    return withSquarePixels(steps);
  }
  steps.push(`scale=${o.width}:${o.height}:flags=lanczos`);
  // hwupload to VAAPI surfaces wants nv12, the encoders' native layout.
  if (sink === 'vaapi') steps.push('format=nv12', 'hwupload');
  else steps.push(`format=${systemFormat}`);
  return withSquarePixels(steps);
}

/**
 * Scalers keep the display aspect by changing the sample aspect ratio when the
 * new size's ratio differs a little (720x1280 → 480x854). Deliverables are
 * specified in square pixels, so the SAR is reset (metadata only, GPU frames too).
 */
function withSquarePixels(steps: string[]): string {
  return [...steps, 'setsar=1'].join(',');
}
