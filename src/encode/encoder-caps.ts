/**
 * What a transcode worker can use, found once at start by detectEncoders()
 * (or forced by config). Every stage is chosen separately because some GPUs
 * have one without the other: an H100/H200 decodes and scales on the GPU
 * (NVDEC, CUDA) but has no NVENC, so it encodes on the CPU.
 */
export interface EncoderCaps {
  /** Where the master is decoded and scaled. */
  decode: 'cpu' | 'cuda' | 'vaapi';
  /** The H.264 encoder. */
  h264: 'libx264' | 'h264_nvenc' | 'h264_vaapi' | 'h264_qsv';
  /** The HEVC encoder, when one was verified. */
  hevc?: 'hevc_nvenc' | 'hevc_vaapi' | 'hevc_qsv';
  /** VAAPI render node (e.g. /dev/dri/renderD128) when decode or h264 use VAAPI. */
  vaapiDevice?: string;
  /** Short name for logs, heartbeats and metrics: cpu, nvidia, nvidia-decode, vaapi, qsv. */
  label: string;
}

/** The plain CPU path: always available where ffmpeg is. */
export const CPU_CAPS: EncoderCaps = Object.freeze({ decode: 'cpu', h264: 'libx264', label: 'cpu' });

/** True when any stage runs on a GPU (a failure there is retried on CPU_CAPS). */
export function usesGpu(caps: EncoderCaps): boolean {
  return caps.decode !== 'cpu' || caps.h264 !== 'libx264';
}
