import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');

/** A real S3-compatible HTTP server (s3rver) on loopback, in its own process, for one test file. */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A bucket created at start. */
  bucket: string;
  /** The only key pair s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Every request the server has received so far, as `METHOD /path?query-names`, in arrival order. */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
}

const loader = `file://${join(repoRoot, 'node_modules/tsx/dist/loader.mjs')}`;
const main = join(repoRoot, 'test/helpers/s3rver-main.ts');

/**
 * Starts s3rver (see s3rver-main.ts: atomic per-key publication, as S3 has,
 * and working ListObjectsV2 pagination) on 127.0.0.1 and a free port, with a
 * fresh data directory and one bucket. Call in beforeAll and `stop()` in afterAll.
 */
export async function startTestS3(bucket = 'mastercut-test'): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'mc-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', loader, main, directory, bucket], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^LISTENING (\d+)$/m.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`s3rver exited before listening:\n${output}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async requests() {
      return (await (await fetch(`${endpoint}/__requests`)).json()) as string[];
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
