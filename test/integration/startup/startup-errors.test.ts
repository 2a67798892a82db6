import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

// Every process role (the API, each worker, the CLI commands that connect)
// checks its whole configuration before it opens a connection or a port, and
// exits non-zero with the reason on any start-up error, at once: a process
// that hangs keeps a container "Up" and its restart policy never fires.

interface Exit {
  code: number | null;
  stderr: string;
  stdout: string;
  /** Milliseconds from the first output line matching `mark` to the exit. */
  sinceMark?: number;
}

const bin = path.join(repoRoot, 'bin/mastercut');

/** Runs `mastercut ...args` with only `env` (and PATH/HOME); kills it after 60 s (a hang). */
function runRole(args: string[], env: Record<string, string>, mark?: RegExp): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: repoRoot, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env } });
    let stdout = '';
    let stderr = '';
    let markedAt: number | undefined;
    const watch = (chunk: Buffer, into: 'out' | 'err') => {
      const text = chunk.toString();
      if (into === 'out') stdout += text;
      else stderr += text;
      if (mark && markedAt === undefined && mark.test(stdout + stderr)) markedAt = Date.now();
    };
    child.stdout.on('data', (c: Buffer) => watch(c, 'out'));
    child.stderr.on('data', (c: Buffer) => watch(c, 'err'));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ...(markedAt === undefined ? {} : { sinceMark: Date.now() - markedAt }) });
    });
  });
}

/** A TCP server that stands where Redis should be and counts who connects. */
async function connectionCounter(): Promise<{ url: string; connections: () => number; server: Server }> {
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => count, server };
}

/** A port something already listens on. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

let fakeRedis: Awaited<ReturnType<typeof connectionCounter>>;
let redis: EmbeddedRedis;
let taken: Awaited<ReturnType<typeof takenPort>>;

beforeAll(async () => {
  [fakeRedis, redis, taken] = await Promise.all([connectionCounter(), startTestRedis(), takenPort()]);
});
afterAll(async () => {
  fakeRedis?.server.close();
  taken?.server.close();
  await redis?.destroy();
});

/** A store setting only the store itself can refuse (the schema takes any bucket name). */
const BAD_BUCKET = { STORAGE_DRIVER: 's3', S3_BUCKET: 'Not A Bucket', S3_REGION: 'eu-west-1' };

const roles: { role: string; args: string[]; env: Record<string, string>; message: RegExp }[] = [
  { role: 'API: production without LIVE_KEYS', args: ['serve', '--port', '0'], env: { NODE_ENV: 'production', API_KEYS: 'k' }, message: /CONFIG_INVALID.*LIVE_KEYS must be set in production/ },
  { role: 'API: an invalid bucket', args: ['serve', '--port', '0'], env: BAD_BUCKET, message: /CONFIG_INVALID.*bucket/ },
  { role: 'API: an invalid CHANNEL_PROFILES_JSON', args: ['serve', '--port', '0'], env: { CHANNEL_PROFILES_JSON: '{"web":{"width":"wide"}}' }, message: /CONFIG_INVALID.*CHANNEL_PROFILES_JSON/ },
  { role: 'render worker: no Chromium there', args: ['worker', 'render'], env: { MASTERCUT_CHROMIUM_PATH: '/nonexistent/chromium' }, message: /DEPENDENCY_MISSING.*\/nonexistent\/chromium/ },
  { role: 'render worker: an invalid bucket', args: ['worker', 'render'], env: BAD_BUCKET, message: /CONFIG_INVALID.*bucket/ },
  { role: 'transcode worker: no ffmpeg there', args: ['worker', 'transcode'], env: { MASTERCUT_FFMPEG_PATH: '/nonexistent/ffmpeg' }, message: /DEPENDENCY_MISSING.*\/nonexistent\/ffmpeg/ },
  { role: 'transcode worker: an invalid bucket', args: ['worker', 'transcode'], env: BAD_BUCKET, message: /CONFIG_INVALID.*bucket/ },
  { role: 'webhook worker: an invalid setting', args: ['worker', 'webhooks'], env: { WEBHOOK_TIMEOUT_MS: '5' }, message: /CONFIG_INVALID.*WEBHOOK_TIMEOUT_MS/ },
  { role: 'campaign CLI: an invalid bucket', args: ['campaign', 'status', 'cmp_aaaaaaaaaaaaaaaaaaaa'], env: BAD_BUCKET, message: /CONFIG_INVALID.*bucket/ },
  { role: 'ops CLI: an invalid setting', args: ['ops', 'status'], env: { OPS_TARGET_DRAIN_S: 'soon' }, message: /CONFIG_INVALID.*OPS_TARGET_DRAIN_S/ },
];

if (process.getuid?.() === 0) {
  roles.push({ role: 'render worker: RENDER_CHROMIUM_SANDBOX=on as root', args: ['worker', 'render'], env: { RENDER_CHROMIUM_SANDBOX: 'on' }, message: /CONFIG_INVALID.*RENDER_CHROMIUM_SANDBOX=on/ });
}

describe('start-up errors: every role exits non-zero with the reason, before connecting anywhere', () => {
  it.each(roles)('$role', async ({ args, env, message }) => {
    const before = fakeRedis.connections();
    const exit = await runRole(args, { REDIS_URL: fakeRedis.url, METRICS_PORT: '0', ...env });
    expect(exit.code, `${exit.stdout}\n${exit.stderr}`).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr.replace(/\n/g, ' ')).toMatch(message);
    // Nothing was opened: the Redis stand-in never saw a connection.
    expect(fakeRedis.connections()).toBe(before);
  }, 90_000);
});

describe('start-up errors after connecting: the process closes what it opened and exits within 2 s', () => {
  it('API whose operations port is taken', async () => {
    const exit = await runRole(['serve', '--port', '0'], { REDIS_URL: redis.url, METRICS_PORT: String(taken.port) }, /"msg":"api listening"/);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(new RegExp(`CONFIG_INVALID.*${taken.port} cannot be used \\(EADDRINUSE\\).*METRICS_PORT`));
    expect(exit.sinceMark).toBeDefined();
    expect(exit.sinceMark!).toBeLessThan(2_000);
  }, 90_000);

  it('API whose own port is taken', async () => {
    const exit = await runRole(['serve', '--port', String(taken.port)], { REDIS_URL: redis.url, METRICS_PORT: '0' });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(new RegExp(`CONFIG_INVALID.*${taken.port} cannot be used \\(EADDRINUSE\\).*API_PORT`));
  }, 90_000);

  it('render worker whose operations port is taken', async () => {
    // Its last line before it connects and listens: the sandbox decision.
    const exit = await runRole(['worker', 'render'], { REDIS_URL: redis.url, METRICS_PORT: String(taken.port) }, /"msg":"chromium sandbox decided"/);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(new RegExp(`CONFIG_INVALID.*${taken.port} cannot be used \\(EADDRINUSE\\).*METRICS_PORT`));
    expect(exit.sinceMark).toBeDefined();
    expect(exit.sinceMark!).toBeLessThan(2_000);
  }, 90_000);
});
