import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CPU_CAPS } from '../../../src/encode/index.js';
import { AppError } from '../../../src/errors/index.js';
import { createRenderQueue, type RenderQueue, createDeliverablePlan, createDeliverableRelease, createDeliverableRequests, createTranscodeSlots, createTranscodeWorker, enqueueRender, planDeliverables, prepareRenderJob, renderOutputKey, requestOnce, type DeliverablePlan, type DeliverableRelease, type DeliverableRequests, type TranscodeFn, type TranscodeJobData, type TranscodeWorker } from '../../../src/renders/index.js';
import { createRedisConnection, closeRedisConnection } from '../../../src/queue/index.js';
import { createRedisKeys } from '../../../src/redis/index.js';
import { fakeRender, until, useQueueKit } from './queue-test-kit.js';

const env = useQueueKit({ attempts: 3, backoffDelayMs: 10 });

const poster = { kind: 'poster', name: 'poster.jpg', width: 320, playBadge: true, quality: 3 } as const;
const still = { kind: 'still', name: 'card.png', width: 320 } as const;
const emailPlan: DeliverablePlan = createDeliverablePlan({ templateId: 'reference', priorityClass: 'api', specs: [poster] });
const bothPlan: DeliverablePlan = createDeliverablePlan({ templateId: 'reference', priorityClass: 'api', specs: [poster, still, poster] });

let tq: RenderQueue<TranscodeJobData>;
let requests: DeliverableRequests;
let release: DeliverableRelease;
let transcodeWorker: TranscodeWorker | undefined;
const closers: (() => Promise<unknown>)[] = [];

/** Stands in for ffmpeg: the chain, not the encode, is under test here (test/integration/transcode has the real one). */
function fakeTranscode(failFirst = 0) {
  const calls: string[] = [];
  let failures = failFirst;
  const fn: TranscodeFn = async (input) => {
    calls.push(input.spec.name);
    if (failures-- > 0) throw new AppError('FFMPEG_FAILED', 'simulated encoder crash');
    const file = path.join(input.outDir, input.spec.name);
    await writeFile(file, `made from ${path.basename(input.masterPath)}`);
    return { files: [{ name: input.spec.name, path: file, contentType: 'image/jpeg', size: 10 }], pipeline: 'cpu', fellBackToCpu: false, passThrough: false };
  };
  return { fn, calls };
}

function startTranscodeWorker(fn: TranscodeFn) {
  const { kit } = env;
  const connection = createRedisConnection(env.redis.url);
  closers.push(() => closeRedisConnection(connection));
  const slots = createTranscodeSlots({ caps: CPU_CAPS, gpu: 0, cpu: 2 });
  transcodeWorker = createTranscodeWorker(
    { transcode: fn, store: kit.store, index: kit.index, slots, workDir: kit.workDir },
    { connection, queueName: tq.queueName, jobOptions: { attempts: 3 }, lockDurationMs: 5_000, stalledIntervalMs: 5_000 },
  );
  transcodeWorker.worker.on('error', () => undefined);
  transcodeWorker.run();
}

beforeEach(() => {
  tq = createRenderQueue<TranscodeJobData>({ redisUrl: env.redis.url, queueName: `t-${randomUUID()}`, jobOptions: { attempts: 3, backoffDelayMs: 10 }, events: false });
  const options = {
    queue: tq.queue,
    jobOptions: tq.jobOptions,
    keys: { ...createRedisKeys(`{mastercut}:test:${tq.queueName}:`), output: env.kit.keys.output },
  };
  requests = createDeliverableRequests(env.kit.redis, options);
  release = createDeliverableRelease(env.kit.redis, options);
});

afterEach(async () => {
  await transcodeWorker?.shutdown(0);
  transcodeWorker = undefined;
  for (const close of closers.splice(0)) await close();
  await tq.queue.obliterate({ force: true }).catch(() => undefined);
  await tq.close();
});

async function renderWithChain(props: Record<string, unknown>) {
  const { kit } = env;
  const render = fakeRender();
  kit.startWorker({
    renderVideo: render.renderVideo,
    onRendered: (data, key) => void release.release(key, renderOutputKey(key, data.format)),
  });
  const queued = await enqueueRender(kit.deps, { templateId: 'reference', props, priorityClass: 'api' });
  return { render, queued };
}

