/**
 * The farm bench/live.ts measures: a private redis-server, the API, one
 * render worker and one transcode worker, each its own process as
 * production runs them. Each process logs to a file in the bench's temp
 * dir: the API writes one line per request, and a pipe read by this
 * process would spend the CPU the measurement needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/cli/embedded-redis.js';
import type { LoadOptions, LoadResult } from './live-load.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TSX_LOADER = `file://${path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')}`;
/** The farm's API key (management routes: /v1/live-links, /v1/recipients). */
export const BENCH_API_KEY = 'bench-key';
const API_KEY = BENCH_API_KEY;

export interface FarmProcess {
  name: string;
  proc: ChildProcess;
  log: string;
  exited: Promise<void>;
}

export interface BenchFarm {
  redis: EmbeddedRedis;
  api: FarmProcess & { url: string };
  /** `props` undefined with `extra.recipientId`: a sticky link. `extra` is merged into the request body. */
  createLink(
    templateId: string,
    props: Record<string, unknown> | undefined,
    channel?: string,
    extra?: Record<string, unknown>,
  ): Promise<{ url: string; assets: Record<string, string> }>;
  /** Stops the render worker and starts a new one with `env` added (e.g. ENCODE_CRF), once it is ready. */
  replaceRenderWorker(env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchFarmOptions {
  /** Start the render and transcode workers. Default true; false: redis and the API only (bench/mint.ts). */
  workers?: boolean;
  /** Added to every process's environment. */
  env?: Record<string, string>;
}

/** Starts redis, then the API, a render worker and a transcode worker, and waits until all are ready. */
export async function startBenchFarm(dir: string, renderEnv: Record<string, string> = {}, options: BenchFarmOptions = {}): Promise<BenchFarm> {
  const redis = await startEmbeddedRedis();
  const env = {
    ...process.env,
    REDIS_URL: redis.url,
    STORAGE_ROOT: path.join(dir, 'storage'),
    MASTERCUT_CACHE_DIR: '.cache/bench',
    LOG_LEVEL: 'info',
    // One key for every process of this farm (a dev key would differ per process).
    LIVE_KEYS: `bench1:${randomBytes(32).toString('base64')}`,
    API_KEYS: API_KEY,
    API_PORT: '0',
    // Every process of the farm serves /metrics on its own free port: the default (9464)
    // would be bound by the first one and refuse the others (or clash with a farm already running).
    METRICS_PORT: '0',
    TRANSCODE_ENCODERS: 'cpu',
    ...options.env,
  };
  const processes: FarmProcess[] = [];
  const start = (name: string, script: string, args: string[] = [], extraEnv: Record<string, string> = {}) => {
    const log = path.join(dir, `${name}.log`);
    const fd = openSync(log, 'w');
    const proc = spawn(process.execPath, ['--import', TSX_LOADER, path.join(repoRoot, script), ...args], {
      cwd: repoRoot,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const child = { name, proc, log, exited };
    processes.push(child);
    return child;
  };
  const stop = async () => {
    for (const child of processes) if (child.proc.exitCode === null) child.proc.kill('SIGTERM');
    const killer = setTimeout(() => processes.forEach((c) => c.proc.exitCode === null && c.proc.kill('SIGKILL')), 20_000);
    await Promise.all(processes.map((c) => c.exited));
    clearTimeout(killer);
    await redis.destroy();
  };
  try {
    const api = start('api', 'src/api/main.ts');
    const workers = options.workers ?? true;
    let render = workers ? start('render', 'workers/render.ts', ['--eviction-check', 'warn'], renderEnv) : undefined;
    const transcode = workers ? start('transcode', 'workers/transcode.ts', ['--eviction-check', 'warn']) : undefined;
    const port = await waitForLog(api, /"port":(\d+)[^\n]*"msg":"api listening"/);
    if (render && transcode) await Promise.all([waitForLog(render, /worker ready/), waitForLog(transcode, /worker ready/)]);
    const url = `http://127.0.0.1:${port[1]}`;
    return {
      redis,
      api: { ...api, url },
      async createLink(templateId, props, channel = 'web', extra = {}) {
        const res = await fetch(`${url}/v1/live-links`, {
          method: 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ templateId, channels: [channel], props, ...extra }),
        });
        if (res.status !== 201) throw new Error(`POST /v1/live-links: ${res.status} ${await res.text()}`);
        const { links } = (await res.json()) as { links: { url: string; assets: Record<string, string> }[] };
        const link = links[0]!;
        const abs = (u: string) => (u.startsWith('http') ? u : `${url}${u}`);
        return { url: abs(link.url), assets: Object.fromEntries(Object.entries(link.assets).map(([k, v]) => [k, abs(v)])) };
      },
      async replaceRenderWorker(extraEnv = {}) {
        if (!render) throw new Error('this farm has no workers');
        render.proc.kill('SIGTERM');
        await render.exited;
        processes.splice(processes.indexOf(render), 1);
        render = start(`render-${processes.length}`, 'workers/render.ts', ['--eviction-check', 'warn'], extraEnv);
        await waitForLog(render, /worker ready/);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForLog(child: FarmProcess, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(child.log, 'utf8').catch(() => '');
    const match = pattern.exec(text);
    if (match) return match;
    if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`${child.name} did not start:\n${text.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU seconds (user + system) used so far by a process and its children still running (from /proc). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const ticks = 100; // USER_HZ on Linux
  const stat = async (p: number) => {
    const text = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / ticks };
  };
  let total = (await stat(pid)).cpu;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    const child = await stat(Number(entry));
    if (child.ppid === pid) total += child.cpu;
  }
  return total;
}

/** Runs bench/live-load.ts in its own process and returns its figures plus the CPU seconds the server used meanwhile (warm-up included). */
export async function loadInChild(options: LoadOptions, serverPid: number): Promise<LoadResult & { serverCpuS: number }> {
  const before = await cpuSecondsOf(serverPid);
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.join(repoRoot, 'bench/live-load.ts'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const after = await cpuSecondsOf(serverPid);
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return { ...(JSON.parse(out) as LoadResult), serverCpuS: after - before };
}
