import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { gifDurationSec, type GifSettings } from './build-gif-args.js';
import type { DeliverableSpec, VideoSpec } from './channel-profile.schema.js';
import { isFaststart } from './mp4-top-level-boxes.js';
import { probe, type ProbeResult } from './probe.js';
import { heightForWidth, type MasterInfo } from './transcode-args-input.js';
import { verifyHls } from './verify-hls.js';

/** Seconds an output may differ from what was asked (AAC priming and frame rounding stay well inside). */
export const DURATION_TOLERANCE_SEC = 0.2;

export interface VerifyDeliverableInput {
  spec: DeliverableSpec;
  outDir: string;
  master: MasterInfo;
  /** The GIF attempt that was kept (its width and fps); default the spec's own. */
  gifSettings?: GifSettings;
  ffprobePath?: string;
  signal?: AbortSignal;
}

function invalid(spec: DeliverableSpec, what: string): AppError {
  return new AppError('DELIVERABLE_INVALID', `${spec.name}: ${what}`, { details: { deliverable: spec.name, kind: spec.kind } });
}

function expectSize(spec: DeliverableSpec, p: ProbeResult, codec: string, width: number, height: number): void {
  const v = p.video;
  if (!v || v.codec !== codec || v.width !== width || v.height !== height) {
    throw invalid(spec, `probes as ${v ? `${v.codec} ${v.width}x${v.height}` : 'no video'}, expected ${codec} ${width}x${height}`);
  }
}

function expectDuration(spec: DeliverableSpec, p: ProbeResult, expected: number): void {
  const d = p.durationSec;
  if (d === null || Math.abs(d - expected) > DURATION_TOLERANCE_SEC) {
    throw invalid(spec, `lasts ${d === null ? 'an unknown time' : `${d.toFixed(2)} s`}, expected ${expected.toFixed(2)} s`);
  }
}

function expectFps(spec: DeliverableSpec, p: ProbeResult, expected: number, tolerance: number): void {
  const fps = p.video?.fps ?? null;
  if (fps === null || Math.abs(fps - expected) > tolerance) throw invalid(spec, `runs at ${fps ?? 'an unknown'} fps, expected ${expected}`);
}

function expectBudget(spec: DeliverableSpec, p: ProbeResult, maxBytes: number | undefined): void {
  if (maxBytes !== undefined && p.sizeBytes > maxBytes) throw invalid(spec, `is ${p.sizeBytes} bytes, over its budget of ${maxBytes}`);
}

async function verifyVideo(spec: VideoSpec, path: string, p: ProbeResult, master: MasterInfo): Promise<void> {
  expectSize(spec, p, spec.codec, spec.width, spec.height);
  const container = spec.container === 'mp4' ? 'mp4' : 'webm';
  if (!p.formatName.split(',').includes(container)) throw invalid(spec, `is a ${p.formatName} file, expected ${container}`);
  expectDuration(spec, p, master.durationSec);
  expectFps(spec, p, spec.fps ?? master.fps, 0.05);
  const audioCodec = spec.container === 'mp4' ? 'aac' : 'opus';
  if (master.hasAudio && p.audio?.codec !== audioCodec) throw invalid(spec, `has ${p.audio?.codec ?? 'no'} audio, expected ${audioCodec}`);
  expectBudget(spec, p, spec.maxBytes);
  if (spec.container === 'mp4' && !(await isFaststart(path))) throw invalid(spec, 'has its moov box after mdat (no faststart)');
}

/**
 * Checks a finished deliverable with ffprobe before it may be published:
 * codec, width and height, duration (±0.2 s), frame rate where one is set,
 * audio when the master has audio, byte budgets (GIF, SMS), MP4 faststart,
 * and for HLS every playlist and segment. Throws AppError('DELIVERABLE_INVALID').
 */
export async function verifyDeliverable(o: VerifyDeliverableInput): Promise<void> {
  const { spec, master } = o;
  const probeOptions = { ...(o.ffprobePath ? { ffprobePath: o.ffprobePath } : {}), ...(o.signal ? { signal: o.signal } : {}) };
  if (spec.kind === 'hls') return verifyHls(spec, o.outDir, master, probeOptions);
  const path = join(o.outDir, spec.name);
  const p = await probe(path, probeOptions).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'FFMPEG_FAILED') throw invalid(spec, `cannot be read by ffprobe: ${err.message}`);
    throw err;
  });
  switch (spec.kind) {
    case 'poster':
      return expectSize(spec, p, 'mjpeg', spec.width, heightForWidth(spec.width, master));
    case 'still':
      return expectSize(spec, p, 'png', spec.width, heightForWidth(spec.width, master));
    case 'gif': {
      const s = o.gifSettings ?? { fps: spec.fps, width: spec.width };
      expectSize(spec, p, 'gif', s.width, heightForWidth(s.width, master));
      expectDuration(spec, p, gifDurationSec(spec, master.durationSec));
      // GIF delays are whole centiseconds: 12 fps is stored as 8-9 cs frames.
      expectFps(spec, p, s.fps, s.fps * 0.05);
      return expectBudget(spec, p, spec.maxBytes);
    }
    case 'video':
      return verifyVideo(spec, path, p, master);
  }
}
