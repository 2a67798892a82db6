import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignService, type CampaignService } from '../../../src/campaigns/index.js';
import { createStoredProps, parseLiveKeyring, sealLiveToken } from '../../../src/live/index.js';
import { createProfileStore } from '../../../src/recipients/index.js';
import { TEST_LIVE_KEYS } from '../../helpers/worker-process.js';
import { allJobs, harnessDeps, readAll, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

/**
 * Sticky campaigns read each recipient's profile twice: when the upload is
 * counted, and when the stored file is fanned out. A profile pushed or
 * deleted in between must never make counts, reports and manifest disagree:
 * the upload's "no profile" verdict stands, and a row whose profile vanished
 * is moved to invalid with its line.
 */

let h: CampaignHarness;
let campaigns: CampaignService;
const profiles = () => createProfileStore(h.redis, { maxBytes: 16_384 });
const profile = (first: string) => ({ name: { first }, loyalty: { tier: 'Silver', nextTier: 'Gold', points: 10, pointsToNextTier: 5, memberSince: 2020 } });

beforeAll(async () => {
  h = await startCampaignHarness();
  const store = profiles();
  const keyring = parseLiveKeyring({ keys: TEST_LIVE_KEYS });
  const storedProps = createStoredProps(h.redis, { ttlSeconds: 3600 });
  campaigns = createCampaignService({
    ...harnessDeps(h),
    recipients: { current: (id) => store.get(id) },
    live: {
      storeProps: (props, recipientId) => storedProps.put(props, { recipientId }),
      linkUrl: (input) => `/l/${sealLiveToken(keyring, input, { ttlSeconds: 3600 })}`,
      rememberOnUpdate: async () => undefined,
    },
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('sticky campaign: profiles that change between the upload and the fan-out', () => {
  it('keeps the upload verdicts: a late profile is not rendered, a vanished one is moved to invalid', async () => {
    const store = profiles();
    await store.put('pass-keep', profile('Kim'));
    await store.put('pass-gone', profile('Gil'));
    const csv = 'recipientId\npass-keep\npass-late\npass-gone\n';
    const accepted = await campaigns.accept(
      { templateId: 'loyalty-tier', channels: ['web'], mode: 'prerender', links: 'sticky', recipients: Readable.from([csv]), format: 'csv' },
      'none',
    );
    expect(accepted.counts).toMatchObject({ total: 3, valid: 2, invalid: 1 });
    // Between the passes: pass-late gets a profile, pass-gone loses its own.
    await store.put('pass-late', profile('Lou'));
    await store.delete('pass-gone');
    await campaigns.runFanOut(accepted.id);

    const status = await campaigns.status(accepted.id);
    expect(status.counts).toMatchObject({ total: 3, valid: 1, invalid: 2, renders: 1 });
    const manifest = (await readAll(await campaigns.manifest(accepted.id))).trim().split('\n');
    expect(manifest.slice(1).map((row) => row.split(',')[0])).toEqual(['pass-keep']);
    expect((await campaigns.errors(accepted.id)).errors).toEqual([
      { line: 3, reason: expect.stringContaining('no profile') },
      { line: 4, reason: expect.stringContaining('no profile') },
    ]);
    const firstNames = (await allJobs(h.renderQueue)).filter((j) => j?.data?.campaignId === accepted.id).map((j) => (j.data.props as { firstName: string }).firstName);
    expect(firstNames).toEqual(['Kim']);
  });
});
