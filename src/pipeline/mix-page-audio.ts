import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AudioTrack as PageAudioTrack, Template } from '../composition/template.schema.js';
import { buildAudioRemuxArgs, startFfmpeg, type AudioTrack } from '../encode/index.js';
import { AppError } from '../errors/index.js';
import type { BundleRef } from '../render/index.js';

/**
 * Audio the page registered beyond the template's own soundtrack (an <Audio>
 * inside a Sequence is only known once its frames were rendered) is mixed in
 * afterwards, copying the video stream. Returns false when there was none.
 */
export async function mixPageAudio(options: {
  template: Template;
  bundle: BundleRef;
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
  const tracks: AudioTrack[] = options.pageTracks.map((track) => ({
    path: localAudioPath(options.bundle, track.src),
    // Shift to the rendered range; a negative start cuts the part before it.
    fromFrame: track.fromFrame - options.firstFrame - (track.startFrom ?? 0),
    durationInFrames: track.durationInFrames,
    volume: track.volume,
  }));
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

/** Only the bundle's own static files can be mixed: the page cannot name other files. */
function localAudioPath(bundle: BundleRef, src: string): string {
  const staticDir = path.join(bundle.dir, 'static');
  const file = path.resolve(bundle.dir, src.replace(/^\.?\//, ''));
  if (!file.startsWith(staticDir + path.sep)) {
    throw new AppError('TEMPLATE_ERROR', `template ${bundle.templateId}: <Audio> sources must come from staticFile(), got a non-local source`);
  }
  return file;
}
