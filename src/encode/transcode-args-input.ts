import type { DeliverableSpec } from './channel-profile.schema.js';
import type { EncoderCaps } from './encoder-caps.js';

/** What the argument builders need to know about the master (from probe()). */
export interface MasterInfo {
  width: number;
  height: number;
  fps: number;
  durationSec: number;
  hasAudio: boolean;
}

/** The common input of every deliverable argument builder. */
export interface TranscodeArgsInput<S extends DeliverableSpec = DeliverableSpec> {
  spec: S;
  /** The master file (absolute path). */
  input: string;
  /** An empty, private directory; outputs are written as `<outDir>/<spec.name>` (HLS: and rung folders). */
  outDir: string;
  caps: EncoderCaps;
  master: MasterInfo;
  /** The frame to grab for posters and stills when the spec has no atSeconds (the template's poster frame). */
  atSeconds?: number;
}

/** Default VAAPI render node when caps do not name one. */
export const DEFAULT_VAAPI_DEVICE = '/dev/dri/renderD128';

/**
 * Flags of every transcode run: `commonFfmpegFlags` plus `-nostdin`, because
 * the input is a file and ffmpeg must not read keyboard commands from the
 * stdin pipe startFfmpeg opens. https://ffmpeg.org/ffmpeg.html#Main-options
 */
export const transcodeFlags: readonly string[] = ['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1', '-nostdin', '-y'];

/** An even number no smaller than 2: H.264/VP9 4:2:0 need even dimensions. */
export function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** The height that keeps the master's aspect ratio at `width` (even). */
export function heightForWidth(width: number, master: Pick<MasterInfo, 'width' | 'height'>): number {
  return even((width * master.height) / master.width);
}

/**
 * The time of a one-frame grab: the spec's, else the template's poster frame,
 * else 1 s in (the first frame of an intro is often blank); clamped to the last
 * frame so a short master still gives one.
 */
export function grabSeconds(specAt: number | undefined, templateAt: number | undefined, master: Pick<MasterInfo, 'durationSec' | 'fps'>): number {
  const wanted = specAt ?? templateAt ?? Math.min(1, master.durationSec / 2);
  const last = Math.max(0, master.durationSec - 1 / Math.max(1, master.fps));
  // Down to the millisecond: `seconds()` rounds, and rounding the last frame's
  // time up (4.9667 -> 4.967) would seek past it and give no image at all.
  return Math.floor(Math.min(Math.max(0, wanted), last) * 1000) / 1000;
}

/** Seconds as ffmpeg reads them, without float noise (1/3 → 0.333). */
export function seconds(s: number): string {
  return String(Math.round(s * 1000) / 1000);
}
