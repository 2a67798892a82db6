import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';

let redis: EmbeddedRedis;
let dir: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'bin/mastercut'),
      args,
      { cwd: repoRoot, env: { ...process.env, REDIS_URL: redis.url, MASTERCUT_CACHE_DIR: '.cache/test' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  redis = await startTestRedis();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-campaign-cli-'));
});
afterAll(async () => {
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('mastercut campaign', () => {
  it('creates a campaign from a file, then reports its status, manifest and invalid rows', async () => {
    const recipients = path.join(dir, 'recipients.csv');
    await writeFile(
      recipients,
      [
        'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince',
        'a1,Ana,Silver,Gold,1200,800,2015',
        'b2,Ben,Gold,Platinum,lots,20000,2012',
        'c3,Cy,Platinum,Diamond,80000,5000,2009',
      ].join('\n'),
    );
    const created = await cli(['campaign', 'create', '--template', 'loyalty-tier', '--channels', 'web', '--recipients', recipients, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const status = JSON.parse(created.stdout) as { id: string; counts: Record<string, number> };
    expect(status.counts).toMatchObject({ total: 3, valid: 2, invalid: 1, renders: 2 });

    const errors = await cli(['campaign', 'errors', status.id]);
    expect(errors.code).toBe(0);
    expect(`${errors.stdout}${errors.stderr}`).toMatch(/line 3/);
    expect(`${errors.stdout}${errors.stderr}`).toContain('points');
    expect(`${errors.stdout}${errors.stderr}`).not.toContain('lots');

    const out = path.join(dir, 'manifest.csv');
    const manifest = await cli(['campaign', 'manifest', status.id, '--out', out]);
    expect(manifest.code, manifest.stderr).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    // The master's URL, then one column per web deliverable (the 720p MP4 and the poster).
    expect(lines[0]).toBe('recipientId,web_renderKey,web_url,web_video_mp4_url,web_poster_jpg_url');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['a1', 'c3']);
  });

  it('answers a usage error with what is missing', async () => {
    const result = await cli(['campaign', 'create', '--template', 'loyalty-tier']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--channels|--recipients/);
  });
});
