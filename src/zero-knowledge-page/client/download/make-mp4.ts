import { ArrayBufferTarget, Muxer } from 'mp4-muxer';
import type { PlayerApi } from '../../../composition/index.js';
import { createResourceInliner, fontFaceCss } from './inline-resources.js';
import { canEncodeOpus, encodeOpus, mixAudioTracks, type EncodedAudio } from './mix-audio.js';
import { createFrameRasterizer } from './rasterize-frame.js';

export interface MakeMp4Options {
  api: PlayerApi;
  props: Record<string, unknown>;
  variant: string;
  width: number;
  height: number;
  fps: number;
  durationInFrames: number;
  /** From pickH264Encoder(). */
  encoder: VideoEncoderConfig;
  onProgress?: (framesDone: number, frames: number) => void;
}

export interface MadeMp4 {
  blob: Blob;
  frames: number;
  /** Frames drawn anew; the others repeat the previous picture (nothing changed in the DOM). */
  framesDrawn: number;
  /** `opus` when the sound is in the file; otherwise why not. */
  audio: 'opus' | 'none' | 'unsupported';
}

/** Resolves once the encoder's queue is short again, so frames are not all held in memory at once. */
async function drain(encoder: VideoEncoder, max: number): Promise<void> {
  while (encoder.encodeQueueSize > max) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 50);
      encoder.addEventListener('dequeue', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

/**
 * Makes the MP4 in the browser, frame by frame, as the render workers do:
 * the template is mounted frame-exact (player.js's frame source: each frame
 * shown only when its images, fonts and delayRender holds are ready),
 * every frame rasterised through an SVG foreignObject into a canvas, and
 * encoded with WebCodecs' H.264 `VideoEncoder` (a keyframe every 2 s). A
 * frame whose DOM did not change reuses the last picture. The sound: the
 * tracks the frames registered, mixed in an OfflineAudioContext and encoded
 * as Opus, where the browser can (H.264 + Opus in MP4 plays in Chromium,
 * Firefox and Safari 17+); else the file has no sound. mp4-muxer writes a
 * faststart MP4 in memory. Needs the page's runtime alone: take any live
 * player down first.
 */
export async function makeMp4(options: MakeMp4Options): Promise<MadeMp4> {
  const { width, height, fps, durationInFrames } = options;
  const wrapper = document.createElement('div');
  wrapper.className = 'zk-offscreen';
  wrapper.setAttribute('aria-hidden', 'true');
  const container = document.createElement('div');
  wrapper.appendChild(container);
  document.body.appendChild(wrapper);
  const source = options.api.createFrameSource(container);
  let encoder: VideoEncoder | undefined;
  try {
    await source.mount({ variant: options.variant, props: options.props, delayRenderTimeoutMs: 30_000 });
    const inliner = createResourceInliner();
    const rasterizer = createFrameRasterizer(container, width, height, await fontFaceCss(options.api.template.fonts ?? [], inliner), inliner);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this browser gives no 2D canvas');

    const video: { chunk: EncodedVideoChunk; meta: EncodedVideoChunkMetadata | undefined }[] = [];
    let failure: unknown;
    encoder = new VideoEncoder({ output: (chunk, meta) => video.push({ chunk, meta }), error: (e) => (failure = e) });
    encoder.configure(options.encoder);
    const frameUs = 1e6 / fps;
    let drawn = 0;
    for (let frame = 0; frame < durationInFrames; frame++) {
      const shown = await source.seek(frame);
      if (!shown.ok) throw new Error(`frame ${frame}: ${shown.message}`);
      if (shown.changed || frame === 0) {
        await rasterizer.draw(ctx);
        drawn++;
      }
      const picture = new VideoFrame(canvas, { timestamp: Math.round(frame * frameUs), duration: Math.round(frameUs) });
      encoder.encode(picture, { keyFrame: frame % Math.round(fps * 2) === 0 });
      picture.close();
      if (failure) throw failure;
      await drain(encoder, 4);
      options.onProgress?.(frame + 1, durationInFrames);
    }
    await encoder.flush();
    if (failure) throw failure;

    const tracks = source.audioTracks();
    let audio: EncodedAudio | undefined;
    let audioState: MadeMp4['audio'] = 'none';
    if (tracks.length > 0) {
      if (await canEncodeOpus()) {
        audio = await encodeOpus(await mixAudioTracks(tracks, fps, durationInFrames));
        audioState = 'opus';
      } else audioState = 'unsupported';
    }

    const muxer = new Muxer({
      target: new ArrayBufferTarget(),
      video: { codec: 'avc', width, height, frameRate: fps },
      ...(audio ? { audio: { codec: 'opus' as const, numberOfChannels: audio.numberOfChannels, sampleRate: audio.sampleRate } } : {}),
      fastStart: 'in-memory',
      firstTimestampBehavior: 'offset',
    });
    for (const { chunk, meta } of video) muxer.addVideoChunk(chunk, meta);
    for (const { chunk, meta } of audio?.chunks ?? []) muxer.addAudioChunk(chunk, meta);
    muxer.finalize();
    return { blob: new Blob([muxer.target.buffer], { type: 'video/mp4' }), frames: durationInFrames, framesDrawn: drawn, audio: audioState };
  } finally {
    if (encoder && encoder.state !== 'closed') encoder.close();
    source.unmount();
    wrapper.remove();
  }
}
