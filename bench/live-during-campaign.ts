/**
 * Cold Live opens during a big campaign (issue 15: "a Live URL cold render
 * during a big campaign starts within 2 s"). Prints figures; not a test.
 *
 *   npx tsx bench/live-during-campaign.ts [--rows 20000] [--window 2000] [--slots 4] [--render-ms 1000] [--opens 10] [--gap-ms 1000] [--preempt-ms 1000]
 *
 * A private redis-server and the API as its own process (bench/live-farm.ts,
 * free ports, METRICS_PORT=0) with CAMPAIGN_WINDOW = --window; a prerender
 * campaign of --rows rows uploaded through the API keeps its window of render
 * jobs queued. The render worker is the farm's (bench/stub-render-worker.ts)
 * with --slots slots and a renderer stubbed to take --render-ms per job
 * (0.5 to 1.5 times, at random), so
 * the slots stay busy and the backlog stays. Once the slots have each done
 * about two jobs (they start together, then drift apart), --opens cold Live links,
 * one after another, each GET of `video.mp4` timed: from the request to its
 * render job being queued (BullMQ's timestamp) and becoming active (Redis'
 * processedOn), and to the first video byte (the stub sends its bytes as it
 * starts). Once queued, a Live job waits only for the next slot to free:
 * about --render-ms / --slots on average, whatever the campaign's backlog;
 * the figures count the campaign jobs that started between the Live job's
 * add and its start: 0, or one per slot whose fetch was in flight as the
 * add landed (test/e2e/live-during-campaign.test.ts checks the order with
 * the slots held). --preempt-ms is the worker's RENDER_LIVE_PREEMPT_AFTER_MS
 * (the farm's default, 1000; 0 = off): a Live job that waited that long with
 * every slot busy makes the worker put a campaign render back and take it, so
 * the wait is about --preempt-ms (plus up to 250 ms of polling) instead of
 * the next free slot; the put-back renders are counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { QUEUE_PREFIX, queueNames } from '../src/queue/index.js';
import { createOutputIndex } from '../src/renders/index.js';
import { createFileStore } from '../src/storage/index.js';
import { fetchColdVideo } from './live-cold.js';
import { BENCH_API_KEY, startBenchFarm } from './live-farm.js';
import { startStubRenderWorker } from './stub-render-worker.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    window: { type: 'string', default: '2000' },
    slots: { type: 'string', default: '4' },
    'render-ms': { type: 'string', default: '1000' },
    opens: { type: 'string', default: '10' },
    'gap-ms': { type: 'string', default: '1000' },
    'preempt-ms': { type: 'string', default: '1000' },
  },
});
const args = Object.fromEntries(Object.entries(values).map(([name, v]) => [name, Number(v)])) as Record<keyof typeof values, number>;
for (const [name, n] of Object.entries(args)) {
  if (!Number.isInteger(n) || n < (['render-ms', 'gap-ms', 'preempt-ms'].includes(name) ? 0 : 1)) throw new Error(`--${name} must be a non-negative integer`);
}
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\n';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

const dir = await mkdtemp(path.join(os.tmpdir(), 'mastercut-live-campaign-'));
const farm = await startBenchFarm(dir, {}, {
  workers: false,
  // Every open is one client: the cold-render budget per client would refuse the later ones.
  env: { CAMPAIGN_WINDOW: String(args.window), COLD_RENDER_LIMIT_PER_CLIENT: '100000' },
});
const redis = new Redis(farm.redis.url, { maxRetriesPerRequest: null });
const queue = new Queue(queueNames.render, { connection: redis, prefix: QUEUE_PREFIX });
const worker = startStubRenderWorker(
  { redis, store: createFileStore({ root: path.join(dir, 'storage') }), index: createOutputIndex(redis), workDir: path.join(dir, 'work') },
  // Each render takes 0.5 to 1.5 x --render-ms, so the slots free one by one, not all at once.
  { concurrency: args.slots, hold: () => sleep(args['render-ms'] * (0.5 + Math.random())), livePreemptAfterMs: args['preempt-ms'] },
);
try {
  const auth = { authorization: `Bearer ${BENCH_API_KEY}` };
  let csv = HEADER;
  for (let i = 0; i < args.rows; i++) csv += `m${i},Member,Silver,Gold,${i},${args.rows - i},2015\n`;
  const res = await fetch(`${farm.api.url}/v1/campaigns?templateId=loyalty-tier&channels=web`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv });
  if (res.status !== 202) throw new Error(`campaign upload: ${res.status} ${await res.text()}`);
  const campaign = (await res.json()) as { id: string };
  const backlog = () => queue.getJobCountByTypes('prioritized', 'waiting');
  const counts = async () =>
    ((await (await fetch(`${farm.api.url}/v1/campaigns/${campaign.id}`, { headers: auth })).json()) as { counts: { fannedOut: number; rendered: number } }).counts;
  while ((await backlog()) < args.window - args.slots) await sleep(100);
  // Until every slot finished a job, the slots all started together and free together: not the steady state.
  while ((await counts()).rendered < 2 * args.slots) await sleep(100);
  console.log(
    `live-during-campaign: ${args.rows} rows, window ${args.window}, ${args.slots} render slots, stub render ${args['render-ms']} ms, ${args.opens} cold opens ${args['gap-ms']} ms apart, preempt after ${args['preempt-ms'] || 'never'} ms; redis ${farm.redis.url}`,
  );

  const toQueued: number[] = [];
  const toActive: number[] = [];
  const toFirstByte: number[] = [];
  for (let i = 0; i < args.opens; i++) {
    const link = await farm.createLink('reference', { name: `Live ${i}`, points: i });
    const waiting = await backlog();
    const { fannedOut, rendered } = await counts();
    const startsAtOpen = worker.starts.length;
    const openedAt = Date.now();
    const video = await fetchColdVideo(link.assets.video!);
    const at = worker.starts.findIndex((s, n) => n >= startsAtOpen && s.priorityClass === 'live');
    if (video.status !== 200 || at === -1) throw new Error(`open ${i}: status ${video.status}, live job started: ${at !== -1}`);
    const live = worker.starts[at]!;
    const activeMs = live.activeAt - openedAt;
    // Started between the Live job's add (its timestamp is taken as the API sends it) and its start: a slot
    // whose fetch was in flight as the add landed can still take a campaign job; more than one per slot would
    // mean the Live job did not pass the backlog.
    const passedIt = worker.starts.slice(startsAtOpen, at).filter((s) => s.priorityClass === 'campaign' && s.activeAt >= live.addedAt).length;
    toQueued.push(live.addedAt - openedAt);
    toActive.push(activeMs);
    toFirstByte.push(video.firstByteMs);
    console.log(
      `  open ${String(i + 1).padStart(2)}: queued after ${live.addedAt - openedAt} ms, active after ${activeMs} ms, first video byte ${video.firstByteMs.toFixed(0)} ms ` +
        `(${video.streamed ? 'streamed' : 'stored'}, ${video.bytes} B); ${waiting} campaign jobs waiting, ${passedIt} started between its add and its start; ` +
        `campaign fanned out ${fannedOut}, rendered ${rendered}`,
    );
    await sleep(args['gap-ms']);
  }
  console.log(`  open -> render job queued   median ${median(toQueued)} ms, max ${Math.max(...toQueued)} ms`);
  console.log(`  open -> render job active   median ${median(toActive)} ms, max ${Math.max(...toActive)} ms`);
  console.log(`  open -> first video byte    median ${median(toFirstByte).toFixed(0)} ms, max ${Math.max(...toFirstByte).toFixed(0)} ms`);
  console.log(`  a free slot every ${(args['render-ms'] / args.slots).toFixed(0)} ms on average (render-ms / slots)`);
  const startsPerJob = new Map<string, number>();
  for (const s of worker.starts) if (s.priorityClass === 'campaign') startsPerJob.set(s.jobId, (startsPerJob.get(s.jobId) ?? 0) + 1);
  const putBack = [...startsPerJob.values()].reduce((n, starts) => n + starts - 1, 0);
  console.log(`  campaign renders put back for a Live render and started again: ${putBack} (of ${startsPerJob.size} campaign jobs started)`);
  console.log(`  load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.availableParallelism()} cores`);
} finally {
  await worker.close();
  await queue.close();
  redis.disconnect();
  await farm.stop();
  await rm(dir, { recursive: true, force: true });
}
