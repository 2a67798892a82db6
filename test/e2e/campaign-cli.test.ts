import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FAN_OUT_QUEUE, QUEUE_PREFIX } from '../../src/queue/index.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/render-engine.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';

let redis: EmbeddedRedis;
let dir: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'bin/mastercut'),
      args,
      { cwd: repoRoot, env: { ...process.env, REDIS_URL: redis.url, MASTERCUT_CACHE_DIR: '.cache/test', ...env }, timeout: 60_000 },
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

  it('fans out within the window, hands the rest to the durable fan-out queue on Ctrl-C, and resumes it from the checkpoint', async () => {
    // 1,200 distinct rows, a window of 2 and no render worker: the first 500-row chunk is queued,
    // the second waits for room that never comes, so the command is still fanning out when stopped.
    const recipients = path.join(dir, 'big.csv');
    const rows = Array.from({ length: 1200 }, (_, i) => `w${i},Ann,Silver,Gold,${i},5,2015`);
    await writeFile(recipients, `recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\n${rows.join('\n')}\n`);
    const child = spawn(path.join(repoRoot, 'bin/mastercut'), ['campaign', 'create', '--template', 'loyalty-tier', '--channels', 'web', '--recipients', recipients], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: redis.url, MASTERCUT_CACHE_DIR: '.cache/test', CAMPAIGN_WINDOW: '2' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    await expect.poll(() => stderr, { timeout: 60_000 }).toMatch(/500\/1200 rows fanned out/);
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopped at row 500 of 1200; an API process \(mastercut serve\) resumes it from there, or run: mastercut campaign resume cmp_/);
    const id = /(cmp_[A-Za-z0-9_-]+) \[/.exec(stderr)?.[1];
    expect(id, stderr).toBeDefined();

    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const fanOut = new Queue(FAN_OUT_QUEUE, { connection, prefix: QUEUE_PREFIX });
    try {
      // Handed over: the campaign's durable fan-out job waits for an API process, and the window held.
      expect(await (await fanOut.getJob(id!))?.getState()).toBe('waiting');
      const status = await cli(['campaign', 'status', id!, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ state: 'ingesting', counts: { total: 1200, fannedOut: 500, queued: 500 } });

      // `campaign resume` takes the job back and goes on from row 500 here, with room for the rest.
      const resumed = await cli(['campaign', 'resume', id!, '--json', '--out', path.join(dir, 'resumed.csv')], { CAMPAIGN_WINDOW: '5000' });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`resuming the fan-out of ${id} at row 500 of 1200`);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ state: 'rendering', counts: { total: 1200, valid: 1200, fannedOut: 1200, renders: 1200, queued: 1200 } });
      expect(await fanOut.getJob(id!)).toBeUndefined();
      // Every row exactly once: none of the first 500 was queued again.
      const ids = (await readFile(path.join(dir, 'resumed.csv'), 'utf8')).trim().split('\n').slice(1).map((line) => line.split(',')[0]);
      expect(ids).toHaveLength(1200);
      expect(new Set(ids).size).toBe(1200);

      const again = await cli(['campaign', 'resume', id!]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(`campaign ${id} is rendering: its fan-out has ended, nothing to resume`);
    } finally {
      await fanOut.close();
      connection.disconnect();
    }
  }, 120_000);

  it('answers a usage error with what is missing', async () => {
    const result = await cli(['campaign', 'create', '--template', 'loyalty-tier']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--channels|--recipients/);
  });
});
