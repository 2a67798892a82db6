import { execFile } from 'node:child_process';
import { z } from 'zod';
import { AppError, CancelledError } from '../errors/index.js';

const streamSchema = z.looseObject({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  nb_frames: z.string().optional(),
  nb_read_frames: z.string().optional(),
  channels: z.number().optional(),
  sample_rate: z.string().optional(),
});

/** The part of ffprobe's JSON that mastercut reads; other fields are kept as-is. */
export const ffprobeJsonSchema = z.looseObject({
  streams: z.array(streamSchema).default([]),
  format: z.looseObject({
    format_name: z.string(),
    duration: z.string().optional(),
    size: z.string().optional(),
  }),
});

export type FfprobeJson = z.infer<typeof ffprobeJsonSchema>;

/** Typed summary of a media file, plus ffprobe's raw JSON. */
export interface ProbeResult {
  /** ffprobe's demuxer name list, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  formatName: string;
  durationSec: number | null;
  sizeBytes: number;
  video?: { codec: string; width: number; height: number; pixFmt: string; fps: number | null; frames?: number };
  audio?: { codec: string; channels: number; sampleRate: number };
  raw: FfprobeJson;
}

export interface ProbeOptions {
  ffprobePath?: string;
  /** Decode every frame to count them exactly (slower); otherwise frames come from the container when it stores them. */
  countFrames?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Parses ffprobe's `30000/1001` rates; `0/0` means unknown. */
export function parseFrameRate(rate: string | undefined): number | null {
  if (!rate) return null;
  const [num, den] = rate.split('/').map(Number);
  if (!Number.isFinite(num) || !Number.isFinite(den) || !den || !num) return null;
  return num / den;
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : undefined;
}

/** Builds the typed summary from ffprobe's JSON (pure; exported for tests). */
export function summarizeProbe(raw: FfprobeJson): ProbeResult {
  const v = raw.streams.find((s) => s.codec_type === 'video');
  const a = raw.streams.find((s) => s.codec_type === 'audio');
  const duration = raw.format.duration === undefined ? null : Number.parseFloat(raw.format.duration);
  const frames = toInt(v?.nb_read_frames) ?? toInt(v?.nb_frames);
  return {
    formatName: raw.format.format_name,
    durationSec: duration !== null && Number.isFinite(duration) ? duration : null,
    sizeBytes: toInt(raw.format.size) ?? 0,
    video: v && {
      codec: v.codec_name ?? 'unknown',
      width: v.width ?? 0,
      height: v.height ?? 0,
      pixFmt: v.pix_fmt ?? 'unknown',
      fps: parseFrameRate(v.avg_frame_rate) ?? parseFrameRate(v.r_frame_rate),
      ...(frames === undefined ? {} : { frames }),
    },
    audio: a && { codec: a.codec_name ?? 'unknown', channels: a.channels ?? 0, sampleRate: toInt(a.sample_rate) ?? 0 },
    raw,
  };
}

/**
 * Runs ffprobe on a local file and returns a typed summary. Throws
 * AppError('DEPENDENCY_MISSING') without ffprobe and AppError('FFMPEG_FAILED')
 * (with ffprobe's message) for unreadable or invalid files.
 */
export async function probe(path: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const bin = options.ffprobePath ?? 'ffprobe';
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format'];
  if (options.countFrames) args.push('-count_frames');
  // file: so a path with a colon is never taken for a protocol.
  args.push(`file:${path}`);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      bin,
      args,
      { signal: options.signal, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, out, stderr) => {
        if (!err) return resolve(out);
        const e = err as NodeJS.ErrnoException;
        if (e.name === 'AbortError') return reject(new CancelledError('probe aborted'));
        if (e.code === 'ENOENT') {
          return reject(
            new AppError('DEPENDENCY_MISSING', `ffprobe not found (${bin}); install it with: sudo apt-get install ffmpeg (or run scripts/install-system-deps.sh)`, { cause: err }),
          );
        }
        reject(new AppError('FFMPEG_FAILED', `ffprobe failed on ${path}: ${stderr.trim() || e.message}`, { cause: err }));
      },
    );
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (err) {
    throw new AppError('FFMPEG_FAILED', `ffprobe returned invalid JSON for ${path}`, { cause: err });
  }
  const parsed = ffprobeJsonSchema.safeParse(json);
  if (!parsed.success) throw new AppError('FFMPEG_FAILED', `ffprobe returned unexpected JSON for ${path}`, { cause: parsed.error });
  return summarizeProbe(parsed.data);
}
