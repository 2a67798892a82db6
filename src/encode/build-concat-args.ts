import { buildAudioMixFilter, formatNumber } from './build-audio-mix-filter.js';
import { fileUrl } from './build-encode-args.js';
import type { AudioTrack } from './encode-options.schema.js';

/** One encoded chunk of a split render, in timeline order. */
export interface ConcatChunk {
  path: string;
  /** Its frame count: the concat demuxer places the next chunk exactly this much later. */
  frames: number;
}

/** Quotes a path for a concat list: inside single quotes, a quote is `'\''`. https://ffmpeg.org/ffmpeg-formats.html#Syntax */
function quote(path: string): string {
  return `'${path.replace(/'/g, "'\\''")}'`;
}

/**
 * The concat demuxer's script for `chunks`. Each file gets its `duration`
 * (frames / fps): without it the demuxer takes the file's own duration,
 * which an MP4 rounds up to its timescale and its edit list, and every seam
 * drifts by a tick or two.
 */
export function buildConcatList(chunks: readonly ConcatChunk[], fps: number): string {
  const lines = ['ffconcat version 1.0'];
  for (const chunk of chunks) lines.push(`file ${quote(chunk.path)}`, `duration ${formatNumber(chunk.frames / fps)}`);
  return `${lines.join('\n')}\n`;
}

export interface ConcatArgsOptions {
  /** The concat list (buildConcatList), on disk. */
  listPath: string;
  /** The soundtrack, mixed and encoded once over the whole video (none: a silent MP4). */
  tracks: readonly AudioTrack[];
  fps: number;
  durationInFrames: number;
  outPath: string;
}

/**
 * Joins a split render's chunks into one faststart MP4: the video streams
 * copied in order (no re-encode: every chunk has the same parameters and
 * opens on a keyframe), the sound encoded once over the whole duration, so
 * no seam of the video is a seam of the audio (AAC priming and padding at
 * every chunk boundary would be clicks and drift).
 * https://trac.ffmpeg.org/wiki/Concatenate#demuxer
 */
export function buildConcatArgs(options: ConcatArgsOptions): string[] {
  const audio =
    options.tracks.length === 0
      ? []
      : (() => {
          const mix = buildAudioMixFilter({ tracks: options.tracks, fps: options.fps, durationSec: options.durationInFrames / options.fps, firstInputIndex: 1 });
          return [...options.tracks.flatMap((track) => ['-i', fileUrl(track.path)]), '-filter_complex', mix.filter, '-map', '0:v', '-map', mix.outputLabel, '-c:a', 'aac', '-b:a', '128k'];
        })();
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    // -safe 0: the list names absolute paths (the chunks' temp files).
    '-f', 'concat', '-safe', '0', '-i', fileUrl(options.listPath),
    ...(audio.length > 0 ? audio : ['-map', '0:v']),
    '-c:v', 'copy',
    '-movflags', '+faststart', '-f', 'mp4',
    fileUrl(options.outPath),
  ];
}
