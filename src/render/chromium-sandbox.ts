import { AppError } from '../errors/index.js';
import { trialLaunch, type TrialLaunchResult } from './chromium-trial-launch.js';

export type ChromiumSandboxMode = 'auto' | 'on' | 'off';

export interface ChromiumSandboxDecision {
  enabled: boolean;
  /** Why, for the worker's start-up log and its readiness detail. */
  reason: string;
}

/** What a sandboxed trial launch gave: it worked, or why not (Chromium's own words). */
export type SandboxProbeResult = TrialLaunchResult;

export interface ResolveChromiumSandboxOptions {
  /** The browser the pool will launch; the probe launches the same one. */
  chromiumPath: string;
  /** Replaces the real trial launch (tests). */
  probe?: (chromiumPath: string) => Promise<SandboxProbeResult>;
}

/**
 * Decides whether Chromium runs inside its own sandbox. Debian's Chromium has
 * no setuid helper: its sandbox needs an unprivileged user namespace, and its
 * zygote then chroots inside it, which a container's seccomp profile allows
 * only with CAP_SYS_CHROOT in the container's capability set. Neither can be
 * read off reliably, so the probe is a real sandboxed launch of the browser:
 * - `off`: never (`--no-sandbox`);
 * - `on`: always; refused as root (Chromium refuses it there), and a failed
 *   trial launch is a start-up error with Chromium's reason;
 * - `auto` (default): on when not root and the trial launch works, else
 *   `--no-sandbox` with the reason, instead of a pool whose every launch fails.
 */
export async function resolveChromiumSandbox(mode: ChromiumSandboxMode, options: ResolveChromiumSandboxOptions): Promise<ChromiumSandboxDecision> {
  const root = process.getuid?.() === 0;
  if (mode === 'off') return { enabled: false, reason: 'RENDER_CHROMIUM_SANDBOX=off' };
  if (root) {
    if (mode === 'on') {
      throw new AppError('CONFIG_INVALID', 'RENDER_CHROMIUM_SANDBOX=on, but the process runs as root, where Chromium refuses its sandbox. Run as a non-root user, or set RENDER_CHROMIUM_SANDBOX=auto.');
    }
    return { enabled: false, reason: 'running as root (Chromium refuses its sandbox there): run the worker as a non-root user to get it' };
  }
  const trial = await (options.probe ?? probeChromiumSandbox)(options.chromiumPath);
  if (trial.ok) return { enabled: true, reason: mode === 'on' ? 'RENDER_CHROMIUM_SANDBOX=on' : 'a sandboxed trial launch worked' };
  if (mode === 'on') {
    throw new AppError('CONFIG_INVALID', `RENDER_CHROMIUM_SANDBOX=on, but Chromium's sandbox does not start here: ${trial.reason}. See docker/README.md ("Chromium sandbox").`);
  }
  return { enabled: false, reason: `Chromium's sandbox does not start here: ${trial.reason}` };
}

/**
 * Launches the browser once with its sandbox (no `--no-sandbox`): the zygote
 * and a sandboxed renderer, the parts a container may forbid.
 */
export function probeChromiumSandbox(chromiumPath: string): Promise<SandboxProbeResult> {
  return trialLaunch(chromiumPath, ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']);
}
