import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './render-engine.js';

const loader = `file://${path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')}`;

export interface WorkerChild {
  proc: ChildProcess;
  /** Everything the process printed so far (pino JSON lines). */
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `workers/render.ts` as its own process, the way production runs it. */
export function startWorkerProcess(options: { redisUrl: string; storeRoot: string; args?: string[] }): WorkerChild {
  const proc = spawn(process.execPath, ['--import', loader, path.join(repoRoot, 'workers/render.ts'), ...(options.args ?? [])], {
    cwd: repoRoot,
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      STORAGE_ROOT: options.storeRoot,
      MASTERCUT_CACHE_DIR: '.cache/test',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => output, exited };
}
