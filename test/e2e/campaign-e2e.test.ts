import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputIndex, createRenderQueue, createRenders, type RenderQueue } from '../../src/renders/index.js';
import { createCampaignService, type CampaignStatus } from '../../src/campaigns/index.js';
import { createDefaultRegistry } from '../../src/pipeline/index.js';
import { createFileStore } from '../../src/storage/index.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startWorkerProcess, type WorkerChild } from '../helpers/worker-process.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * 30 rows: 27 valid recipients sharing 5 distinct loyalty-tier props (so
 * every duplicate is exercised while the 2-core machine only renders 5
 * videos), and 3 invalid rows. Channels email + web share the landscape
 * variant: one master per distinct props.
 */
const PROPS = [
  'Ana,Silver,Gold,1200,800,2015',
  'Ben,Gold,Platinum,30000,20000,2012',
  'Cy,Platinum,Diamond,80000,5000,2009',
  'Dee,Silver,Diamond,100,99900,2021',
  'Eve,Gold,Diamond,45000,55000,2018',
];
const INVALID: Record<number, string> = {
  8: 'r07,Gus,Gold,Platinum,many,10,2015', // bad number
  16: 'r15,Hal,Gold,Silver,10,10,2015', // next tier below current tier
  25: ',Ida,Silver,Gold,10,10,2015', // no recipient id
};
function recipientsCsv(): string {
  const lines = ['recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince'];
  for (let row = 0; row < 30; row++) {
    const line = row + 2;
    lines.push(INVALID[line] ?? `r${String(row + 1).padStart(2, '0')},${PROPS[row % PROPS.length]}`);
  }
  return `${lines.join('\n')}\n`;
}

function startWorker(redisUrl: string, queueName: string, storeRoot: string): WorkerChild {
  return startWorkerProcess({ redisUrl, storeRoot, args: ['--concurrency', '1', '--queue', queueName, '--eviction-check', 'warn'] });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

let redis: EmbeddedRedis;
let renderQueue: RenderQueue;
let storeRoot: string;
const workers: WorkerChild[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'mastercut-campaign-e2e-'));
});

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
  await Promise.race([Promise.all(workers.map((w) => w.exited)), sleep(20_000)]);
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
  await renderQueue?.close();
  await redis?.destroy();
  await rm(storeRoot, { recursive: true, force: true });
});

describe('campaign end to end (2 worker processes, real Chromium and ffmpeg)', () => {
  it('renders every valid unique render exactly once, reports the invalid rows and writes a complete manifest', async () => {
    const queueName = `render-e2e-${process.pid}`;
    workers.push(startWorker(redis.url, queueName, storeRoot), startWorker(redis.url, queueName, storeRoot));
    // Both take jobs before the campaign starts, so the renders spread over both.
    await until(() => workers.every((w) => w.output().includes('render worker ready')), 90_000, 'two ready workers');

    renderQueue = createRenderQueue({ redisUrl: redis.url, queueName, events: false });
    const store = createFileStore({ root: storeRoot });
    const index = createOutputIndex(renderQueue.connection);
    const campaigns = createCampaignService({
      redis: renderQueue.connection,
      renders: createRenders({ queue: renderQueue.queue, redis: renderQueue.connection, index, store }),
      registry: createDefaultRegistry({ cacheDir: path.join(repoRoot, '.cache/test') }),
      index,
      store,
      jobOptions: renderQueue.jobOptions,
    });
    const created = await campaigns.create({
      templateId: 'loyalty-tier',
      channels: ['email', 'web'],
      mode: 'prerender',
      recipients: Readable.from([recipientsCsv()]),
      format: 'csv',
    });
    expect(created.counts).toMatchObject({ total: 30, valid: 27, invalid: 3, renders: 5, queued: 5 });

    let status: CampaignStatus = created;
    await until(
      async () => {
        status = await campaigns.status(created.id);
        return status.state !== 'rendering';
      },
      150_000,
      'the campaign to finish',
    );
    expect(status).toMatchObject({ state: 'done', progress: 1 });
    expect(status.counts).toMatchObject({ renders: 5, rendered: 5, failed: 0 });

    const { errors } = await campaigns.errors(created.id);
    expect(errors.map((e) => e.line)).toEqual([8, 16, 25]);
    expect(errors.map((e) => ('issues' in e ? e.issues?.[0]?.path : undefined))).toEqual(['points', 'nextTier', 'recipientId']);

    const manifestText = await new Response(Readable.toWeb(await campaigns.manifest(created.id, 'csv')) as ReadableStream).text();
    const rows = manifestText.trim().split('\n').slice(1).map((line) => line.split(','));
    expect(rows).toHaveLength(27);
    const keys = new Set(rows.map((r) => r[1]!));
    expect(keys.size).toBe(5);
    for (const r of rows) expect(r[3]).toBe(r[1]); // web = email (same landscape master)

    // Exactly one output per distinct render, all whole MP4s, nothing partial or stray.
    // Dot files are the file store's own metadata sidecars, not outputs.
    const stored = (await readdir(path.join(storeRoot, 'renders'))).filter((name) => !name.startsWith('.')).sort();
    expect(stored).toEqual([...keys].map((k) => `${k}.mp4`).sort());
    for (const name of stored) {
      const file = await open(path.join(storeRoot, 'renders', name));
      const head = Buffer.alloc(8);
      await file.read(head, 0, 8, 0);
      const { size } = await file.stat();
      await file.close();
      expect(head.subarray(4, 8).toString('latin1')).toBe('ftyp');
      expect(size).toBeGreaterThan(10_000);
      expect((await store.head(`renders/${name}`))?.size).toBe(size);
    }
    const entries = await readdir(storeRoot, { recursive: true });
    expect(entries.filter((e) => /partial|\.tmp|staging/i.test(e))).toEqual([]);

    // The renders were spread over both worker processes.
    const published = workers.map((w) => (w.output().match(/render published/g) ?? []).length);
    expect(published.reduce((a, b) => a + b, 0)).toBe(5);
    expect(published.every((n) => n >= 1)).toBe(true);
  }, 300_000);
});
