import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors/index.js';
import { retryVideoBitrateK } from './budget-bitrate.js';
import { buildGifArgs, gifDurationSec, gifSettingsAt, type GifSettings } from './build-gif-args.js';
import { buildHlsArgs } from './build-hls-args.js';
import { buildPosterArgs } from './build-poster-args.js';
import { buildStillCardArgs } from './build-still-card-args.js';
import { buildVideoTranscodeArgs, PASS_LOG_NAME } from './build-video-transcode-args.js';
import type { DeliverableSpec, GifSpec, VideoSpec } from './channel-profile.schema.js';
import type { TranscodeArgsInput } from './transcode-args-input.js';

/** Runs one argument list; `span` is the share [from, to) of this attempt's progress it covers, `durationSec` its output length. */
export type RunStep = (args: string[], span: { from: number; to: number; durationSec: number }) => Promise<void>;

/** What one encode attempt produced besides its files. */
export interface EncodeOutcome {
  /** GIF: 0 = the spec's settings, i = fallbackSteps[i-1]. */
  gifStep?: number;
  gifSettings?: GifSettings;
  /** Video with a byte budget: the video bitrate of the kept file. */
  bitrateK?: number;
}

const sizeOf = async (path: string): Promise<number> => (await stat(path)).size;

async function encodeGif(input: TranscodeArgsInput<GifSpec>, run: RunStep): Promise<EncodeOutcome> {
  const { spec } = input;
  const durationSec = gifDurationSec(spec, input.master.durationSec);
  const tried: string[] = [];
  for (let step = 0; step <= spec.fallbackSteps.length; step++) {
    const settings = gifSettingsAt(spec, step) as GifSettings;
    await run(buildGifArgs({ ...input, settings }), { from: 0, to: 1, durationSec });
    const size = await sizeOf(join(input.outDir, spec.name));
    if (size <= spec.maxBytes) return { gifStep: step, gifSettings: settings };
    tried.push(`${settings.width}px@${settings.fps}fps=${size}B`);
  }
  throw new AppError('DELIVERABLE_INVALID', `${spec.name} stays over ${spec.maxBytes} bytes at every step (${tried.join(', ')})`, {
    details: { deliverable: spec.name, maxBytes: spec.maxBytes, attempts: tried },
  });
}

async function removePassLogs(outDir: string): Promise<void> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(PASS_LOG_NAME)).map((n) => rm(join(outDir, n), { force: true })));
}

async function encodeVideoOnce(input: TranscodeArgsInput<VideoSpec>, run: RunStep, bitrateK?: number): Promise<number | undefined> {
  const plan = buildVideoTranscodeArgs({ ...input, ...(bitrateK === undefined ? {} : { bitrateK }) });
  try {
    for (const [i, args] of plan.runs.entries()) {
      const share = 1 / plan.runs.length;
      await run(args, { from: i * share, to: (i + 1) * share, durationSec: input.master.durationSec });
    }
  } finally {
    if (plan.passLogPrefix) await removePassLogs(input.outDir);
  }
  return plan.bitrateK;
}

/**
 * A video; with a byte budget the size is checked, and one retry at a lower
 * bitrate follows a miss (rate control can overshoot on hard content).
 */
async function encodeVideo(input: TranscodeArgsInput<VideoSpec>, run: RunStep): Promise<EncodeOutcome> {
  const { spec, master } = input;
  const bitrateK = await encodeVideoOnce(input, run);
  if (spec.maxBytes === undefined || bitrateK === undefined) return {};
  const path = join(input.outDir, spec.name);
  const size = await sizeOf(path);
  if (size <= spec.maxBytes) return { bitrateK };
  const audioBitrateK = master.hasAudio ? spec.audioBitrateK : 0;
  const lower = retryVideoBitrateK({ maxBytes: spec.maxBytes, durationSec: master.durationSec, audioBitrateK, previousK: bitrateK, actualBytes: size });
  await encodeVideoOnce(input, run, lower);
  const retried = await sizeOf(path);
  if (retried > spec.maxBytes) {
    throw new AppError('DELIVERABLE_INVALID', `${spec.name} is ${retried} bytes at ${lower} kbit/s, still over its budget of ${spec.maxBytes}`, {
      details: { deliverable: spec.name, maxBytes: spec.maxBytes, sizes: [size, retried], bitratesK: [bitrateK, lower] },
    });
  }
  return { bitrateK: lower };
}

/**
 * Encodes one deliverable with the caps in `input` (no fallback, no
 * verification: transcodeDeliverable does both). GIFs walk their fallback
 * steps until one fits `maxBytes`; budget videos are size-checked and
 * retried once lower. Throws AppError('FFMPEG_FAILED'|'DELIVERABLE_INVALID').
 */
export async function encodeDeliverable(input: TranscodeArgsInput, run: RunStep): Promise<EncodeOutcome> {
  const spec: DeliverableSpec = input.spec;
  const one = { from: 0, to: 1, durationSec: input.master.durationSec };
  switch (spec.kind) {
    case 'poster':
      await run(buildPosterArgs({ ...input, spec }), { ...one, durationSec: 0 });
      return {};
    case 'still':
      await run(buildStillCardArgs({ ...input, spec }), { ...one, durationSec: 0 });
      return {};
    case 'gif':
      return encodeGif({ ...input, spec }, run);
    case 'video':
      return encodeVideo({ ...input, spec }, run);
    case 'hls':
      await run(buildHlsArgs({ ...input, spec }), one);
      return {};
  }
}
