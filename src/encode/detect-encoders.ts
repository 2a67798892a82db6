import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors/index.js';
import { capsForFamily, chooseEncoderCaps } from './choose-encoder-caps.js';
import type { CandidateCheck, DetectionReport, EncoderMode } from './detection-report.js';
import { CPU_CAPS, type EncoderCaps } from './encoder-caps.js';
import { buildSampleArgs, PROBES, type EncoderFamily, type ProbeId, type ProbeSpec } from './encoder-probes.js';
import { parseCodecList, parseFilterList, parseHwaccelList, summarizeFfmpegError, type FfmpegListing } from './parse-ffmpeg-listing.js';
import { createCommandRunner, type CommandRunner } from './run-command.js';

export interface DetectEncodersOptions {
  /** Absolute path or name on PATH; default `ffmpeg`. */
  ffmpegPath?: string;
  /** `auto` (default) probes every family; `cpu` probes nothing; `nvidia`/`vaapi` probe that family and throw when it does not work. */
  mode?: EncoderMode;
  /** VAAPI render node; default the first /dev/dri/renderD* node. */
  vaapiDevice?: string;
  /** Runs ffmpeg with the given arguments (tests inject recorded outputs). */
  run?: CommandRunner;
  /** Lists VAAPI render nodes; default reads /dev/dri. */
  listRenderNodes?: () => Promise<string[]>;
  /** Per command. Default 20 s: the first CUDA context on a cold GPU takes a few seconds. */
  timeoutMs?: number;
  /** Where the one-frame H.264 sample for the decode probes is written; default the OS temp dir. */
  tmpDir?: string;
}

/** The caps a transcode worker uses, and the report that says why. */
export interface EncoderDetection {
  caps: EncoderCaps;
  report: DetectionReport;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const STDERR_TAIL_CHARS = 2_000;
const FAMILIES: Record<EncoderMode, readonly EncoderFamily[]> = {
  auto: ['nvidia', 'vaapi', 'qsv'],
  cpu: [],
  nvidia: ['nvidia'],
  vaapi: ['vaapi'],
};

/** The /dev/dri render nodes (VAAPI devices), numerically sorted; none when /dev/dri does not exist. */
export async function listRenderNodes(dir = '/dev/dri'): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => /^renderD\d+$/.test(n))
    .sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)))
    .map((n) => path.join(dir, n));
}

async function readListing(run: CommandRunner, ffmpegPath: string, timeoutMs: number): Promise<{ listing: FfmpegListing; version: string }> {
  const calls = [['-version'], ['-hide_banner', '-encoders'], ['-hide_banner', '-hwaccels'], ['-hide_banner', '-filters']];
  const results = await Promise.all(calls.map((args) => run(args, { timeoutMs })));
  results.forEach((r, i) => {
    if (r.code === 0) return;
    const why = r.timedOut ? `timed out after ${timeoutMs} ms` : `exited with code ${r.code}: ${summarizeFfmpegError(r.stderr)}`;
    throw new AppError('DEPENDENCY_MISSING', `${ffmpegPath} ${calls[i]?.join(' ')} ${why}; the ffmpeg install is broken (reinstall it, or run scripts/install-system-deps.sh)`, {
      details: { ffmpegPath },
    });
  });
  const [version, encoders, hwaccels, filters] = results.map((r) => r.stdout);
  return {
    version: (version ?? '').split('\n')[0]?.replace(/\s+Copyright.*$/, '').trim() ?? '',
    listing: { encoders: parseCodecList(encoders ?? ''), hwaccels: parseHwaccelList(hwaccels ?? ''), filters: parseFilterList(filters ?? '') },
  };
}

function missingNames(spec: ProbeSpec, listing: FfmpegListing): string[] {
  const { encoders = [], hwaccels = [], filters = [] } = spec.requires;
  return [
    ...encoders.filter((n) => !listing.encoders.has(n)).map((n) => `encoder:${n}`),
    ...hwaccels.filter((n) => !listing.hwaccels.has(n)).map((n) => `hwaccel:${n}`),
    ...filters.filter((n) => !listing.filters.has(n)).map((n) => `filter:${n}`),
  ];
}

interface ProbeRun {
  run: CommandRunner;
  timeoutMs: number;
  listing: FfmpegListing;
  vaapiDevice?: string;
  tmpDir: string;
}

