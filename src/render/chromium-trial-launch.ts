import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What a trial launch gave: the page came back, or why not (Chromium's own words). */
export type TrialLaunchResult = { ok: true } | { ok: false; reason: string };

const PAGE = 'data:text/html,<p>mastercut-trial</p>';

/**
 * Starts the browser once with `flags` and has it print a page's DOM, which
 * takes its zygote and a renderer: the parts a sandbox or a container can
 * refuse. Used to decide the sandbox (src/render/chromium-sandbox.ts) and to
 * say why a real launch failed: over the DevTools pipe puppeteer only sees
 * "Target closed", while Chromium says why on stderr.
 */
export async function trialLaunch(chromiumPath: string, flags: readonly string[], options: { timeoutMs?: number } = {}): Promise<TrialLaunchResult> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'mastercut-trial-launch-'));
  try {
    const args = [...flags.filter((f) => !f.startsWith('--user-data-dir=')), `--user-data-dir=${profile}`, '--dump-dom', PAGE];
    const { code, signal, stdout, stderr, error } = await run(chromiumPath, args, options.timeoutMs ?? 30_000);
    if (stdout.includes('<p>mastercut-trial</p>')) return { ok: true };
    return { ok: false, reason: error ?? reasonIn(stderr) ?? (signal ? `killed by ${signal}` : `exit code ${code}`) };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The line of Chromium's stderr that says why it stopped (its dbus complaints are noise here). */
function reasonIn(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/dbus/i.test(l));
  const fatal = lines.find((l) => /Check failed|No usable sandbox|FATAL|sandbox/i.test(l)) ?? lines.at(-1);
  return fatal?.replace(/^\[[^\]]*\]\s*/, '').slice(0, 300);
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: string;
}

function run(bin: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let error: string | undefined;
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-4096)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-16_384)));
    // A binary that cannot start emits 'error' and may never close its pipes.
    child.once('error', (err) => resolve({ code: null, signal: null, stdout, stderr, error: err.message }));
    child.once('close', (code, signal) => {
      if (signal === 'SIGKILL' && !error) error = `no answer within ${timeoutMs / 1000} s`;
      resolve({ code, signal, stdout, stderr, error });
    });
  });
}
