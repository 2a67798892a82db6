import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError, CancelledError, throwIfAborted } from '../errors/index.js';
import type { DeliverableSpec } from './channel-profile.schema.js';
import { contentTypeFor, deliverableOutputs, listDeliverableFiles, type DeliverableFile } from './deliverable-files.js';
import { encodeDeliverable, type EncodeOutcome, type RunStep } from './encode-deliverable.js';
import { CPU_CAPS, usesGpu, type EncoderCaps } from './encoder-caps.js';
import { planFrames, sinkForEncoder } from './frame-pipeline.js';
import { probe, type ProbeResult } from './probe.js';
import { runFfmpeg } from './run-ffmpeg.js';
import type { MasterInfo } from './transcode-args-input.js';
import { isFaststart } from './mp4-top-level-boxes.js';
import { pickVideoEncoder } from './video-encoder-args.js';
import { verifyDeliverable } from './verify-deliverable.js';

export interface TranscodeDeliverableInput {
  masterPath: string;
  spec: DeliverableSpec;
  /** An empty private directory (it may also hold the downloaded master). */
  outDir: string;
  caps: EncoderCaps;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** The template's poster frame in seconds: the default time of posters and stills. */
  posterSeconds?: number;
  signal?: AbortSignal;
  /** Fraction done, 0..1, never decreasing. */
  onProgress?: (fraction: number) => void;
}

export interface TranscodeDeliverableResult {
  /** Main file first (`spec.name`); HLS adds rung playlists and segments. */
  files: DeliverableFile[];
  /** caps.label of the pipeline that made the files (`cpu` after a fallback or for CPU-only kinds). */
  pipeline: string;
  fellBackToCpu: boolean;
  /** GIF: 0 = the spec's settings, i = fallbackSteps[i-1]. */
  gifStep?: number;
  /** True when the master itself is the deliverable (no encode). */
  passThrough: boolean;
  /** Video bitrate (kbit/s) chosen for a byte budget. */
  bitrateK?: number;
  /** Why the GPU attempt failed, when it did (for the worker's log; holds no props). */
  gpuError?: string;
}

function masterInfo(p: ProbeResult, masterPath: string): MasterInfo {
  if (!p.video || !p.video.width || !p.video.height || !p.durationSec) {
    throw new AppError('DELIVERABLE_INVALID', `master ${masterPath} has no usable video stream`, { details: { master: masterPath } });
  }
  return { width: p.video.width, height: p.video.height, fps: p.video.fps ?? 30, durationSec: p.durationSec, hasAudio: p.audio !== undefined };
}

/** The master is the deliverable: an H.264/AAC MP4 of the same size and rate, and no byte budget. */
export function isPassThrough(spec: DeliverableSpec, p: ProbeResult): boolean {
  if (spec.kind !== 'video' || spec.container !== 'mp4' || spec.codec !== 'h264' || spec.maxBytes !== undefined) return false;
  const v = p.video;
  if (!v || v.codec !== 'h264' || v.width !== spec.width || v.height !== spec.height || !p.formatName.split(',').includes('mp4')) return false;
  if (p.audio && p.audio.codec !== 'aac') return false;
  return spec.fps === undefined || (v.fps !== null && Math.abs(v.fps - spec.fps) < 0.01);
}

/** The caps a spec really runs on: CPU_CAPS when none of its stages would touch a GPU. */
export function effectiveCaps(spec: DeliverableSpec, caps: EncoderCaps): EncoderCaps {
  if (spec.kind === 'gif') return CPU_CAPS;
  if (spec.kind === 'poster' || spec.kind === 'still') return caps.decode === 'cpu' ? CPU_CAPS : caps;
  const encoder = spec.kind === 'video' ? pickVideoEncoder(spec.codec, caps) : caps.h264;
  const gpu = planFrames(caps, sinkForEncoder(encoder)).decode !== 'cpu' || !encoder.startsWith('lib');
  return gpu ? caps : CPU_CAPS;
}

/**
 * Cuts one deliverable from a master: probe it, publish it as is when it
 * already is the deliverable (pass-through), else encode with `caps`; any
 * failure of a GPU pipeline is retried once on the CPU (`fellBackToCpu`).
 * Every output is verified with ffprobe before this resolves.
 * Throws AppError('FFMPEG_FAILED') (stderr tail in details),
 * AppError('DELIVERABLE_INVALID'), or CancelledError when `signal` aborts.
 */
