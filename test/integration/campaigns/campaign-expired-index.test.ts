import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCampaignHooks } from '../../../src/campaigns/index.js';
import { enqueueRender } from '../../../src/renders/enqueue-render.js';
import { processRenderJob } from '../../../src/renders/process-render-job.js';
import type { RenderJobContext } from '../../../src/renders/render-job-context.js';
import { redisKeys } from '../../../src/redis/index.js';
import { allJobs, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

/**
 * A campaign whose renders are stored but whose done records expired (the
 * done-record retention, OUTPUT_INDEX_DONE_TTL_S): the fan-out's claim sees
 * no record, so each key is queued as a render job; the worker finds the
 * output with store.head, renders nothing, re-indexes it and counts it once,
 * as a cache hit (rendered and cached), as the fan-out would have had the
 * record lived.
 */
const CSV = ['recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince', 'r01,Ana,Silver,Gold,100,900,2015', 'r02,Ben,Gold,Platinum,200,800,2016', 'r03,Cy,Silver,Gold,1,2,2015'].join('\n');

let h: CampaignHarness;
beforeAll(async () => {
  h = await startCampaignHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.useFreshQueue());

const create = (csv = CSV) => h.campaigns.create({ templateId: 'loyalty-tier', channels: ['web'], mode: 'prerender', recipients: Readable.from([Buffer.from(csv)]), format: 'csv' });

async function processAll(rendered: string[]): Promise<void> {
  const hooks = createCampaignHooks(h.redis);
  const ctx: RenderJobContext = {
    renderVideo: (async (request: { out: string }) => {
      rendered.push(request.out);
      await writeFile(request.out, 'fake mp4');
      return {};
    }) as unknown as RenderJobContext['renderVideo'],
    store: h.store,
    index: h.index,
    workDir: `${h.dir}/work`,
    onRendered: hooks.onRendered,
    onFailed: hooks.onFailed,
  };
  for (const job of await allJobs(h.renderQueue)) await processRenderJob(ctx, { id: job.id, data: job.data, attemptsMade: 0, attempts: 3 });
}

describe('a campaign over outputs whose index records expired', () => {
  it('queues them, renders none again, counts each once as a cache hit and finishes', async () => {
    const first = await create();
    const renders: string[] = [];
    await processAll(renders);
    expect(renders).toHaveLength(3);
    expect((await h.campaigns.status(first.id)).state).toBe('done');
    expect((await h.campaigns.status(first.id)).counts).toMatchObject({ renders: 3, rendered: 3, cached: 0 });
    const keys = (await allJobs(h.renderQueue)).map((job) => job.id!);

    // The retention ran out: the records are gone, the files are not.
    for (const key of keys) await h.redis.del(redisKeys.output(key));
    await h.useFreshQueue();

    const second = await create();
    expect(second.counts).toMatchObject({ renders: 3, queued: 3, cached: 0 });
    const again: string[] = [];
    await processAll(again);
    expect(again).toEqual([]);
    const status = await h.campaigns.status(second.id);
    expect(status.state).toBe('done');
    expect(status.counts).toMatchObject({ renders: 3, rendered: 3, cached: 3, failed: 0 });
    // Re-indexed by the worker: the next reader is answered by Redis again.
    for (const key of keys) expect(await h.index.get(key)).toMatchObject({ state: 'done' });
  });

  it('counts a render its own earlier try stored before it died as rendered, not cached', async () => {
    // Recipients of their own: the first test's outputs are stored and indexed.
    const created = await create(CSV.replaceAll(',2015', ',2001').replace(',2016', ',2002'));
    const [job] = await allJobs(h.renderQueue);
    // The earlier try marked it rendering and stored the file, then its worker died before the record said done.
    const data = job!.data as { templateId: string; templateVersion: string; variant: string };
    await h.index.set({ key: job!.id!, templateId: data.templateId, templateVersion: data.templateVersion, variant: data.variant, state: 'rendering', updatedAt: Date.now() });
    const file = `${h.dir}/earlier-try.mp4`;
    await writeFile(file, 'fake mp4');
    await h.store.put(`renders/${job!.id}.mp4`, { file }, { contentType: 'video/mp4' });
    const rendered: string[] = [];
    await processAll(rendered);
    expect(rendered).toHaveLength(2);
    expect((await h.campaigns.status(created.id)).counts).toMatchObject({ renders: 3, rendered: 3, cached: 0, failed: 0 });
  });

  it('settles a render another producer made whose record expired before the campaign read it', async () => {
    const props = { firstName: 'Ivy', currentTier: 'Gold', nextTier: 'Diamond', points: 17, pointsToNextTier: 18, memberSince: 2019 };
    const api = await enqueueRender({ queue: h.renderQueue.queue, registry: h.registry, index: h.index, store: h.store }, { templateId: 'loyalty-tier', variant: 'landscape', props, priorityClass: 'api' });
    const text = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\nr21,Ivy,Gold,Diamond,17,18,2019';
    const created = await h.campaigns.create({ templateId: 'loyalty-tier', channels: ['web'], mode: 'prerender', recipients: Readable.from([Buffer.from(text)]), format: 'csv' });
    expect(created.counts).toMatchObject({ renders: 1, queued: 1, rendered: 0 });
    await processAll([]);
    // The API's job carries no campaign: only the index tells the campaign, and its record is gone.
    await h.redis.del(redisKeys.output(api.renderKey));
    const status = await h.campaigns.status(created.id);
    expect(status.counts).toMatchObject({ renders: 1, rendered: 1, failed: 0 });
    expect(status.state).toBe('done');
  });
});
