import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignRouter } from '../../../src/api/routes/campaign-routes.js';
import { createCampaignService } from '../../../src/campaigns/index.js';
import { createRenders } from '../../../src/renders/index.js';
import { startApiHarness, type ApiHarness } from './api-harness.js';

/**
 * createApp mounts engineer D's campaign router at /v1/campaigns behind the
 * API key, and leaves its bodies (raw CSV uploads) to it. Campaign semantics
 * are D's tests; this checks the mount.
 */
describe('HTTP API: campaign routes mounted by createApp', () => {
  let api: ApiHarness;
  const campaignRouter = Router();
  beforeAll(async () => {
    api = await startApiHarness({ campaignRouter });
    const campaigns = createCampaignService({
      redis: api.renderQueue.connection,
      renders: createRenders({ queue: api.renderQueue.queue, redis: api.renderQueue.connection, index: api.index, store: api.store }),
      registry: api.registry,
      index: api.index,
      store: api.store,
      jobOptions: api.renderQueue.jobOptions,
    });
    campaignRouter.use(createCampaignRouter({ campaigns, redis: api.renderQueue.connection }));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('needs the API key', async () => {
    const res = await api.call('/v1/campaigns/cmp_aaaaaaaaaaaaaaaaaaaa', { auth: false });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('refuses malformed campaign ids with 400 and unknown ones with 404', async () => {
    expect((await api.raw('/v1/campaigns/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    expect((await api.call('/v1/campaigns/not-an-id')).status).toBe(400);
    const unknown = await api.call('/v1/campaigns/cmp_aaaaaaaaaaaaaaaaaaaa');
    expect(unknown.status).toBe(404);
  });

  it('streams a raw CSV upload through to the campaign service', async () => {
    const csv = 'recipientId,name,points\nr1,Ann,10\nr2,Ben,20\nr3,,-1\n';
    const res = await api.call('/v1/campaigns?templateId=reference&channels=web', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(body.counts).toMatchObject({ total: 3, valid: 2, invalid: 1 });
    const status = await api.call(`/v1/campaigns/${body.id}`);
    expect(status.status).toBe(200);
  });
});
