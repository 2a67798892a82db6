import { spawn } from 'node:child_process';
import { AppError, CancelledError, throwIfAborted } from '../errors/index.js';
import { createProgressParser, type FfmpegProgress } from './ffmpeg-progress-parser.js';

/** How much of ffmpeg's stderr is kept for error messages. */
const STDERR_TAIL_CHARS = 4096;

export const FFMPEG_INSTALL_HINT = 'install it with: sudo apt-get install ffmpeg (or run scripts/install-system-deps.sh)';

export interface StartFfmpegOptions {
  /** Absolute path or name on PATH; default `ffmpeg`. */
  ffmpegPath?: string;
  /** Aborting kills ffmpeg; pending and later calls reject with CancelledError. */
  signal?: AbortSignal;
  /** Called once per `-progress` block (needs `-progress pipe:1` in args). */
  onProgress?: (progress: FfmpegProgress) => void;
  /** Receives ffmpeg's stdout (an output written to `pipe:1`), with backpressure. Excludes onProgress. */
  stdout?: NodeJS.WritableStream;
}

/** A running ffmpeg that reads frames on stdin. */
export interface FfmpegProcess {
  readonly pid: number;
  /**
   * Writes one frame. Resolves at once while the pipe has room, otherwise on
   * 'drain': awaiting every write bounds memory to the pipe's buffer. Rejects
   * with ffmpeg's own error if it exits meanwhile.
   */
  write(frame: Buffer): Promise<void>;
  /** Closes stdin and resolves when ffmpeg exits 0. */
  end(): Promise<void>;
  /** Kills ffmpeg; `end()` and pending writes reject with CancelledError. */
  kill(): void;
}

type ProcessState = { kind: 'running' } | { kind: 'succeeded' } | { kind: 'failed'; error: Error };

function spawnError(err: NodeJS.ErrnoException, bin: string): AppError {
  if (err.code === 'ENOENT') {
    const where = bin === 'ffmpeg' ? 'ffmpeg not found' : `ffmpeg not found at ${bin}`;
    return new AppError('DEPENDENCY_MISSING', `${where}; ${FFMPEG_INSTALL_HINT}`, { cause: err, details: { binary: bin } });
  }
  if (err.code === 'EACCES') {
    return new AppError('DEPENDENCY_MISSING', `${bin} is not executable (chmod +x it, or ${FFMPEG_INSTALL_HINT})`, { cause: err });
  }
  return new AppError('FFMPEG_FAILED', `could not start ${bin}: ${err.message}`, { cause: err });
}

function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : r === undefined ? 'aborted' : String(r);
}

/**
 * Spawns ffmpeg with `args` (from buildEncodeArgs/buildStillArgs) and returns
 * a backpressured frame writer. Resolves once the process has started, so a
 * missing binary (AppError 'DEPENDENCY_MISSING') shows before any frame is
 * rendered. A non-zero exit rejects with AppError('FFMPEG_FAILED') carrying
 * the stderr tail.
 */
export async function startFfmpeg(args: readonly string[], options: StartFfmpegOptions = {}): Promise<FfmpegProcess> {
  const { signal, onProgress } = options;
  throwIfAborted(signal);
  const bin = options.ffmpegPath ?? 'ffmpeg';
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });

  let state: ProcessState = { kind: 'running' };
  let cancelReason: string | null = null;
  let ending = false;
  let stderrTail = '';
  const exitWaiters = new Set<() => void>();

  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
  });
  const parse = onProgress ? createProgressParser(onProgress) : null;
  // Always consume stdout, or a full pipe would stall ffmpeg.
  if (options.stdout) child.stdout.pipe(options.stdout);
  else child.stdout.on('data', (chunk: Buffer) => parse?.(chunk));
  // EPIPE/ECONNRESET when ffmpeg exits while we write: the exit status says
  // why, so the stream error itself is ignored (an unhandled one would crash).
  child.stdin.on('error', () => {});

  const cancel = (reason: string): void => {
    if (state.kind !== 'running' || cancelReason !== null) return;
    cancelReason = reason;
    child.kill('SIGKILL');
  };
  const onAbort = (): void => cancel(signal ? reasonText(signal) : 'aborted');
  signal?.addEventListener('abort', onAbort, { once: true });

  const exited = new Promise<void>((resolve, reject) => {
    const settle = (next: Exclude<ProcessState, { kind: 'running' }>): void => {
      if (state.kind !== 'running') return;
      state = next;
      signal?.removeEventListener('abort', onAbort);
      for (const wake of exitWaiters) wake();
      exitWaiters.clear();
      if (next.kind === 'succeeded') resolve();
      else reject(next.error);
    };
    child.once('error', (err) => settle({ kind: 'failed', error: spawnError(err, bin) }));
    child.once('close', (code, killSignal) => {
      if (cancelReason !== null) return settle({ kind: 'failed', error: new CancelledError(cancelReason) });
      if (code === 0) return settle({ kind: 'succeeded' });
      const how = code === null ? `was killed by ${killSignal}` : `exited with code ${code}`;
      const tail = stderrTail.trim();
      settle({
        kind: 'failed',
        error: new AppError('FFMPEG_FAILED', `ffmpeg ${how}${tail ? `: ${tail}` : ' (no error output)'}`, {
          details: { exitCode: code, signal: killSignal, stderrTail: tail },
        }),
      });
    });
  });
  // Callers may never call end() (e.g. after kill()); do not let that rejection go unhandled.
  exited.catch(() => {});

  const exitError = (): Error =>
    state.kind === 'failed'
      ? state.error
      : new AppError('FFMPEG_FAILED', 'ffmpeg exited before all frames were written');

  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    exited.catch(reject);
  });

  return {
    pid: child.pid ?? -1,
    async write(frame) {
      if (state.kind !== 'running') throw exitError();
      if (ending) throw new AppError('INTERNAL', 'ffmpeg write() called after end()');
      if (child.stdin.write(frame)) return;
      await new Promise<void>((resolve, reject) => {
        const cleanup = (): void => {
          child.stdin.off('drain', onDrain);
          exitWaiters.delete(onExit);
        };
        const onDrain = (): void => {
          cleanup();
          resolve();
        };
        const onExit = (): void => {
          cleanup();
          reject(exitError());
        };
        child.stdin.on('drain', onDrain);
        exitWaiters.add(onExit);
      });
    },
    end() {
      if (!ending) {
        ending = true;
        child.stdin.end();
      }
      return exited;
    },
    kill() {
      cancel('ffmpeg killed');
    },
  };
}
