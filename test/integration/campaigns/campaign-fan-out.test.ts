import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCampaignHooks, createCampaignService, type CampaignStatus } from '../../../src/campaigns/index.js';
import type { CampaignChunk, PreparedRenderJob } from '../../../src/renders/index.js';
import { isAppError } from '../../../src/errors/index.js';
import { enqueueRender } from '../../../src/renders/enqueue-render.js';
import { processRenderJob } from '../../../src/renders/process-render-job.js';
import type { RenderJobContext } from '../../../src/renders/render-job-context.js';
import { allJobs, readAll, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';
const LONG_NAME = 'Bartholomew-Maximilian-Fitzgerald-Longname'; // 42 characters: over the 40 allowed
const CSV = [
  HEADER, // line 1
  'r01,Ana,Silver,Gold,100,900,2015', // 2
  'r02,Ben,Gold,Platinum,200,800,2016', // 3
  'r03,Ana,Silver,Gold,100,900,2015', // 4: same props as r01
  'r04,Cy,Gold,Diamond,12x,800,2016', // 5: bad number
  `r05,${LONG_NAME},Silver,Gold,1,2,2015`, // 6: too long
  ',Dee,Silver,Gold,1,2,2015', // 7: no recipient id
  'r07,Eve,Silver,Gold,1,2', // 8: a column short (malformed)
  'r08,"Fay, Jr.",Platinum,Diamond,5,6,2020', // 9: quoted comma, valid
  'r09,Ben,Gold,Platinum,200,800,2016', // 10: same props as r02
  'r10,Gus,Silver,Gold,0,10,2019', // 11
].join('\n');

let h: CampaignHarness;

beforeAll(async () => {
  h = await startCampaignHarness({ chunkSize: 4 });
});
afterAll(async () => h?.close());
beforeEach(async () => h.useFreshQueue({ chunkSize: 4 }));

const csv = (text: string) => Readable.from([Buffer.from(text)]);
const create = (text: string, channels = ['email', 'web', 'inapp']) =>
  h.campaigns.create({ templateId: 'loyalty-tier', channels, mode: 'prerender', recipients: csv(text), format: 'csv' });

/** Runs every queued job through engineer B's processor, with a fake renderer and the campaign hooks. */
async function processAll(hooks = createCampaignHooks(h.redis)): Promise<number> {
  const ctx: RenderJobContext = {
    renderVideo: (async (request: { out: string }) => {
      await writeFile(request.out, 'fake mp4');
      return {};
    }) as unknown as RenderJobContext['renderVideo'],
    store: h.store,
    index: h.index,
    workDir: `${h.dir}/work`,
    onRendered: hooks.onRendered,
    onFailed: hooks.onFailed,
  };
  const jobs = await allJobs(h.renderQueue);
  for (const job of jobs) await processRenderJob(ctx, { id: job.id, data: job.data, attemptsMade: 0, attempts: 3 });
  return jobs.length;
}

describe('campaign fan-out from CSV', () => {
  it('counts every row, reports invalid rows by line, renders duplicates once and writes a complete manifest', async () => {
    const status = await create(CSV);
    expect(status.id).toMatch(/^cmp_[a-z2-7]{20}$/);
    expect(status.state).toBe('rendering');
    expect(status.counts).toMatchObject({ total: 10, valid: 6, invalid: 4, renders: 8, queued: 8, cached: 0, rendered: 0, failed: 0 });
    expect(status.channelVariants).toEqual(['landscape', 'landscape', 'portrait']);

    // 4 distinct props x 2 variants (email and web share landscape).
    const jobs = await allJobs(h.renderQueue);
    expect(jobs).toHaveLength(8);
    for (const job of jobs) {
      expect(job.id).toMatch(/^[0-9a-f]{64}$/);
      expect(job.data.campaignId).toBe(status.id);
      expect(job.priority).toBe(10);
      expect(job.opts.attempts).toBe(3);
    }

    const { errors, invalid } = await h.campaigns.errors(status.id);
    expect(invalid).toBe(4);
    expect(errors.map((e) => e.line)).toEqual([5, 6, 7, 8]);
    expect(errors[0]).toMatchObject({ reason: 'invalid fields', issues: [{ path: 'points' }] });
    expect(errors[1]).toMatchObject({ reason: 'invalid fields', issues: [{ path: 'firstName' }] });
    expect(errors[2]).toMatchObject({ reason: 'invalid fields', issues: [{ path: 'recipientId', message: 'required' }] });
    expect(errors[3]).toMatchObject({ reason: expect.stringMatching(/wrong number of columns/) });
    // Values are personal data: never stored in the report.
    const stored = JSON.stringify(errors);
    for (const value of ['12x', LONG_NAME, 'Dee', 'Eve']) expect(stored).not.toContain(value);

    const manifest = (await readAll(await h.campaigns.manifest(status.id, 'csv'))).trim().split('\n');
    expect(manifest[0]).toBe('recipientId,email_renderKey,email_url,web_renderKey,web_url,inapp_renderKey,inapp_url');
    const rows = manifest.slice(1).map((line) => line.split(','));
    expect(rows.map((r) => r[0])).toEqual(['r01', 'r02', 'r03', 'r08', 'r09', 'r10']);
    const jobIds = new Set(jobs.map((j) => j.id));
    for (const [, emailKey, emailUrl, webKey, , inappKey] of rows) {
      expect(webKey).toBe(emailKey);
      expect(inappKey).not.toBe(emailKey);
      expect(emailUrl).toBe(`/v1/outputs/${emailKey}`);
      expect(jobIds.has(emailKey!) && jobIds.has(inappKey!)).toBe(true);
    }
    expect(rows[2]![1]).toBe(rows[0]![1]); // r03 = r01
    expect(rows[4]![5]).toBe(rows[1]![5]); // r09 = r02

    const jsonl = (await readAll(await h.campaigns.manifest(status.id, 'jsonl'))).trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl).toHaveLength(6);
    expect(jsonl[3]).toEqual({
      recipientId: 'r08',
      channels: {
        email: { renderKey: rows[3]![1], url: `/v1/outputs/${rows[3]![1]}` },
        web: { renderKey: rows[3]![1], url: `/v1/outputs/${rows[3]![1]}` },
        inapp: { renderKey: rows[3]![5], url: `/v1/outputs/${rows[3]![5]}` },
      },
    });
  });

  it('fails loudly on a quote never closed, naming the line it opens on, with the rows before it counted', async () => {
    const text = [HEADER, 'r01,Ana,Silver,Gold,1,2,2015', 'r02,"Ben,Gold,Platinum,1,2,2015', 'r03,Cy,Silver,Gold,1,2,2015', ''].join('\n');
    let id = '';
    const err = await h.campaigns
      .create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: csv(text), format: 'csv', onCreated: (created) => (id = created) })
      .catch((e: unknown) => e);
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/line 3: a quote .* never closed/);
    const status = await h.campaigns.status(id);
    expect(status).toMatchObject({ state: 'failed', error: 'INVALID_ARGUMENT', errorMessage: expect.stringMatching(/line 3/) });
    // The upload pass counts the rows before the bad quote; a file that cannot be read whole is never fanned out.
    expect(status.counts).toMatchObject({ total: 1, valid: 1, invalid: 0, renders: 0, queued: 0 });
  });

  it('counts renders through the worker hooks once each, and finishes', async () => {
    const created = await create(CSV);
    expect(await processAll()).toBe(8);
    let status: CampaignStatus = await h.campaigns.status(created.id);
    expect(status.state).toBe('done');
    expect(status.counts).toMatchObject({ renders: 8, rendered: 8, failed: 0 });
    expect(status.progress).toBe(1);
    expect(status.etaSeconds).toBe(0);
    expect(status.finishedAt).toBeDefined();

    // A hook that fires again (retry after the hook ran) or a late failure changes nothing.
    const hooks = createCampaignHooks(h.redis);
    const [job] = await allJobs(h.renderQueue);
    await hooks.onRendered(job!.data, job!.id!);
    await hooks.onFailed(job!.data, job!.id!);
    await hooks.onRendered({ campaignId: created.id, campaignChunk: 0 }, 'f'.repeat(64)); // not one of its keys
    status = await h.campaigns.status(created.id);
    expect(status.counts).toMatchObject({ rendered: 8, failed: 0 });
  });

  it('counts a failure once, and a later success moves it to rendered', async () => {
    const created = await create([HEADER, 'r01,Ana,Silver,Gold,1,2,2015', 'r02,Ben,Silver,Gold,3,4,2015'].join('\n'), ['email']);
    const hooks = createCampaignHooks(h.redis);
    const jobs = await allJobs(h.renderQueue);
    await hooks.onFailed(jobs[0]!.data, jobs[0]!.id!, new Error('x'));
    await hooks.onFailed(jobs[0]!.data, jobs[0]!.id!, new Error('x'));
    let status = await h.campaigns.status(created.id);
    expect(status.counts).toMatchObject({ renders: 2, rendered: 0, failed: 1 });
    expect(status.progress).toBe(0.5);
    expect(status.etaSeconds).toBeGreaterThanOrEqual(0);
    // The outcome rides in the key's own entry of its chunk's key hash (chunk 0, carried by the job), no set per outcome.
    const keysHash = `{mastercut}:cmp:${created.id}:keys:0`;
    expect(jobs.map((job) => job.data.campaignChunk)).toEqual([0, 0]);
    expect(await h.redis.hgetall(keysHash)).toEqual({ [jobs[0]!.id!]: 'f', [jobs[1]!.id!]: '', '#s': '1', '#n': '2' });
    await hooks.onRendered(jobs[0]!.data, jobs[0]!.id!);
    await hooks.onRendered(jobs[1]!.data, jobs[1]!.id!);
    await hooks.onFailed(jobs[1]!.data, jobs[1]!.id!, new Error('late'));
    status = await h.campaigns.status(created.id);
    expect(status.counts).toMatchObject({ rendered: 2, failed: 0 });
    expect(status.state).toBe('done');
    // Both keys of chunk 0 settled: its key hash is gone (the late failure found nothing to count).
    expect(await h.redis.exists(keysHash)).toBe(0);
  });

  it('keeps a key hash per fan-out chunk, deleted once its keys are settled; a later chunk dedupes through the jobs', async () => {
    await h.useFreshQueue({ chunkSize: 2 });
    // Ana's props again in the third chunk: her job, queued by chunk 0, makes that row a duplicate.
    const ana = 'Ana,Silver,Gold,4401,2,2015';
    const rows = [HEADER, `r01,${ana}`, 'r02,Ben,Silver,Gold,4403,4,2015', 'r03,Cy,Silver,Gold,4405,4,2015', 'r04,Dee,Silver,Gold,4407,4,2015', `r05,${ana}`];
    const created = await create(rows.join('\n'), ['email']);
    expect(created.counts).toMatchObject({ valid: 5, renders: 4, queued: 4, cached: 0 });
    const hashes = `{mastercut}:cmp:${created.id}:keys*`;
    // Chunk 2 claimed nothing new: no hash of its own.
    expect((await h.redis.keys(hashes)).sort()).toEqual([0, 1].map((i) => `{mastercut}:cmp:${created.id}:keys:${i}`));
    expect((await allJobs(h.renderQueue)).map((job) => job.data.campaignChunk).sort()).toEqual([0, 0, 1, 1]);
    await processAll();
    const status = await h.campaigns.status(created.id);
    expect(status.state).toBe('done');
    expect(status.counts).toMatchObject({ renders: 4, rendered: 4, failed: 0 });
    expect(await h.redis.keys(hashes)).toEqual([]);
  });

  it('counts a key repeated in the next chunk once, whether or not that chunk was claimed before the one before it was added', async () => {
    // One row per chunk: chunk k+1 is claimed before chunk k's addBulk is sent (the fan-out keeps three in flight).
    await h.useFreshQueue({ chunkSize: 1 });
    const ana = 'Ana,Silver,Gold,5501,2,2015';
    const ben = 'Ben,Silver,Gold,5503,4,2015';
    const rows = [HEADER, `r01,${ana}`, `r02,${ana}`, `r03,${ben}`, `r04,${ben}`, `r05,${ben}`, `r06,${ana}`];
    const created = await create(rows.join('\n'), ['email']);
    expect(created.counts).toMatchObject({ valid: 6, renders: 2, queued: 2, cached: 0 });
    const jobs = await allJobs(h.renderQueue);
    expect(jobs).toHaveLength(2);
    const manifest = (await readAll(await h.campaigns.manifest(created.id, 'csv'))).trim().split('\n').slice(1).map((line) => line.split(','));
    expect(manifest.map((r) => r[0])).toEqual(['r01', 'r02', 'r03', 'r04', 'r05', 'r06']);
    expect(new Set(manifest.map((r) => r[1]))).toEqual(new Set(jobs.map((j) => j.id)));
    await processAll();
    const status = await h.campaigns.status(created.id);
    expect(status.state).toBe('done');
    expect(status.counts).toMatchObject({ renders: 2, rendered: 2, failed: 0 });
  });

  it("sends chunk k+1's claim to Redis before chunk k's addBulk, and queues every chunk once", async () => {
    await h.useFreshQueue({ chunkSize: 2 });
    // What reaches Redis, in order: a claim when queueNew is called (it sends the script before its
    // first await), an addBulk when BullMQ is asked for it.
    const sent: string[] = [];
    const deps = h.serviceDeps();
    const renders = { queueNew: (chunk: CampaignChunk, jobs: Map<string, PreparedRenderJob>) => (sent.push(`claim ${chunk.chunk}`), deps.renders.queueNew(chunk, jobs)) };
    const queue = h.renderQueue.queue;
    const addBulk = queue.addBulk.bind(queue);
    queue.addBulk = async (jobs) => (sent.push(`add ${jobs[0]!.data.campaignChunk}`), addBulk(jobs));
    const campaigns = createCampaignService({ ...deps, renders }, { chunkSize: 2 });
    const rows = [HEADER, ...[1, 2, 3, 4, 5, 6, 7].map((i) => `r0${i},Kim,Silver,Gold,${6600 + i},4,2015`)];
    const created = await campaigns.create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: csv(rows.join('\n')), format: 'csv' });
    queue.addBulk = addBulk;
    expect(sent).toEqual(['claim 0', 'claim 1', 'add 0', 'claim 2', 'add 1', 'claim 3', 'add 2', 'add 3']);
    expect(created.counts).toMatchObject({ valid: 7, renders: 7, queued: 7 });
    expect((await allJobs(h.renderQueue)).map((job) => job.data.campaignChunk).sort()).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it('does not queue renders that are already done, and settles renders another producer queued', async () => {
    const first = await create(CSV);
    await processAll();
    expect((await h.campaigns.status(first.id)).state).toBe('done');

    await h.useFreshQueue({ chunkSize: 4 });
    // One render of the next file is already queued by the API (no campaign id on that job).
    const api = await enqueueRender(
      { queue: h.renderQueue.queue, registry: h.registry, index: h.index, store: h.store },
      { templateId: 'loyalty-tier', variant: 'landscape', props: { firstName: 'Hal', currentTier: 'Gold', nextTier: 'Diamond', points: 7, pointsToNextTier: 8, memberSince: 2018 }, priorityClass: 'api' },
    );
    const second = await create(`${CSV}\nr11,Hal,Gold,Diamond,7,8,2018`, ['email']);
    // 4 old landscape renders are done already; Hal's joins the API's job. Ben's props come again in
    // chunk 2 (r09): a done render has no job to dedupe it by, and chunk 0's key hash is gone (all its
    // keys settled), so the row counts as one more cache hit (the documented cost of per-chunk key hashes).
    expect(second.counts).toMatchObject({ total: 11, valid: 7, renders: 6, cached: 5, rendered: 5, queued: 1 });
    const jobs = await allJobs(h.renderQueue);
    expect(jobs.map((j) => j.id)).toEqual([api.renderKey]);
    expect(jobs[0]!.data.campaignId).toBeUndefined();

    await processAll();
    const status = await h.campaigns.status(second.id);
    expect(status.counts).toMatchObject({ renders: 6, rendered: 6, failed: 0 });
    expect(status.state).toBe('done');
  });

  it('counts a render another producer added between the claim and the addBulk (the counting race)', async () => {
    await h.useFreshQueue();
    // The API queues Hal's render in the window between the campaign's claim (no job yet) and its addBulk:
    // BullMQ keeps the API's job (no campaign id), so the campaign's hooks will never fire for it.
    const queue = h.renderQueue.queue;
    const addBulk = queue.addBulk.bind(queue);
    let raced = '';
    queue.addBulk = async (jobs) => {
      const hal = jobs.find((job) => (job.data.props as { firstName?: string }).firstName === 'Hal')!;
      const api = await enqueueRender(
        { queue, registry: h.registry, index: h.index, store: h.store },
        { templateId: 'loyalty-tier', variant: 'landscape', props: hal.data.props, priorityClass: 'api' },
      );
      raced = api.renderKey;
      return addBulk(jobs);
    };
    // Props no other test of this file renders (a done render would be cached, never added).
    const created = await create(`${HEADER}\nr11,Hal,Gold,Diamond,707,8,2018\nr12,Ida,Gold,Diamond,909,8,2018`, ['email']);
    queue.addBulk = addBulk;
    expect(raced).not.toBe('');
    expect(created.counts).toMatchObject({ renders: 2, queued: 2 });
    const jobs = await allJobs(h.renderQueue);
    expect(jobs.find((job) => job.id === raced)!.data.campaignId).toBeUndefined();
    await processAll();
    // Settled from the output index: both renders counted, the campaign done.
    await expect.poll(async () => (await h.campaigns.status(created.id)).state, { timeout: 30_000 }).toBe('done');
    expect((await h.campaigns.status(created.id)).counts).toMatchObject({ renders: 2, rendered: 2, failed: 0 });
  });

  it('refuses a channel the template has no variant for, an unknown mode and an unknown template, storing nothing', async () => {
    const attempts: [string, () => Promise<unknown>][] = [
      ['INVALID_ARGUMENT', () => h.campaigns.create({ templateId: 'reference', channels: ['email', 'social'], mode: 'prerender', recipients: csv(CSV), format: 'csv' })],
      ['INVALID_ARGUMENT', () => h.campaigns.create({ templateId: 'loyalty-tier', channels: ['fax'], mode: 'prerender', recipients: csv(CSV), format: 'csv' })],
      ['INVALID_ARGUMENT', () => h.campaigns.create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'lazy', recipients: csv(CSV), format: 'csv' })],
      ['TEMPLATE_NOT_FOUND', () => h.campaigns.create({ templateId: 'nope', channels: ['email'], mode: 'prerender', recipients: csv(CSV), format: 'csv' })],
    ];
    const before = await h.redis.keys('{mastercut}:cmp:*');
    for (const [code, attempt] of attempts) {
      const err = await attempt().catch((e: unknown) => e);
      expect(isAppError(err) && err.code).toBe(code);
    }
    const social = await attempts[0]![1]().catch((e: unknown) => e);
    expect((social as Error).message).toMatch(/no "square" variant.*"social"/);
    expect(await h.redis.keys('{mastercut}:cmp:*')).toEqual(before);
    // A variant override makes the landscape-only template fit every channel.
    const ok = await h.campaigns.create({ templateId: 'reference', channels: ['social'], variant: 'landscape', mode: 'prerender', recipients: csv('recipientId,name,points\nx1,Zoe,5\n'), format: 'csv' });
    expect(ok.counts).toMatchObject({ valid: 1, renders: 1 });
  });

  it('answers NOT_FOUND for an unknown campaign and INVALID_KEY for a malformed id', async () => {
    await expect(h.campaigns.status('cmp_aaaaaaaaaaaaaaaaaaaa')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.campaigns.manifest('../../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(h.campaigns.errors('cmp_AAAA')).rejects.toMatchObject({ code: 'INVALID_KEY' });
  });
});
