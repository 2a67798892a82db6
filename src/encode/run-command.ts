import { spawn } from 'node:child_process';
import { AppError } from '../errors/index.js';
import { FFMPEG_INSTALL_HINT } from './ffmpeg-process.js';

/** How one short command ended. `code` is -1 when it was killed (timeout). */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the command ran past `timeoutMs` and was killed. */
  timedOut?: boolean;
}

/**
 * Runs one short ffmpeg command (a listing or a one-frame probe) and collects
 * its output. Injectable so that detection can be tested against recorded
 * outputs. A non-zero exit resolves; only a missing binary rejects.
 */
export type CommandRunner = (args: readonly string[], options: { timeoutMs: number }) => Promise<CommandResult>;

// Listings are ~40 KB; probes print a few lines. Keep the head of stdout and the tail of stderr.
const STDOUT_MAX_CHARS = 1_000_000;
const STDERR_TAIL_CHARS = 16_384;

/**
 * The real runner: spawns `bin` with stdin closed (ffmpeg must never wait on
 * a terminal) and SIGKILLs it after `timeoutMs` (a wedged GPU driver can hang
 * a probe). Rejects with AppError('DEPENDENCY_MISSING') when `bin` does not exist.
 */
export function createCommandRunner(bin: string): CommandRunner {
  return (args, { timeoutMs }) =>
    new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        if (stdout.length < STDOUT_MAX_CHARS) stdout += text;
      });
      child.stderr.on('data', (text: string) => {
        stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err.code === 'ENOENT' || err.code === 'EACCES') {
          reject(new AppError('DEPENDENCY_MISSING', `${bin} could not be started (${err.code}); ${FFMPEG_INSTALL_HINT}`, { cause: err }));
        } else {
          reject(new AppError('FFMPEG_FAILED', `could not start ${bin}: ${err.message}`, { cause: err }));
        }
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr, ...(timedOut ? { timedOut } : {}) });
      });
    });
}