/** Runs the probes of `families` in order; the H.264 sample is made once, only when a decode probe needs it. */
async function runProbes(families: readonly EncoderFamily[], ctx: ProbeRun): Promise<CandidateCheck[]> {
  const checks = new Map<ProbeId, CandidateCheck>();
  let sample: { path?: string; error?: string } | undefined;
  let sampleDir: string | undefined;
  const makeSample = async (): Promise<{ path?: string; error?: string }> => {
    if (!ctx.listing.encoders.has('libx264')) return { error: 'libx264 is not listed, so no H.264 sample could be made' };
    sampleDir = await mkdtemp(path.join(ctx.tmpDir, 'mastercut-encprobe-'));
    const samplePath = path.join(sampleDir, 'sample.mp4');
    const r = await ctx.run(buildSampleArgs(samplePath), { timeoutMs: ctx.timeoutMs });
    return r.code === 0 ? { path: samplePath } : { error: `could not make the H.264 sample with libx264: ${summarizeFfmpegError(r.stderr)}` };
  };
  try {
    for (const spec of PROBES.filter((p) => families.includes(p.family))) {
      const missing = missingNames(spec, ctx.listing);
      const base = { id: spec.id, family: spec.family, listed: missing.length === 0, missing };
      const settle = (rest: Omit<CandidateCheck, keyof typeof base>): void => void checks.set(spec.id, { ...base, ...rest });
      if (missing.length > 0) {
        settle({ status: 'not-listed', reason: `this ffmpeg build lacks ${missing.join(', ')}` });
        continue;
      }
      if (spec.needsRenderNode && !ctx.vaapiDevice) {
        settle({ status: 'no-device', reason: 'no /dev/dri/renderD* node (give the container the device: --device /dev/dri)' });
        continue;
      }
      if (spec.after && checks.get(spec.after)?.status !== 'ok') {
        settle({ status: 'skipped', reason: `${spec.after} does not work` });
        continue;
      }
      let samplePath: string | undefined;
      if (spec.needsSample) {
        sample ??= await makeSample();
        if (sample.error !== undefined) {
          settle({ status: 'skipped', reason: sample.error });
          continue;
        }
        samplePath = sample.path;
      }
      const args = spec.args({ samplePath, vaapiDevice: ctx.vaapiDevice });
      const started = Date.now();
      const r = await ctx.run(args, { timeoutMs: ctx.timeoutMs });
      const durationMs = Date.now() - started;
      if (r.code === 0) {
        settle({ status: 'ok', args, durationMs });
      } else {
        const reason = r.timedOut ? `timed out after ${ctx.timeoutMs} ms` : summarizeFfmpegError(r.stderr);
        settle({ status: 'failed', reason, stderrTail: r.stderr.trim().slice(-STDERR_TAIL_CHARS), args, durationMs });
      }
    }
  } finally {
    if (sampleDir) await rm(sampleDir, { recursive: true, force: true });
  }
  return [...checks.values()];
}

const FORCED_HINTS: Record<'nvidia' | 'vaapi', string> = {
  nvidia:
    'Give the container the GPU (docker run --gpus all with the NVIDIA Container Toolkit, and NVIDIA_DRIVER_CAPABILITIES=compute,video,utility), ' +
    'or set the encoder mode (TRANSCODE_ENCODERS) to auto or cpu.',
  vaapi:
    'Give the container the render node (--device /dev/dri), install the VA driver (intel-media-va-driver or mesa-va-drivers), ' +
    'or set the encoder mode (TRANSCODE_ENCODERS) to auto or cpu.',
};

/**
 * Finds what a transcode worker can use, once at start: for each GPU stage
 * (NVENC, NVDEC + scale_cuda, VAAPI, QSV) it checks that this ffmpeg lists
 * it, then runs one real frame through it, because a listing proves nothing
 * (Debian's ffmpeg lists NVENC everywhere). Picks NVIDIA, then VAAPI, then
 * QSV, else CPU_CAPS; the report says what failed and why.
 *
 * `mode: 'cpu'` returns CPU_CAPS without running anything. `mode: 'nvidia'`
 * or `'vaapi'` probes only that family and throws AppError('DEPENDENCY_MISSING')
 * when none of its stages works: a forced GPU that is not there is a
 * deployment mistake, and silently encoding on the CPU would hide it.
 * Throws AppError('DEPENDENCY_MISSING') too when ffmpeg is missing or broken.
 */
export async function detectEncoders(options: DetectEncodersOptions = {}): Promise<EncoderDetection> {
  const started = Date.now();
  const mode = options.mode ?? 'auto';
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  if (mode === 'cpu') {
    const report: DetectionReport = { mode, ffmpegPath, ffmpegVersion: null, renderNodes: [], checks: [], decision: 'cpu: forced by config, nothing probed', durationMs: 0 };
    return { caps: CPU_CAPS, report };
  }
  const run = options.run ?? createCommandRunner(ffmpegPath);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const families = FAMILIES[mode];
  const { listing, version } = await readListing(run, ffmpegPath, timeoutMs);
  const renderNodes = families.includes('vaapi') ? await (options.listRenderNodes ?? listRenderNodes)() : [];
  const vaapiDevice = options.vaapiDevice ?? renderNodes[0];
  const checks = await runProbes(families, { run, timeoutMs, listing, vaapiDevice, tmpDir: options.tmpDir ?? os.tmpdir() });
  const usesVaapi = checks.some((c) => c.family === 'vaapi' && c.status !== 'not-listed' && c.status !== 'no-device');
  const report = (decision: string): DetectionReport => ({
    mode,
    ffmpegPath,
    ffmpegVersion: version,
    renderNodes,
    ...(vaapiDevice && usesVaapi ? { vaapiDevice } : {}),
    checks,
    decision,
    durationMs: Date.now() - started,
  });

  if (mode === 'auto') {
    const { caps, decision } = chooseEncoderCaps(checks, vaapiDevice);
    return { caps, report: report(decision) };
  }
  const caps = capsForFamily(mode, checks, vaapiDevice);
  const why = checks.map((c) => `${c.id}: ${c.status === 'ok' ? 'ok' : (c.reason ?? c.status)}`).join('; ');
  if (!caps) {
    throw new AppError('DEPENDENCY_MISSING', `encoder mode is forced to '${mode}', but no ${mode === 'nvidia' ? 'NVIDIA' : 'VAAPI'} stage works (${why}). ${FORCED_HINTS[mode]}`, {
      details: { report: report(`${mode}: forced, but nothing works`) },
    });
  }
  return { caps, report: report(`${caps.label}: forced by config (${why})`) };
}
