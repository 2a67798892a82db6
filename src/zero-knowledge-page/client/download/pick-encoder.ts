/** H.264 codec strings tried in order: Constrained Baseline 3.1 (plays everywhere, up to 1280x720), then High 4.0 (up to 2048x1024 / 1080x1920). */
export const H264_CODECS = ['avc1.42001f', 'avc1.640028'] as const;

export type EncoderChoice =
  | { ok: true; config: VideoEncoderConfig }
  | { ok: false; reason: string };

/**
 * The first H.264 configuration this browser's WebCodecs `VideoEncoder`
 * says it supports for the size (`isConfigSupported`), with an AVCC
 * (`avc`) bitstream for the MP4 muxer. A browser without WebCodecs, or
 * without an H.264 encoder (some Linux builds, Firefox before 130 without
 * the codec), gets a plain reason for the page to show.
 */
export async function pickH264Encoder(width: number, height: number, fps: number): Promise<EncoderChoice> {
  if (typeof VideoEncoder === 'undefined' || typeof VideoFrame === 'undefined') {
    return { ok: false, reason: 'This browser cannot make the MP4 itself (no WebCodecs video encoder). The video still plays here.' };
  }
  // About 0.1 bit per pixel per frame: 2.8 Mb/s for 1280x720 at 30 fps, like the farm's web MP4.
  const bitrate = Math.round(Math.min(8_000_000, Math.max(1_000_000, width * height * fps * 0.1)));
  for (const codec of H264_CODECS) {
    const config: VideoEncoderConfig = { codec, width, height, bitrate, framerate: fps, avc: { format: 'avc' }, latencyMode: 'quality' };
    try {
      const support = await VideoEncoder.isConfigSupported(config);
      if (support.supported) return { ok: true, config };
    } catch {
      // A config this browser cannot parse: try the next one.
    }
  }
  return { ok: false, reason: `This browser has no H.264 encoder for ${width}x${height}, so it cannot make the MP4 itself. The video still plays here.` };
}