describe('render -> transcode chain', () => {
  it('queues wanted deliverables when the master is published, once per deliverable key', async () => {
    const transcode = fakeTranscode();
    startTranscodeWorker(transcode.fn);
    const { kit } = env;
    const props = { name: 'Ada', points: 1 };
    // Asked for before the render exists, by two producers with overlapping plans.
    const { queued } = await renderWithChain(props);
    const master = renderOutputKey(queued.renderKey, 'mp4');
    const first = await requests.request([{ renderKey: queued.renderKey, masterStorageKey: master, plan: emailPlan }, { renderKey: queued.renderKey, masterStorageKey: master, plan: bothPlan }]);
    expect(first.queuedNow + first.waiting).toBe(2);

    const planned = planDeliverables(bothPlan, queued.renderKey, master);
    expect(planned).toHaveLength(2); // the duplicate poster spec is one deliverable
    for (const d of planned) {
      await until(async () => (await kit.index.get(d.deliverableKey))?.state === 'done', 15_000, `deliverable ${d.data.spec.name}`);
      expect((await kit.store.head(d.storageKey))?.size).toBeGreaterThan(0);
    }
    expect(transcode.calls.sort()).toEqual(['card.png', 'poster.jpg']);

    // Asked again once the master is done: queued at once, deduped by key, nothing re-made.
    const again = await requests.request([{ renderKey: queued.renderKey, masterStorageKey: master, plan: bothPlan }]);
    expect(again).toEqual({ queuedNow: 1, waiting: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(transcode.calls).toHaveLength(2);
  });

  it('a Live request for a deliverable a campaign queued first raises its waiting transcode job; a campaign request never lowers it', async () => {
    const { kit } = env;
    // A published master (no worker runs here: the transcode jobs stay queued).
    const renderKey = 'a'.repeat(64);
    const master = renderOutputKey(renderKey, 'mp4');
    await kit.index.set({ key: renderKey, templateId: 'reference', state: 'done', storageKey: master, updatedAt: Date.now() });
    const plan = (priorityClass: 'live' | 'api' | 'campaign') => createDeliverablePlan({ templateId: 'reference', priorityClass, specs: [poster] });
    const [deliverable] = planDeliverables(plan('campaign'), renderKey, master);
    const priority = async () => (await tq.queue.getJob(deliverable!.deliverableKey))?.priority;

    expect(await requests.request([{ renderKey, masterStorageKey: master, plan: plan('campaign') }])).toEqual({ queuedNow: 1, waiting: 0 });
    expect(await priority()).toBe(10);
    await requests.request([{ renderKey, masterStorageKey: master, plan: plan('live') }]);
    expect(await priority()).toBe(1);
    // Same key, one job: the Live request joined the campaign's, and nothing lowers it again.
    await requests.request([{ renderKey, masterStorageKey: master, plan: plan('campaign') }]);
    await requests.request([{ renderKey, masterStorageKey: master, plan: plan('api') }]);
    expect(await priority()).toBe(1);
    expect(await tq.queue.getJobCountByTypes('prioritized', 'waiting')).toBe(1);
  });

  it('retries a failed transcode without re-rendering the master', async () => {
    const transcode = fakeTranscode(1);
    startTranscodeWorker(transcode.fn);
    const { kit } = env;
    const { render, queued } = await renderWithChain({ name: 'Grace', points: 2 });
    const master = renderOutputKey(queued.renderKey, 'mp4');
    await requests.request([{ renderKey: queued.renderKey, masterStorageKey: master, plan: emailPlan }]);
    const [d] = planDeliverables(emailPlan, queued.renderKey, master);
    await until(async () => (await kit.index.get(d!.deliverableKey))?.state === 'done', 15_000, 'deliverable after retry');
    expect(transcode.calls).toEqual(['poster.jpg', 'poster.jpg']);
    expect(render.calls).toHaveLength(1);
  });

  it('after the done records expired, a request finds master and deliverables stored: nothing is made again', async () => {
    const transcode = fakeTranscode();
    startTranscodeWorker(transcode.fn);
    const { kit } = env;
    const { render, queued } = await renderWithChain({ name: 'Hedy', points: 3 });
    const master = renderOutputKey(queued.renderKey, 'mp4');
    await requests.request([{ renderKey: queued.renderKey, masterStorageKey: master, plan: emailPlan }]);
    const [d] = planDeliverables(emailPlan, queued.renderKey, master);
    await until(async () => (await kit.index.get(d!.deliverableKey))?.state === 'done', 15_000, 'deliverable');

    // The done-record retention ran out for both records; the files stay.
    await kit.index.delete(queued.renderKey);
    await kit.index.delete(d!.deliverableKey);
    // A producer asks for the master first (requestOnce re-creates its record from the store), then its deliverables.
    const prepared = await prepareRenderJob(kit.deps, { templateId: 'reference', props: { name: 'Hedy', points: 3 }, priorityClass: 'api' });
    expect((await requestOnce(kit.deps, prepared)).outcome).toBe('done');
    expect(await requests.request([{ renderKey: queued.renderKey, masterStorageKey: master, plan: emailPlan }])).toEqual({ queuedNow: 1, waiting: 0 });
    // The transcode worker finds the deliverable stored: re-indexed done, not cut again.
    await until(async () => (await kit.index.get(d!.deliverableKey))?.state === 'done', 15_000, 'deliverable re-indexed');
    expect(transcode.calls).toEqual(['poster.jpg']);
    expect(render.calls).toHaveLength(1);
  });

  it('fails a deliverable whose master is gone, and says so in the index', async () => {
    const transcode = fakeTranscode();
    startTranscodeWorker(transcode.fn);
    const { kit } = env;
    const renderKey = 'a'.repeat(64);
    await kit.index.set({ key: renderKey, state: 'done', templateId: 'reference', storageKey: renderOutputKey(renderKey, 'mp4'), updatedAt: Date.now() });
    await requests.request([{ renderKey, masterStorageKey: renderOutputKey(renderKey, 'mp4'), plan: emailPlan }]);
    const [d] = planDeliverables(emailPlan, renderKey, renderOutputKey(renderKey, 'mp4'));
    const record = await until(async () => {
      const r = await kit.index.get(d!.deliverableKey);
      return r?.state === 'failed' ? r : undefined;
    }, 20_000, 'failed record');
    expect(record.error).toBe('MASTER_MISSING');
    expect(transcode.calls).toHaveLength(0);
  });
});
