import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allJobs, readAll, startCampaignHarness, type CampaignHarness } from './campaign-harness.js';
import { recipientsObjectKey } from '../../../src/campaigns/index.js';

let h: CampaignHarness;

beforeAll(async () => {
  h = await startCampaignHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.useFreshQueue());

const member = { firstName: 'Ana', currentTier: 'Silver', nextTier: 'Gold', points: 1, pointsToNextTier: 2, memberSince: 2015 };

describe('campaign recipients sources', () => {
  it('reads JSON Lines: flat or nested props, a bad JSON line and a non-object line are reported, blank lines skipped', async () => {
    const lines = [
      JSON.stringify({ recipientId: 'j1', ...member }), // 1
      JSON.stringify({ recipientId: 'j2', props: { ...member, firstName: 'Ben' } }), // 2
      '{"recipientId": "j3", "firstName": "Cy", ', // 3: broken JSON
      '', // 4: blank
      '[1, 2]', // 5: not an object
      JSON.stringify({ id: 'j6', ...member, points: '12' }), // 6: JSON is typed, a string is not a number
      JSON.stringify({ id: 'j7', ...member }), // 7: same props as j1, `id` as the recipient column
    ];
    const status = await h.campaigns.create({
      templateId: 'loyalty-tier',
      channels: ['social'],
      mode: 'prerender',
      recipients: Readable.from([Buffer.from(lines.join('\r\n'))]),
      format: 'jsonl',
    });
    expect(status.counts).toMatchObject({ total: 6, valid: 3, invalid: 3, renders: 2, queued: 2 });
    const { errors } = await h.campaigns.errors(status.id);
    expect(errors).toEqual([
      { line: 3, reason: 'not valid JSON' },
      { line: 5, reason: 'expected a JSON object' },
      { line: 6, reason: 'invalid fields', issues: [{ path: 'points', message: expect.any(String) }] },
    ]);
    const manifest = (await readAll(await h.campaigns.manifest(status.id, 'csv'))).trim().split('\n');
    expect(manifest.map((l) => l.split(',')[0])).toEqual(['recipientId', 'j1', 'j2', 'j7']);
    expect(manifest[3]!.split(',')[1]).toBe(manifest[1]!.split(',')[1]);
    expect((await allJobs(h.renderQueue)).every((j) => j.data.variant === 'square')).toBe(true);
  });

  it('builds nested props from dotted CSV columns and coerces by the schema types', async () => {
    const csv = [
      'recipientId,firstName,memberTier,nightsStayed,pointsEarned,topDestination,cta.label,heroImageUrl',
      'y1,Ana,Gold,12,3400,Lisbon,Book now,',
      'y2,007,Gold,12,3400,Porto,Book now,', // a name that looks like a number stays text
      'y3,Cy,Gold,12,3400,Porto,,', // cta.label required: must not fall back to the preview default
    ].join('\n');
    const status = await h.campaigns.create({
      templateId: 'year-recap',
      channels: ['web'],
      mode: 'prerender',
      recipients: Readable.from([csv]),
      format: 'csv',
    });
    expect(status.counts).toMatchObject({ total: 3, valid: 2, invalid: 1, renders: 2 });
    const jobs = await allJobs(h.renderQueue);
    const props = jobs.map((j) => j.data.props).sort((a, b) => String(a.firstName).localeCompare(String(b.firstName)));
    expect(props[0]).toMatchObject({ firstName: '007', nightsStayed: 12, pointsEarned: 3400, cta: { label: 'Book now' } });
    expect(props[1]).toMatchObject({ firstName: 'Ana', topDestination: 'Lisbon' });
    expect(props[1]).not.toHaveProperty('heroImageUrl');
    const { errors } = await h.campaigns.errors(status.id);
    expect(errors).toEqual([{ line: 4, reason: 'invalid fields', issues: [{ path: 'cta.label', message: 'required' }] }]);
  });

  it('streams a 20,000-row file into the store, then queues every row from the stored file', async () => {
    const rows = 20_000;
    let produced = 0;
    async function* generate() {
      yield 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince\n';
      for (let i = 0; i < rows; i += 100) {
        let chunk = '';
        for (let j = i; j < i + 100; j++) chunk += `m${j},Member,Silver,Gold,${j},${rows - j},2015\n`;
        produced += 100;
        yield chunk;
      }
    }
    // The fan-out reads the stored copy in chunks (one addBulk each), never the upload itself.
    let queuedRows = 0;
    let bulks = 0;
    const queue = h.renderQueue.queue;
    const addBulk = queue.addBulk.bind(queue);
    queue.addBulk = async (jobs) => {
      queuedRows += jobs.length;
      bulks++;
      expect(produced).toBe(rows);
      return addBulk(jobs);
    };
    const status = await h.campaigns.create({
      templateId: 'loyalty-tier',
      channels: ['email'],
      mode: 'prerender',
      recipients: Readable.from(generate()),
      format: 'csv',
    });
    expect(status.counts).toMatchObject({ total: rows, valid: rows, invalid: 0, renders: rows, queued: rows });
    expect(await queue.getJobCountByTypes('prioritized', 'waiting')).toBe(rows);
    expect((await readAll(await h.campaigns.manifest(status.id, 'csv'))).trim().split('\n')).toHaveLength(rows + 1);
    expect(queuedRows).toBe(rows);
    expect(bulks).toBe(rows / 500);
    // The stored copy (personal data) is gone once every row is in the manifest.
    expect(await h.store.head(recipientsObjectKey(status.id, 'csv'))).toBeUndefined();
  });
});
