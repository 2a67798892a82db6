import { buildAudioMixFilter } from './build-audio-mix-filter.js';
import { fileUrl } from './build-encode-args.js';
import type { AudioTrack } from './encode-options.schema.js';

export interface AudioRemuxOptions {
  /** The encoded video; its video stream is copied, not re-encoded. */
  videoPath: string;
  tracks: readonly AudioTrack[];
  fps: number;
  durationInFrames: number;
  format: 'mp4' | 'webm';
  outPath: string;
}

/**
 * Replaces a video's sound with a mix of `tracks`, copying the video stream.
 * Used when the page registered <Audio> elements (inside Sequences) that were
 * only known once every frame had been rendered.
 */
export function buildAudioRemuxArgs(options: AudioRemuxOptions): string[] {
  const mix = buildAudioMixFilter({
    tracks: options.tracks,
    fps: options.fps,
    durationSec: options.durationInFrames / options.fps,
    firstInputIndex: 1,
  });
  const audioCodec = options.format === 'mp4' ? ['-c:a', 'aac', '-b:a', '128k'] : ['-c:a', 'libopus', '-b:a', '128k'];
  const container = options.format === 'mp4' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'webm'];
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-i', fileUrl(options.videoPath),
    ...options.tracks.flatMap((track) => ['-i', fileUrl(track.path)]),
    '-filter_complex', mix.filter,
    '-map', '0:v', '-map', mix.outputLabel,
    '-c:v', 'copy', ...audioCodec,
    ...container,
    fileUrl(options.outPath),
  ];
}

/**
 * Rewrites a fragmented MP4 (streamed while it rendered) as a plain
 * faststart one, copying every stream: the cached copy then has a duration
 * and a seek index that every player and transcoder reads up front.
 */
export function buildFaststartRemuxArgs(inPath: string, outPath: string): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-i', fileUrl(inPath),
    '-map', '0', '-c', 'copy',
    '-movflags', '+faststart', '-f', 'mp4',
    fileUrl(outPath),
  ];
}