export async function transcodeDeliverable(input: TranscodeDeliverableInput): Promise<TranscodeDeliverableResult> {
  const { spec, signal } = input;
  const outDir = resolve(input.outDir);
  throwIfAborted(signal);
  if (resolve(join(outDir, spec.name)) === resolve(input.masterPath)) {
    throw new AppError('INVALID_ARGUMENT', `deliverable ${spec.name} would overwrite the master; keep the master out of outDir or under another name`);
  }
  const ffprobeOptions = { ...(input.ffprobePath ? { ffprobePath: input.ffprobePath } : {}), ...(signal ? { signal } : {}) };
  const probed = await probe(input.masterPath, ffprobeOptions);
  const master = masterInfo(probed, input.masterPath);
  // A master without faststart (not one the render worker wrote) is re-encoded rather than served slow to start.
  if (isPassThrough(spec, probed) && (await isFaststart(input.masterPath))) {
    input.onProgress?.(1);
    const size = (await stat(input.masterPath)).size;
    const file = { name: spec.name, path: input.masterPath, contentType: contentTypeFor(spec.name), size };
    return { files: [file], pipeline: 'passthrough', fellBackToCpu: false, passThrough: true };
  }

  let best = 0;
  const report = (f: number): void => {
    const clamped = Math.min(1, Math.max(0, f));
    if (clamped <= best) return;
    best = clamped;
    input.onProgress?.(clamped);
  };
  const run: RunStep = (args, span) =>
    runFfmpeg(args, {
      ...(input.ffmpegPath ? { ffmpegPath: input.ffmpegPath } : {}),
      ...(signal ? { signal } : {}),
      // 0.95: the verification is the last few percent.
      onTime: (t) => span.durationSec > 0 && report(0.95 * (span.from + (span.to - span.from) * Math.min(1, t / span.durationSec))),
    });
  const attempt = async (caps: EncoderCaps): Promise<EncodeOutcome> => {
    const encodeInput = { spec, input: input.masterPath, outDir, caps, master, ...(input.posterSeconds === undefined ? {} : { atSeconds: input.posterSeconds }) };
    const outcome = await encodeDeliverable(encodeInput, run);
    await verifyDeliverable({ spec, outDir, master, ...(outcome.gifSettings ? { gifSettings: outcome.gifSettings } : {}), ...ffprobeOptions });
    return outcome;
  };

  const caps = effectiveCaps(spec, input.caps);
  let used = caps;
  let gpuError: string | undefined;
  let outcome: EncodeOutcome;
  try {
    outcome = await attempt(caps);
  } catch (err) {
    if (err instanceof CancelledError || signal?.aborted || !usesGpu(caps)) throw withContext(err, spec, caps);
    // Any failure on a GPU (driver, session limit, bad frame) gets one CPU retry: the deliverable must not fail for it.
    gpuError = describeFailure(err);
    await Promise.all(deliverableOutputs(spec, outDir).map((p) => rm(p, { recursive: true, force: true })));
    used = CPU_CAPS;
    try {
      outcome = await attempt(CPU_CAPS);
    } catch (cpuErr) {
      throw withContext(cpuErr, spec, CPU_CAPS, gpuError);
    }
  }
  const files = await listDeliverableFiles(spec, outDir);
  report(1);
  return {
    files,
    pipeline: used.label,
    fellBackToCpu: used !== caps,
    passThrough: false,
    ...(outcome.gifStep === undefined ? {} : { gifStep: outcome.gifStep }),
    ...(outcome.bitrateK === undefined ? {} : { bitrateK: outcome.bitrateK }),
    ...(gpuError === undefined ? {} : { gpuError }),
  };
}

/** A short reason for logs: ffmpeg's last lines say what broke, the first ones rarely do. */
function describeFailure(err: unknown): string {
  if (err instanceof AppError) {
    const tail = err.details.stderrTail;
    return `${err.code}: ${typeof tail === 'string' && tail ? tail.slice(-400) : err.message.slice(0, 400)}`;
  }
  return err instanceof Error ? err.message.slice(0, 400) : String(err);
}

/** Adds the deliverable and pipeline to an ffmpeg failure; other errors pass unchanged. */
function withContext(err: unknown, spec: DeliverableSpec, caps: EncoderCaps, gpuError?: string): unknown {
  if (!(err instanceof AppError) || err.code !== 'FFMPEG_FAILED') return err;
  return new AppError('FFMPEG_FAILED', `transcode of ${spec.name} on ${caps.label} failed: ${err.message}`, {
    cause: err,
    details: { ...err.details, deliverable: spec.name, kind: spec.kind, pipeline: caps.label, ...(gpuError ? { gpuError } : {}) },
  });
}
