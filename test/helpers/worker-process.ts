import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { repoRoot } from './render-engine.js';

const loader = `file://${path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')}`;

/** A 32-byte Live key shared by every process of a test farm (a dev key would differ per process). */
export const TEST_LIVE_KEYS = `test1:${createHash('sha256').update('mastercut test key').digest('base64')}`;

export interface WorkerChild {
  proc: ChildProcess;
  /** Everything the process printed so far (pino JSON lines). */
  output: () => string;
  exited: Promise<number | null>;
}

export interface FarmProcessOptions {
  redisUrl: string;
  storeRoot: string;
  args?: string[];
  env?: Record<string, string>;
}

/** Starts one of the farm's entry points (`workers/render.ts`, `src/api/main.ts`, ...) as its own process. */
export function startFarmProcess(script: string, options: FarmProcessOptions): WorkerChild {
  const proc = spawn(process.execPath, ['--import', loader, path.join(repoRoot, script), ...(options.args ?? [])], {
    cwd: repoRoot,
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      STORAGE_ROOT: options.storeRoot,
      MASTERCUT_CACHE_DIR: '.cache/test',
      LOG_LEVEL: 'info',
      LIVE_KEYS: TEST_LIVE_KEYS,
      // Several processes per test: each takes a free operations port (logged as "metrics listening").
      METRICS_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => output, exited };
}

/** Starts `workers/render.ts` as its own process, the way production runs it. */
export function startWorkerProcess(options: FarmProcessOptions): WorkerChild {
  return startFarmProcess('workers/render.ts', options);
}

/** Starts `workers/transcode.ts` (CPU encoders unless told otherwise). */
export function startTranscodeProcess(options: FarmProcessOptions): WorkerChild {
  return startFarmProcess('workers/transcode.ts', { ...options, env: { TRANSCODE_ENCODERS: 'cpu', ...options.env } });
}

/** Starts the API (`src/api/main.ts`) on a free port; resolves once it listens. */
export async function startApiProcess(options: FarmProcessOptions): Promise<WorkerChild & { url: string }> {
  const child = startFarmProcess('src/api/main.ts', { ...options, env: { API_PORT: '0', API_KEYS: 'farm-key', ...options.env } });
  // A process that fails exits (and is reported at once); the deadline only stops a hang. It is
  // generous: on a busy 2-core machine loading the API's modules alone can take half a minute.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const match = /"port":(\d+)[^\n]*"msg":"api listening"/.exec(child.output());
    if (match) return { ...child, url: `http://127.0.0.1:${match[1]}` };
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`API did not start:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once a worker logged that it is ready to take jobs. */
export async function untilReady(child: WorkerChild, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/worker ready/.test(child.output())) {
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM every process, a second one half a second later (it skips a worker's grace period), then waits for all to exit. */
export async function stopFarmProcesses(children: readonly WorkerChild[]): Promise<void> {
  for (const child of children) child.proc.kill('SIGTERM');
  const again = setTimeout(() => children.forEach((child) => child.proc.kill('SIGTERM')), 500);
  again.unref();
  await Promise.all(children.map((child) => child.exited));
  clearTimeout(again);
}
