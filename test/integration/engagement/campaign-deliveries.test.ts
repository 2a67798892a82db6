import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignService } from '../../../src/campaigns/index.js';
import { createRenders } from '../../../src/renders/index.js';
import { createDeliveryTracker, createEngagementMetrics, createEventIngest, renderWaitersKey } from '../../../src/engagement/index.js';
import { processRenderJob } from '../../../src/renders/process-render-job.js';
import type { RenderJobContext } from '../../../src/renders/render-job-context.js';
import { allJobs, startCampaignHarness, type CampaignHarness } from '../campaigns/campaign-harness.js';

// chunkSize 4: r01 and r03 (same props) share a chunk and one job; r09 repeats r02's props two chunks later.
const CSV = [
  'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince',
  'r01,Ana,Silver,Gold,100,900,2015',
  'r02,Ben,Gold,Platinum,200,800,2016',
  'r03,Ana,Silver,Gold,100,900,2015',
  'r04,Cy,Gold,Diamond,12x,800,2016',
  'r05,Dee,Silver,Gold,1,2,2015',
  'r06,Eve,Silver,Gold,3,4,2015',
  'r07,Fay,Gold,Diamond,5,6,2020',
  'r08,Gus,Silver,Gold,0,10,2019',
  'r09,Ben,Gold,Platinum,200,800,2016',
].join('\n');

let h: CampaignHarness;
beforeAll(async () => {
  h = await startCampaignHarness({ chunkSize: 4 });
});
afterAll(async () => h?.close());

describe('delivered events of a prerender campaign', () => {
  it('travel in the jobs the campaign adds, wait in Redis only for a master it did not add, and are delivered once each', async () => {
    const tracker = createDeliveryTracker({ redis: h.redis, ingest: createEventIngest({ redis: h.redis }) });
    const campaigns = createCampaignService(
      { redis: h.redis, renders: createRenders({ queue: h.renderQueue.queue, redis: h.redis, index: h.index, store: h.store }), registry: h.registry, index: h.index, store: h.store, jobOptions: h.renderQueue.jobOptions, deliveries: tracker },
      { chunkSize: 4 },
    );
    const status = await campaigns.create({ templateId: 'loyalty-tier', channels: ['email', 'web'], mode: 'prerender', recipients: Readable.from([Buffer.from(CSV)]), format: 'csv' });
    expect(status.counts).toMatchObject({ valid: 8, invalid: 1 });

    const jobs = await allJobs(h.renderQueue);
    expect(jobs).toHaveLength(6); // 6 distinct props, one landscape master each (email and web share it)
    const carried = jobs.flatMap((job) => job.data.deliveries ?? []).sort(([a], [b]) => a.localeCompare(b));
    // r09 is not carried: its master was added by an earlier chunk, so it waits in Redis.
    expect(carried).toEqual(['r01', 'r02', 'r03', 'r05', 'r06', 'r07', 'r08'].map((r) => [r, ['email', 'web']]));
    const r02Job = jobs.find((job) => job.data.deliveries?.some(([r]) => r === 'r02'))!;
    expect(await h.redis.smembers(renderWaitersKey(r02Job.id!))).toEqual([status.id]);

    const metrics = createEngagementMetrics(h.redis);
    expect((await metrics.campaignMetrics(status.id)).overall.funnel.delivered).toBe(0); // nothing published yet

    const ctx: RenderJobContext = {
      renderVideo: (async (request: { out: string }) => {
        await writeFile(request.out, 'fake mp4');
        return {};
      }) as unknown as RenderJobContext['renderVideo'],
      store: h.store,
      index: h.index,
      workDir: `${h.dir}/work`,
      onRendered: async (data, renderKey) => void (await tracker.onRendered(renderKey, data)),
    };
    for (const job of jobs) await processRenderJob(ctx, { id: job.id, data: job.data, attemptsMade: 0, attempts: 3 });
    // A second publication (a retry after the hook ran) delivers nothing new: the event ids dedupe.
    await processRenderJob(ctx, { id: r02Job.id, data: r02Job.data, attemptsMade: 1, attempts: 3 });

    const m = await metrics.campaignMetrics(status.id);
    expect(m.overall.funnel.delivered).toBe(8);
    expect(m.channels.email!.funnel.delivered).toBe(8);
    expect(m.channels.web!.funnel.delivered).toBe(8);
    expect(m.overall.events.delivered).toBe(16);
    expect(m.consistency).toMatchObject({ recipientsCompared: 8, consistent: 8, score: 1, driftedTotal: 0 });
    expect(await h.redis.exists(renderWaitersKey(r02Job.id!))).toBe(0);
  });
});
