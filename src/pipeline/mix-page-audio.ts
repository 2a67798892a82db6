import { rename, rm } from 'node:fs/promises';
import type { AudioTrack as PageAudioTrack, Template } from '../composition/index.js';
import { buildAudioRemuxArgs, startFfmpeg, type AudioTrack } from '../encode/index.js';
import type { BundleRef } from '../render/index.js';

/** Finds the file behind a page's audio source (src/footage implements it). */
export interface MediaResolver {
  /** Refuses sources that are neither the bundle's static files nor allowed https URLs. */
  media(src: string, bundle: BundleRef): Promise<{ path: string; hasAudio: boolean; durationSec: number }>;
}

/**
 * Audio the page registered beyond the template's own soundtrack (an <Audio>
 * inside a Sequence, the sound of a <Video>: only known once its frames were
 * rendered) is mixed in afterwards, copying the video stream. Returns false
 * when there was none.
 */
export async function mixPageAudio(options: {
  template: Template;
  bundle: BundleRef;
  media: MediaResolver;
  pageTracks: readonly PageAudioTrack[];
  firstFrame: number;
  frames: number;
  format: 'mp4' | 'webm';
  videoPath: string;
  ffmpegPath: string;
  signal?: AbortSignal;
}): Promise<boolean> {
  const soundtrack = options.template.audio ? `static/${options.template.audio.src}` : undefined;
  const extra = options.pageTracks.filter((t) => !(t.src === soundtrack && t.fromFrame === 0));
  if (extra.length === 0) return false;
  const resolved = await Promise.all(options.pageTracks.map((track) => toMixTrack(track, options)));
  const tracks = resolved.filter((t): t is AudioTrack => t !== null);
  if (tracks.length === 0) return false;
  const mixed = `${options.videoPath}.audio`;
  try {
    const ffmpeg = await startFfmpeg(
      buildAudioRemuxArgs({ videoPath: options.videoPath, tracks, fps: options.template.fps, durationInFrames: options.frames, format: options.format, outPath: mixed }),
      { ffmpegPath: options.ffmpegPath, signal: options.signal },
    );
    await ffmpeg.end();
    await rename(mixed, options.videoPath);
  } finally {
    await rm(mixed, { force: true });
  }
  return true;
}

/** A page track on the rendered range's clock, or null for a source without sound (a silent video). */
async function toMixTrack(
  track: PageAudioTrack,
  o: { template: Template; bundle: BundleRef; media: MediaResolver; firstFrame: number; frames: number },
): Promise<AudioTrack | null> {
  const media = await o.media.media(track.src, o.bundle);
  if (!media.hasAudio) return null;
  const fps = o.template.fps;
  // Shift to the rendered range; a negative start cuts the part before it.
  const fromFrame = track.fromFrame - o.firstFrame;
  const mix: AudioTrack = { path: media.path, fromFrame, volume: track.volume };
  if ((track.startFrom ?? 0) > 0) mix.sourceStartSec = track.startFrom! / fps;
  if (track.endAt !== undefined) mix.sourceEndSec = track.endAt / fps;
  if ((track.playbackRate ?? 1) !== 1) mix.playbackRate = track.playbackRate;
  let duration = track.durationInFrames;
  if (track.loop) {
    mix.loop = true;
    mix.sourceEndSec ??= media.durationSec;
    // A loop never ends by itself: it stops with the render.
    duration ??= o.frames - fromFrame;
  }
  if (duration !== undefined) mix.durationInFrames = duration;
  return mix;
}
