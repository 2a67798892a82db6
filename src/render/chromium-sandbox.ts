import { spawn } from 'node:child_process';
import { AppError } from '../errors/index.js';

export type ChromiumSandboxMode = 'auto' | 'on' | 'off';

export interface ChromiumSandboxDecision {
  enabled: boolean;
  /** Why, for the worker's start-up log. */
  reason: string;
}

/**
 * Decides whether Chromium runs inside its own sandbox. Debian's Chromium has
 * no setuid helper, so the sandbox needs an unprivileged user namespace:
 * - `off`: never (`--no-sandbox`);
 * - `on`: always; refused as root, where Chromium itself refuses it;
 * - `auto` (default): on when the process is not root and can create a user
 *   namespace (probed once with `unshare`). Docker's and Kubernetes' default
 *   seccomp profiles forbid that, so a non-root container falls back to
 *   `--no-sandbox` and says so, instead of failing every launch.
 */
export async function resolveChromiumSandbox(
  mode: ChromiumSandboxMode,
  probe: () => Promise<boolean> = canCreateUserNamespace,
): Promise<ChromiumSandboxDecision> {
  const root = process.getuid?.() === 0;
  if (mode === 'off') return { enabled: false, reason: 'RENDER_CHROMIUM_SANDBOX=off' };
  if (mode === 'on') {
    if (root) {
      throw new AppError('CONFIG_INVALID', 'RENDER_CHROMIUM_SANDBOX=on, but the process runs as root, where Chromium refuses its sandbox. Run as a non-root user, or set RENDER_CHROMIUM_SANDBOX=auto.');
    }
    return { enabled: true, reason: 'RENDER_CHROMIUM_SANDBOX=on' };
  }
  if (root) return { enabled: false, reason: 'running as root (Chromium refuses its sandbox there): run the worker as a non-root user to get it' };
  if (!(await probe())) {
    return { enabled: false, reason: 'no unprivileged user namespaces here (a container seccomp profile or kernel setting forbids them)' };
  }
  return { enabled: true, reason: 'non-root with user namespaces' };
}

/** `unshare --user --map-root-user true` exits 0 when this process may create a user namespace. */
function canCreateUserNamespace(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--user', '--map-root-user', 'true'], { stdio: 'ignore', timeout: 5_000 });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
