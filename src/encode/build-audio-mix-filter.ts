import type { AudioTrack } from './encode-options.schema.js';

/** Sample rate every track is converted to before mixing (Opus only takes 48 kHz). */
export const MIX_SAMPLE_RATE = 48_000;

export interface AudioMixFilterOptions {
  tracks: readonly AudioTrack[];
  fps: number;
  /** Output length in seconds: the mix is padded with silence or cut to it. */
  durationSec: number;
  /** ffmpeg input index of the first track (the frame pipe is input 0). */
  firstInputIndex: number;
  /**
   * The encoder's priming where no edit list will hide it (a fragmented MP4),
   * in samples at MIX_SAMPLE_RATE. The mix loses that many samples at its
   * start and its timestamps start that late, where the priming ends: the
   * encoder's first packet is then at 0, so the muxer has no negative time to
   * shift every track by, and what a player hears after the priming is on
   * time with the video.
   */
  trimStartSamples?: number;
}

export interface AudioMixFilter {
  /** A `-filter_complex` graph. */
  filter: string;
  /** Label to `-map`, including brackets. */
  outputLabel: string;
}

/** Formats seconds/gains without exponent notation, which ffmpeg does not parse. */
export function formatNumber(value: number): string {
  return Number(value.toFixed(6)).toString();
}

/** atempo takes 0.5 to 100 per instance in ffmpeg 5.1: slower rates are a chain of halvings. */
function tempoSteps(rate: number): string[] {
  const steps: string[] = [];
  let rest = rate;
  while (rest < 0.5) {
    steps.push('atempo=0.5');
    rest /= 0.5;
  }
  if (Math.abs(rest - 1) > 1e-9) steps.push(`atempo=${formatNumber(rest)}`);
  return steps;
}

/**
 * The source side of a track: its segment, looped and sped up, so that what
 * comes out runs on the composition's clock from the track's start.
 * https://ffmpeg.org/ffmpeg-filters.html#aloop https://ffmpeg.org/ffmpeg-filters.html#atempo
 */
function sourceSteps(track: AudioTrack): string[] {
  const steps: string[] = [];
  const start = track.sourceStartSec ?? 0;
  if (start > 0 || track.sourceEndSec !== undefined) {
    const parts = [start > 0 ? `start=${formatNumber(start)}` : null, track.sourceEndSec !== undefined ? `end=${formatNumber(track.sourceEndSec)}` : null];
    steps.push(`atrim=${parts.filter(Boolean).join(':')}`, 'asetpts=PTS-STARTPTS');
  }
  if (track.loop) {
    if (track.sourceEndSec === undefined || track.durationInFrames === undefined) {
      throw new Error('buildAudioMixFilter: a looped track needs sourceEndSec and durationInFrames');
    }
    // aloop counts samples: fix the rate first so the loop is exactly the segment.
    const samples = Math.max(1, Math.round((track.sourceEndSec - start) * MIX_SAMPLE_RATE));
    steps.push(`aformat=sample_fmts=fltp:sample_rates=${MIX_SAMPLE_RATE}:channel_layouts=stereo`, `aloop=loop=-1:size=${samples}`);
  }
  return [...steps, ...tempoSteps(track.playbackRate ?? 1)];
}

function trackChain(track: AudioTrack, index: number, options: AudioMixFilterOptions): string {
  const steps: string[] = sourceSteps(track);
  // A track that starts before frame 0 loses its first part; one with a
  // duration stops after it. Times count from the track's start.
  const startSec = Math.max(0, -track.fromFrame) / options.fps;
  const endSec = track.durationInFrames === undefined ? null : track.durationInFrames / options.fps;
  if (startSec > 0 || endSec !== null) {
    const parts = [startSec > 0 ? `start=${formatNumber(startSec)}` : null, endSec !== null ? `end=${formatNumber(endSec)}` : null];
    steps.push(`atrim=${parts.filter(Boolean).join(':')}`);
    // atrim keeps the original timestamps; restart them so adelay counts from 0.
    steps.push('asetpts=PTS-STARTPTS');
  }
  // One common format so amix does not have to guess, and adelay's sample
  // count below is exact. https://ffmpeg.org/ffmpeg-filters.html#aformat-1
  // Mono sources are upmixed by libswresample at -3 dB per channel
  // (constant-power pan law), i.e. as loud as before once both speakers play.
  steps.push(`aformat=sample_fmts=fltp:sample_rates=${MIX_SAMPLE_RATE}:channel_layouts=stereo`);
  if (track.volume !== 1) steps.push(`volume=${formatNumber(track.volume)}`);
  const delaySamples = Math.round((Math.max(0, track.fromFrame) / options.fps) * MIX_SAMPLE_RATE);
  // The `S` suffix gives the delay in samples, exact at any fps; `all=1`
  // delays every channel, not only the first. https://ffmpeg.org/ffmpeg-filters.html#adelay
  if (delaySamples > 0) steps.push(`adelay=delays=${delaySamples}S:all=1`);
  return `[${options.firstInputIndex + index}:a]${steps.join(',')}[a${index}]`;
}

/**
 * Builds the audio half of a filter graph: each track trimmed, converted,
 * gain-adjusted and delayed to its start frame, then summed with `amix` and
 * padded/cut to exactly the video's duration.
 */
export function buildAudioMixFilter(options: AudioMixFilterOptions): AudioMixFilter {
  if (options.tracks.length === 0) throw new Error('buildAudioMixFilter needs at least one track');
  const chains = options.tracks.map((track, i) => trackChain(track, i, options));
  const labels = options.tracks.map((_, i) => `[a${i}]`).join('');
  const dur = formatNumber(options.durationSec);
  // normalize=0: amix would otherwise divide every input by the input count,
  // so a voice got quieter when music was added. Volumes are the caller's.
  // https://ffmpeg.org/ffmpeg-filters.html#amix
  const mix =
    options.tracks.length > 1
      ? `amix=inputs=${options.tracks.length}:duration=longest:dropout_transition=0:normalize=0,`
      : '';
  // apad fills silence when the audio is shorter than the video; atrim cuts
  // the rest, so the audio stream is exactly as long as the video.
  const n = options.trimStartSamples;
  const trim = n ? `,atrim=start_sample=${n},asetpts=PTS-STARTPTS+${n}/SR/TB` : '';
  const tail = `${labels}${mix}apad=whole_dur=${dur},atrim=end=${dur}${trim}[aout]`;
  return { filter: [...chains, tail].join(';'), outputLabel: '[aout]' };
}
