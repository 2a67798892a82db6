import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PREFIX, queueNames } from '../../src/queue/queue-names.js';
import { startTestRedis, type EmbeddedRedis } from '../helpers/redis-server.js';
import { startApiProcess, startTranscodeProcess, startWorkerProcess, stopFarmProcesses, untilReady, type WorkerChild } from '../helpers/worker-process.js';
import { untilFannedOut } from '../helpers/campaign-fanned-out.js';

/**
 * Drain: a prerender campaign runs on 3 render worker processes and 1
 * transcode worker process while one render worker gets SIGTERM, another is
 * killed with SIGKILL and a new one joins. Every render and every transcode
 * job must complete exactly once (counted from BullMQ's own event streams),
 * none may fail, and every master and deliverable must be in storage and
 * readable by ffprobe.
 */
const execFileAsync = promisify(execFile);
const RECIPIENTS = 9;
/** Short locks so the killed worker's job is found stalled and re-queued within seconds. */
const WORKER_ARGS = ['--lock-duration-ms', '8000', '--stalled-interval-ms', '3000'];

let redis: EmbeddedRedis;
let client: Redis;
let dir: string;
let storeRoot: string;
let api: WorkerChild & { url: string };
const children: WorkerChild[] = [];

const common = () => ({
  redisUrl: redis.url,
  storeRoot,
  args: WORKER_ARGS,
  // One browser per render worker: three of them share this machine's cores.
  env: { RENDER_POOL_SIZE: '1', JOB_BACKOFF_MS: '200' },
});

beforeAll(async () => {
  redis = await startTestRedis();
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-ops-drain-'));
  storeRoot = path.join(dir, 'storage');
  api = await startApiProcess({ redisUrl: redis.url, storeRoot });
  children.push(api);
}, 120_000);

