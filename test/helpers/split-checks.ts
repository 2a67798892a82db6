import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeMono, streamStarts } from './av-sync.js';

const run = promisify(execFile);

/** What one seam (the first frame of a chunk after the first) looks like in the joined file. */
export interface SeamCheck {
  frame: number;
  /** The picture at the seam is a keyframe (the chunk's closed GOP opens there). */
  keyframe: boolean;
  /** Largest |gap| between one audio packet's end and the next one's start within 0.25 s of the seam, in seconds. */
  audioGapSec: number;
}

/** ffprobe's view of a joined split render. */
export interface SplitCheck {
  frames: number;
  videoDurationSec: number;
  audioDurationSec: number | null;
  /** First video packet's pts and the time the first audio sample is presented (the priming skipped). */
  videoFirstPts: number;
  audioPresented: number | null;
  /** Largest distance of a picture from n / fps, in seconds (a seam that drifts shows here). */
  frameTimeError: number;
  /** Largest |gap| between consecutive audio packets anywhere, in seconds. */
  audioGapSec: number;
  seams: SeamCheck[];
}

interface Packet {
  stream_index: number;
  pts_time: string;
  duration_time?: string;
  flags: string;
}

/** Checks a joined split render: frames, durations, starts at 0, a keyframe and continuous sound at every seam. */
export async function checkSplitVideo(file: string, options: { fps: number; seams: readonly number[] }): Promise<SplitCheck> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=index,codec_type,duration:packet=stream_index,pts_time,duration_time,flags', '-of', 'json', file],
    { maxBuffer: 128 * 1024 * 1024 },
  );
  const json = JSON.parse(stdout) as { streams: { index: number; codec_type: string; duration: string }[]; packets: Packet[] };
  const video = json.streams.find((s) => s.codec_type === 'video')!;
  const audio = json.streams.find((s) => s.codec_type === 'audio');
  const pictures = json.packets.filter((p) => p.stream_index === video.index).map((p) => ({ t: Number(p.pts_time), key: p.flags.includes('K') }));
  const sound = audio ? json.packets.filter((p) => p.stream_index === audio.index).map((p) => ({ t: Number(p.pts_time), d: p.duration_time === undefined ? undefined : Number(p.duration_time) })) : [];
  // A packet the container gives no duration (the first of a fragmented MP4, whose trun leaves it out) is not measured against the next.
  const gaps = sound.slice(1).flatMap((p, i) => (sound[i]!.d === undefined ? [] : [{ at: p.t, gap: Math.abs(p.t - (sound[i]!.t + sound[i]!.d!)) }]));
  const starts = await streamStarts(file, options.fps);
  return {
    frames: pictures.length,
    videoDurationSec: Number(video.duration),
    audioDurationSec: audio ? Number(audio.duration) : null,
    videoFirstPts: starts.video.firstPts,
    audioPresented: starts.audio?.presented ?? null,
    frameTimeError: starts.video.frameTimeError,
    audioGapSec: Math.max(0, ...gaps.map((g) => g.gap)),
    seams: options.seams.map((frame) => {
      const at = frame / options.fps;
      const picture = pictures.find((p) => Math.abs(p.t - at) < 0.5 / options.fps);
      return {
        frame,
        keyframe: picture?.key ?? false,
        audioGapSec: Math.max(0, ...gaps.filter((g) => Math.abs(g.at - at) <= 0.25).map((g) => g.gap)),
      };
    }),
  };
}

/** PSNR (dB, average over the planes) of frames `frames` of `a` against the same frames of `b`; Infinity where they are identical. */
export async function framePsnr(a: string, b: string, frames: readonly number[]): Promise<number[]> {
  const pick = `select='${frames.map((n) => `eq(n\\,${n})`).join('+')}',setpts=N/TB`;
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', a, '-i', b, '-filter_complex', `[0:v]${pick}[a];[1:v]${pick}[b];[a][b]psnr=stats_file=-`, '-f', 'null', '-'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const value = /psnr_avg:(\S+)/.exec(line)?.[1];
      return value === 'inf' ? Infinity : Number(value);
    });
}

/** Decoded sound (mono 48 kHz) of two files: the largest sample difference and the samples compared. */
export async function audioDifference(a: string, b: string): Promise<{ maxDiff: number; samples: number }> {
  const [x, y] = await Promise.all([decodeMono(a), decodeMono(b)]);
  const samples = Math.min(x.length, y.length);
  let maxDiff = Math.abs(x.length - y.length) > 48 ? Infinity : 0;
  for (let i = 0; i < samples; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i]! - y[i]!));
  return { maxDiff, samples };
}

/** One line per figure, for the benchmark's output. */
export function describeSplitCheck(check: SplitCheck, fps: number): string[] {
  const ms = (s: number | null) => (s === null ? 'n/a' : `${(s * 1000).toFixed(3)} ms`);
  return [
    `frames ${check.frames}, video ${check.videoDurationSec.toFixed(4)} s, audio ${check.audioDurationSec?.toFixed(4) ?? 'none'} s; first video packet at ${ms(check.videoFirstPts)}, first sample heard at ${ms(check.audioPresented)}; largest picture time error ${ms(check.frameTimeError)} (1 frame = ${ms(1 / fps)}); largest audio packet gap ${ms(check.audioGapSec)}`,
    ...check.seams.map((s) => `seam at frame ${s.frame}: keyframe ${s.keyframe ? 'yes' : 'NO'}, audio packet gap within 0.25 s ${ms(s.audioGapSec)}`),
  ];
}
