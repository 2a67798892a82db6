import { createCommandRunner, type CommandRunner, summarizeFfmpegError } from '../../encode/index.js';
import type { CheckResult, ReadinessCheck } from './readiness.js';

export interface FfmpegCheckOptions {
  /** Absolute path (findFfmpeg) or a name on PATH. */
  ffmpegPath: string;
  /** How long a result is trusted before it is checked again (in the background). Default 5 min. */
  recheckMs?: number;
  /** Per run. Default 10 s. */
  timeoutMs?: number;
  /** Injectable runner (tests use the real one). */
  run?: CommandRunner;
}

/** One 16x16 frame through libx264 into the null muxer: proves ffmpeg starts, links and encodes. */
export const FFMPEG_SMOKE_ARGS = [
  '-hide_banner', '-loglevel', 'error', '-nostdin',
  '-f', 'lavfi', '-i', 'color=c=black:s=16x16:r=25:d=0.04',
  '-frames:v', '1', '-c:v', 'libx264', '-f', 'null', '-',
] as const;

/**
 * A working ffmpeg: one tiny real encode, cached. Probes get the cached
 * answer at once; a stale one is renewed in the background, so a probe never
 * waits for ffmpeg after the first check (run `prime()` at start).
 */
export function createFfmpegCheck(options: FfmpegCheckOptions): ReadinessCheck & { prime(): Promise<CheckResult> } {
  const recheckMs = options.recheckMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const run = options.run ?? createCommandRunner(options.ffmpegPath);
  let last: { at: number; result: CheckResult } | undefined;
  let running: Promise<CheckResult> | undefined;

  const probe = (): Promise<CheckResult> =>
    (running ??= (async (): Promise<CheckResult> => {
      try {
        const r = await run(FFMPEG_SMOKE_ARGS, { timeoutMs });
        if (r.code === 0) return { ok: true, detail: 'one-frame libx264 encode ok' };
        return { ok: false, detail: r.timedOut ? `ffmpeg test encode timed out after ${timeoutMs} ms` : `ffmpeg test encode failed (exit ${r.code}): ${summarizeFfmpegError(r.stderr)}` };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    })().then((result) => {
      last = { at: Date.now(), result };
      running = undefined;
      return result;
    }));

  const check = (async () => {
    if (!last) return probe();
    if (Date.now() - last.at >= recheckMs) void probe();
    return last.result;
  }) as ReadinessCheck & { prime(): Promise<CheckResult> };
  check.prime = probe;
  return check;
}
