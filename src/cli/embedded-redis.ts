import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors/index.js';

export interface EmbeddedRedisOptions {
  /** Append-only file with fsync every second, as production runs it. */
  aof?: boolean;
  /** Default noeviction: BullMQ loses jobs under an evicting policy. */
  maxmemoryPolicy?: string;
  port?: number;
  redisServerPath?: string;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops redis-server gracefully (SHUTDOWN writes the AOF). */
  stop(): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Removes the data directory after stop. */
  destroy(): Promise<void>;
}

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private redis-server on a free loopback port, for the demo when
 * REDIS_URL is not set, and for tests. Its data lives in a temp directory.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-redis-'));
  const bin = options.redisServerPath ?? 'redis-server';
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', options.aof ? 'yes' : 'no',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', options.maxmemoryPolicy ?? 'noeviction',
      '--daemonize', 'no',
    ];
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) =>
        reject(
          new AppError(
            'DEPENDENCY_MISSING',
            `redis-server could not start (${why}). Install it with: sudo apt-get install redis-server ` +
              `(or bash scripts/install-system-deps.sh), or set REDIS_URL.\n${output}`,
          ),
        );
      proc.once('error', (err) => fail(err.message));
      proc.once('exit', (code) => fail(`exited with ${code}`));
      const poll = setInterval(() => {
        if (output.includes('Ready to accept connections')) {
          clearInterval(poll);
          proc.removeAllListeners('exit');
          proc.removeAllListeners('error');
          resolve();
        }
      }, 20);
      proc.once('exit', () => clearInterval(poll));
    });
  };

  const waitExit = (proc: ChildProcess | undefined) =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
    });

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    start,
    async stop() {
      const proc = child;
      proc?.kill('SIGTERM');
      await waitExit(proc);
    },
    async kill() {
      const proc = child;
      proc?.kill('SIGKILL');
      await waitExit(proc);
    },
    async destroy() {
      const proc = child;
      proc?.kill('SIGKILL');
      await waitExit(proc);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
