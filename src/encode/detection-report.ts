import type { EncoderFamily, ProbeId } from './encoder-probes.js';

/** The config choice: probe everything (`auto`), or force one path. */
export const encoderModes = ['auto', 'cpu', 'nvidia', 'vaapi'] as const;
export type EncoderMode = (typeof encoderModes)[number];

/**
 * How one GPU stage fared:
 * - `ok`: the one-frame probe worked;
 * - `failed`: it was listed, the probe ran and failed (see `reason`);
 * - `not-listed`: this ffmpeg build lacks an encoder, hwaccel or filter it needs (see `missing`);
 * - `no-device`: VAAPI without a /dev/dri render node;
 * - `skipped`: not run, because a stage it depends on failed or the H.264 sample could not be made.
 */
export type CheckStatus = 'ok' | 'failed' | 'not-listed' | 'no-device' | 'skipped';

/** One line of the detection report. */
export interface CandidateCheck {
  id: ProbeId;
  family: EncoderFamily;
  /** Everything the probe needs is listed by `-encoders`, `-hwaccels` and `-filters`. */
  listed: boolean;
  /** What the build does not list, e.g. `filter:scale_cuda`. */
  missing: string[];
  status: CheckStatus;
  /** One line: why it failed or was not run. */
  reason?: string;
  /** The end of ffmpeg's stderr when the probe failed. */
  stderrTail?: string;
  /** The probe's ffmpeg arguments, to rerun it by hand. */
  args?: string[];
  durationMs?: number;
}

/** What detectEncoders() found, and why it chose its caps. */
export interface DetectionReport {
  mode: EncoderMode;
  ffmpegPath: string;
  /** e.g. `ffmpeg version 6.1.1-3ubuntu5`; null in `cpu` mode (nothing is run). */
  ffmpegVersion: string | null;
  /** /dev/dri render nodes found (VAAPI). */
  renderNodes: string[];
  /** The VAAPI device the probes used, when any. */
  vaapiDevice?: string;
  /** One entry per probed stage, in probe order; empty in `cpu` mode. */
  checks: CandidateCheck[];
  /** One line: why these caps. */
  decision: string;
  durationMs: number;
}
