import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { startCampaignHarness, type CampaignHarness } from './campaign-harness.js';

/**
 * Issue 13, defects 1-3: every record of an upload is accounted for exactly
 * once (valid, or invalid with its line and reason), whatever the file holds.
 * The files are the ones the adversarial pass sent.
 */

const HEADER = 'recipientId,firstName,currentTier,nextTier,points,pointsToNextTier,memberSince';
const row = (id: string, name = 'Ana') => `${id},${name},Silver,Gold,1,2,2015`;

let h: CampaignHarness;

beforeAll(async () => {
  h = await startCampaignHarness();
});
afterAll(async () => h?.close());
beforeEach(async () => h.useFreshQueue());

const create = (body: string | Buffer, chunks = 1) => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const size = Math.ceil(bytes.length / chunks);
  const parts = Array.from({ length: chunks }, (_, i) => bytes.subarray(i * size, (i + 1) * size)).filter((p) => p.length > 0);
  return h.campaigns.create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: Readable.from(parts), format: 'csv' });
};

const manifestIds = async (id: string) => {
  let text = '';
  for await (const chunk of await h.campaigns.manifest(id, 'csv')) text += String(chunk);
  return text.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
};

describe('defect 1: an oversized record loses nothing after it', () => {
  it('a 70,000-character field is one invalid row; g-2..g-5 are all queued', async () => {
    const text = [HEADER, row('g-1'), row('big', 'x'.repeat(70_000)), row('g-2'), row('g-3'), row('g-4'), row('g-5')].join('\n');
    const status = await create(text, 7);
    expect(status.counts).toMatchObject({ total: 6, valid: 5, invalid: 1 });
    const { errors } = await h.campaigns.errors(status.id);
    expect(errors).toEqual([{ line: 3, reason: expect.stringMatching(/record too large/) }]);
    expect(await manifestIds(status.id)).toEqual(['g-1', 'g-2', 'g-3', 'g-4', 'g-5']);
  });

  it('a 1 MB field is one invalid row, however the upload is chunked', async () => {
    const text = [HEADER, row('g-1'), row('big', 'y'.repeat(1024 * 1024)), row('g-2'), row('g-3')].join('\r\n');
    const status = await create(text, 37);
    expect(status.counts).toMatchObject({ total: 4, valid: 3, invalid: 1 });
    expect((await h.campaigns.errors(status.id)).errors).toEqual([{ line: 3, reason: expect.stringMatching(/record too large/) }]);
  });

  it('a quoted multi-line field over the limit is one invalid row spanning its lines', async () => {
    const big = `"${'z'.repeat(40_000)}\n${'z'.repeat(40_000)}"`;
    const text = [HEADER, row('g-1'), `big,${big},Silver,Gold,1,2,2015`, row('g-2')].join('\n');
    const status = await create(text, 5);
    expect(status.counts).toMatchObject({ total: 3, valid: 2, invalid: 1 });
    expect((await h.campaigns.errors(status.id)).errors).toEqual([{ line: 3, endLine: 4, reason: expect.stringMatching(/record too large/) }]);
  });

  it('a header over the limit fails the campaign loudly, naming line 1', async () => {
    const text = [`${HEADER},${'h'.repeat(70_000)}`, row('g-1'), row('g-2')].join('\n');
    const err = await create(text).catch((e: unknown) => e);
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/line 1/);
  });
});

describe('defect 2: mixed line endings never merge rows', () => {
  it('a CRLF header and LF rows: five valid rows', async () => {
    const text = `${HEADER}\r\n${['g-1', 'g-2', 'g-3', 'g-4', 'g-5'].map((id) => row(id)).join('\n')}\n`;
    const status = await create(text);
    expect(status.counts).toMatchObject({ total: 5, valid: 5, invalid: 0 });
  });

  it('bare CR, LF and CRLF in one file, split between CR and LF across chunks', async () => {
    const text = `${HEADER}\r${row('g-1')}\n${row('g-2')}\r\n${row('g-3')}\r${row('g-4')}\r\n`;
    const cut = text.indexOf('\r\n') + 1;
    const status = await h.campaigns.create({
      templateId: 'loyalty-tier',
      channels: ['email'],
      mode: 'prerender',
      recipients: Readable.from([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))]),
      format: 'csv',
    });
    expect(status.counts).toMatchObject({ total: 4, valid: 4, invalid: 0 });
    expect(await manifestIds(status.id)).toEqual(['g-1', 'g-2', 'g-3', 'g-4']);
  });
});

describe('defect 3: an unbalanced quote counts every line once', () => {
  it('a quote inside an unquoted field: that row is invalid, the four others valid', async () => {
    const text = [HEADER, row('g-1'), row('g-2'), row('g-3', 'Ken"ji'), row('g-4'), row('g-5')].join('\n');
    const status = await create(text);
    expect(status.counts).toMatchObject({ total: 5, valid: 4, invalid: 1 });
    expect((await h.campaigns.errors(status.id)).errors).toEqual([{ line: 4, reason: expect.stringMatching(/quote/) }]);
  });

  it('an opening quote closed lines later: one invalid record covering those lines, the rest valid', async () => {
    const text = [HEADER, row('g-1'), 'g-2,"Ben,Silver,Gold,1,2,2015', row('g-3'), 'g-4,Cy",Silver,Gold,1,2,2015', row('g-5')].join('\n');
    const status = await create(text);
    expect(status.counts.valid + status.counts.invalid).toBe(status.counts.total);
    expect(status.counts).toMatchObject({ total: 3, valid: 2, invalid: 1 });
    const { errors } = await h.campaigns.errors(status.id);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 3, endLine: 5 });
    expect(await manifestIds(status.id)).toEqual(['g-1', 'g-5']);
  });

  it('an opening quote never closed: the campaign fails loudly naming its line; rows before it are kept', async () => {
    const text = [HEADER, row('g-1'), row('g-2'), 'g-3,"Kenji,Silver,Gold,1,2,2015', row('g-4'), row('g-5')].join('\n');
    let id = '';
    const err = await h.campaigns
      .create({ templateId: 'loyalty-tier', channels: ['email'], mode: 'prerender', recipients: Readable.from([Buffer.from(text)]), format: 'csv', onCreated: (c) => (id = c) })
      .catch((e: unknown) => e);
    expect(isAppError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/line 4/);
    const status = await h.campaigns.status(id);
    expect(status.state).toBe('failed');
    expect(status.counts).toMatchObject({ total: 2, valid: 2, invalid: 0 });
  });
});

describe('warnings instead of silent acceptance', () => {
  it('NUL bytes, invalid UTF-8 and duplicate columns are reported as warnings; the rows still count once', async () => {
    const body = Buffer.concat([
      Buffer.from(`\uFEFF${HEADER},firstName\n`),
      Buffer.from(`${row('g-1')},Ann\n`),
      Buffer.from(`g-2,B\0b,Silver,Gold,1,2,2015,x\n`),
      Buffer.from('g-3,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(',Silver,Gold,1,2,2015,y\n'),
    ]);
    const status = await create(body);
    expect(status.counts).toMatchObject({ total: 3, valid: 3, invalid: 0, warnings: 3 });
    const { errors } = await h.campaigns.errors(status.id);
    expect(errors).toEqual([
      { line: 1, warning: expect.stringMatching(/duplicate column/) },
      { line: 3, warning: expect.stringMatching(/NUL/) },
      { line: 4, warning: expect.stringMatching(/UTF-8/) },
    ]);
    // The first of two same-named columns is the one used.
    const [job] = await h.renderQueue.queue.getJobs(['prioritized', 'waiting']);
    expect(job).toBeDefined();
  });
});
