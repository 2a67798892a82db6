import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignKeys, createCampaignService, type CampaignService } from '../../../src/campaigns/index.js';
import { allJobs, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

// Rows of erased recipients are refused at fan-out time. The erasure check rides to Redis with the
// window check; a chunk that had to wait for room is checked again, so an erase during the wait counts.
const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';
const file = (ids: string[]) => Readable.from([`${HEADER}\n${ids.map((id, i) => `${id},Ann,Silver,Gold,${i},5,2015`).join('\n')}\n`]);

let h: CampaignHarness;
const gone = new Set<string>();
let lookups = 0;

beforeAll(async () => {
  h = await startCampaignHarness();
}, 120_000);
afterAll(async () => h?.close());

function service(options: { window?: number; chunkSize: number }): CampaignService {
  return createCampaignService(
    {
      ...h.serviceDeps(),
      erased: async (ids) => {
        lookups++;
        return ids.map((id) => gone.has(id));
      },
    },
    { ...options, windowPollMs: 20 },
  );
}

const manifestIds = async (campaigns: CampaignService, id: string) => {
  let text = '';
  for await (const chunk of await campaigns.manifest(id, 'csv')) text += String(chunk);
  return text.trim().split('\n').slice(1).map((line) => line.split(',')[0]);
};

describe('erased recipients at fan-out time', () => {
  it('refuses their rows: counted invalid with the reason, out of the manifest, no render queued for them', async () => {
    await h.useFreshQueue();
    gone.clear();
    gone.add('e-2').add('e-5');
    const campaigns = service({ chunkSize: 3 });
    const status = await campaigns.create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: file(['e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6', 'e-7']), format: 'csv' });
    expect(status.counts).toMatchObject({ total: 7, valid: 5, invalid: 2, queued: 5 });
    expect(await manifestIds(campaigns, status.id)).toEqual(['e-1', 'e-3', 'e-4', 'e-6', 'e-7']);
    const errors = await campaigns.errors(status.id);
    expect(errors.errors.map((e) => [e.line, 'reason' in e ? e.reason : ''])).toEqual([
      [3, expect.stringContaining('erased')],
      [6, expect.stringContaining('erased')],
    ]);
    expect((await allJobs(h.renderQueue)).length).toBe(5);
  });

  it('leaves a recipient erased after the fan-out out of the manifest, in both formats', async () => {
    await h.useFreshQueue();
    gone.clear();
    const campaigns = service({ chunkSize: 2 });
    const status = await campaigns.create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: file(['m-1', 'm-2', 'm-3']), format: 'csv' });
    expect(await manifestIds(campaigns, status.id)).toEqual(['m-1', 'm-2', 'm-3']);
    gone.add('m-2');
    expect(await manifestIds(campaigns, status.id)).toEqual(['m-1', 'm-3']);
    let jsonl = '';
    for await (const chunk of await campaigns.manifest(status.id, 'jsonl')) jsonl += String(chunk);
    expect(jsonl).not.toContain('m-2');
    expect(jsonl.trim().split('\n').map((line) => JSON.parse(line).recipientId)).toEqual(['m-1', 'm-3']);
  });

  it('checks a chunk again after it waited for room: a recipient erased during the wait is refused', async () => {
    await h.useFreshQueue();
    gone.clear();
    const campaigns = service({ window: 2, chunkSize: 2 });
    const accepted = await campaigns.accept(
      { templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: file(['w-1', 'w-2', 'w-3', 'w-4']), format: 'csv' },
      'none',
    );
    const run = campaigns.runFanOut(accepted.id, { windowed: true });
    // The first chunk fills the window; the second (w-3, w-4) waits, its first erasure check already answered.
    await expect.poll(async () => (await campaigns.status(accepted.id)).counts.queued, { timeout: 60_000 }).toBe(2);
    await expect.poll(() => lookups, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    gone.add('w-4');
    // The first chunk's renders settle (as the render hooks count them): room for the second.
    await h.redis.hincrby(campaignKeys(accepted.id).meta, 'rendered', 2);
    await run;
    const status = await campaigns.status(accepted.id);
    expect(status.counts).toMatchObject({ total: 4, valid: 3, invalid: 1, queued: 3 });
    expect(await manifestIds(campaigns, accepted.id)).toEqual(['w-1', 'w-2', 'w-3']);
  }, 120_000);
});