afterAll(async () => {
  await stopFarmProcesses(children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null));
  client?.disconnect();
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** `count` log lines of `msg` from a worker. */
const logged = (child: WorkerChild, msg: string) => child.output().split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, describe?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${describe ? `\n${await describe()}` : ''}`);
    await sleep(250);
  }
}

/** The last lines of every worker's log, for a failure message. */
const logTails = (workers: Record<string, WorkerChild>) =>
  Object.entries(workers)
    .map(([name, w]) => `--- ${name} (exit ${w.proc.exitCode ?? w.proc.signalCode ?? 'running'})\n${w.output().trim().split('\n').slice(-8).join('\n')}`)
    .join('\n');

/** Per job id, how many times BullMQ recorded each event in the queue's event stream. */
async function eventCounts(queue: string): Promise<Map<string, Record<string, number>>> {
  const entries = (await client.xrange(`${QUEUE_PREFIX}:${queue}:events`, '-', '+')) as [string, string[]][];
  const counts = new Map<string, Record<string, number>>();
  for (const [, fields] of entries) {
    const record: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
    if (!record.jobId) continue;
    const perJob = counts.get(record.jobId) ?? {};
    perJob[record.event!] = (perJob[record.event!] ?? 0) + 1;
    counts.set(record.jobId, perJob);
  }
  return counts;
}

async function ffprobeOk(file: string): Promise<boolean> {
  try {
    await execFileAsync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', file]);
    return true;
  } catch {
    return false;
  }
}

describe('drain: SIGTERM, SIGKILL and a new worker during a campaign', () => {
  it('completes every render and transcode job exactly once and stores every output', async () => {
    const [a, b, c] = [startWorkerProcess(common()), startWorkerProcess(common()), startWorkerProcess(common())];
    const transcoder = startTranscodeProcess({ ...common(), env: { ...common().env, TRANSCODE_CPU_CONCURRENCY: '1' } });
    children.push(a, b, c, transcoder);
    await Promise.all([a, b, c, transcoder].map((w) => untilReady(w, 120_000)));

    const csv = ['recipientId,name,points', ...Array.from({ length: RECIPIENTS }, (_, i) => `d${i},Drain${i},${1000 + i}`)].join('\n');
    const created = await fetch(`${api.url}/v1/campaigns?templateId=reference&channels=email,web`, {
      method: 'POST',
      headers: { authorization: 'Bearer farm-key', 'content-type': 'text/csv' },
      body: `${csv}\n`,
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const { counts } = await untilFannedOut(api.url, id, { authorization: 'Bearer farm-key' });
    expect(counts.renders).toBe(RECIPIENTS);

    const manifest = await (await fetch(`${api.url}/v1/campaigns/${id}/manifest`, { headers: { authorization: 'Bearer farm-key' } })).text();
    const [header, ...rows] = manifest.trim().split('\n');
    const columns = header!.split(',');
    const cells = rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [columns[i]!, value])));
    const renderKeys = new Set(cells.map((cell) => cell.web_renderKey!));
    expect(renderKeys.size).toBe(RECIPIENTS);
    const deliverableColumns = columns.filter((name) => /^(email|web)_\w+_url$/.test(name));
    const deliverableUrls = new Set(cells.flatMap((cell) => deliverableColumns.map((name) => cell[name]!)));

    // SIGTERM a worker in the middle of a render (its second job): it must finish or return it, then exit 0.
    await until('worker A to start its second render', () => logged(a, 'render started') >= 2, 180_000);
    const aPublishedAtSigterm = logged(a, 'render published');
    a.proc.kill('SIGTERM');
    // SIGKILL another in the middle of a render: its lock expires and a live worker takes the job over.
    await until('worker B to start its second render', () => logged(b, 'render started') >= 2, 180_000);
    b.proc.kill('SIGKILL');
    // And a new worker joins the farm.
    const d = startWorkerProcess(common());
    children.push(d);
    await untilReady(d, 120_000);

    expect(await a.exited).toBe(0);
    expect(a.output()).toMatch(/"msg":"render worker stopped"/);
    // A either published the render it was running or put it back for another worker.
    const returned = Number(/"returned":(\d+)[^\n]*"msg":"render worker stopped"/.exec(a.output())![1]);
    expect(logged(a, 'render published') - aPublishedAtSigterm + returned).toBe(1);
    expect(await b.exited).toBeNull();
    expect(b.proc.signalCode).toBe('SIGKILL');

    const renderQueue = new Queue(queueNames.render, { connection: client, prefix: QUEUE_PREFIX });
    const transcodeQueue = new Queue(queueNames.transcode, { connection: client, prefix: QUEUE_PREFIX });
    const pending = async (queue: Queue) => {
      const n = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'waiting-children');
      return Object.values(n).reduce((sum, v) => sum + v, 0);
    };
    // Transcode jobs are removed as they complete (removeOnComplete: true), so progress is read
    // from the event streams, which keep every completion.
    const finished = async (queue: string) =>
      [...(await eventCounts(queue)).values()].filter((e) => e.completed || e.failed).length;
    await until(
      'every render and deliverable to complete',
      async () =>
        (await finished(queueNames.render)) >= RECIPIENTS &&
        (await pending(renderQueue)) === 0 &&
        (await finished(queueNames.transcode)) >= deliverableUrls.size &&
        (await pending(transcodeQueue)) === 0,
      300_000,
      async () =>
        `render ${JSON.stringify(await renderQueue.getJobCounts())}\ntranscode ${JSON.stringify(await transcodeQueue.getJobCounts())}\n` +
        logTails({ a, b, c, d, transcoder }),
    );

    // Exactly once, from BullMQ's own records: one `completed` per job id, no `failed`, none missing.
    const renders = await eventCounts(queueNames.render);
    expect(new Set([...renders.entries()].filter(([, e]) => e.completed).map(([jobId]) => jobId))).toEqual(renderKeys);
    for (const key of renderKeys) expect(renders.get(key), key).toMatchObject({ completed: 1 });
    expect([...renders.values()].filter((e) => e.failed)).toEqual([]);
    // The SIGKILLed worker's job was found stalled and run again, not lost.
    expect([...renders.values()].some((e) => (e.stalled ?? 0) >= 1)).toBe(true);
    expect(await renderQueue.getFailedCount()).toBe(0);

    const transcodes = await eventCounts(queueNames.transcode);
    const completedTranscodes = [...transcodes.entries()].filter(([, e]) => e.completed);
    expect(completedTranscodes).toHaveLength(deliverableUrls.size);
    for (const [jobId, events] of completedTranscodes) expect(events.completed, jobId).toBe(1);
    expect([...transcodes.values()].filter((e) => e.failed)).toEqual([]);
    expect(await transcodeQueue.getFailedCount()).toBe(0);

    // Every master is in storage and playable; so is every deliverable of the manifest.
    for (const key of renderKeys) {
      const master = path.join(storeRoot, 'renders', `${key}.mp4`);
      expect(existsSync(master), key).toBe(true);
      expect(await ffprobeOk(master), key).toBe(true);
    }
    let n = 0;
    for (const url of deliverableUrls) {
      const res = await fetch(`${api.url}${url}`);
      expect(res.status, url).toBe(200);
      const file = path.join(dir, `deliverable-${n++}${path.extname(new URL(url, api.url).pathname)}`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      expect(await ffprobeOk(file), url).toBe(true);
    }
    await Promise.all([renderQueue.close(), transcodeQueue.close()]);
  }, 600_000);
});
