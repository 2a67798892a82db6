import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type EmbeddedRedis } from '../../helpers/redis-server.js';

/**
 * `src/api/main.ts` as a process, the way `mastercut serve` runs it: wired
 * from the environment, listening, logging JSON lines without query
 * strings, and closing cleanly on SIGTERM.
 */
describe('API server process (src/api/main.ts)', () => {
  let redis: EmbeddedRedis;
  let dir: string;
  beforeAll(async () => {
    redis = await startTestRedis();
    dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-serve-'));
  });
  afterAll(async () => {
    await redis?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves, logs without query strings, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/api/main.ts'], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        API_PORT: '0',
        API_KEYS: 'k1,k2',
        STORAGE_ROOT: path.join(dir, 'storage'),
        MASTERCUT_CACHE_DIR: path.join(dir, 'cache'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const line = out.split('\n').find((l) => l.includes('"api listening"'));
          if (line) {
            clearInterval(timer);
            resolve(JSON.parse(line).port);
          }
        }, 50);
        void exited.then(() => reject(new Error(`server exited early:\n${out}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const templates = await fetch(`${base}/v1/templates?token=secret-in-query`, { headers: { authorization: 'Bearer k2' } });
      expect(templates.status).toBe(200);
      expect((await fetch(`${base}/v1/campaigns/cmp_aaaaaaaaaaaaaaaaaaaa`, { headers: { authorization: 'Bearer k1' } })).status).toBe(404);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const request = lines.find((l) => l.route === '/v1/templates');
      expect(request).toMatchObject({ method: 'GET', status: 200, reqId: expect.any(String) });
      expect(out).not.toContain('secret-in-query');
      expect(out).not.toContain('k2');
      expect(lines.some((l) => l.msg === 'api closed')).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
