import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bulkUpsertProfiles, type ProfileStore } from '../../../src/recipients/index.js';

/** A store that only records what bulk upsert hands it. */
function fakeStore(maxBytes = 1024) {
  const written: { recipientId: string; json: string }[] = [];
  const batches: number[] = [];
  const store = {
    maxBytes,
    async putMany(profiles: readonly { recipientId: string; json: string; hash: string }[]) {
      if (profiles.length > 0) batches.push(profiles.length);
      written.push(...profiles.map(({ recipientId, json }) => ({ recipientId, json })));
    },
  } as unknown as ProfileStore;
  return { store, written, batches };
}

const body = (text: string) => Readable.from([Buffer.from(text)]);

describe('bulkUpsertProfiles', () => {
  it('CSV: a column that is both a value and an object, or an empty segment, makes rows invalid by line', async () => {
    const { store, written } = fakeStore();
    const report = await bulkUpsertProfiles(store, body('recipientId,a,a.b\nx-1,1,2\nx-2,,3\n'), { format: 'csv' });
    // x-1 sets a and a.b: refused; x-2 leaves a empty, so only a.b is set.
    expect(report).toMatchObject({ total: 2, valid: 1, invalid: 1, errors: [{ line: 2 }] });
    expect(written).toEqual([{ recipientId: 'x-2', json: '{"a":{"b":"3"}}' }]);
    const dots = await bulkUpsertProfiles(store, body('recipientId,a..b\nx-3,1\n'), { format: 'csv' });
    expect(dots).toMatchObject({ valid: 0, invalid: 1, errors: [{ line: 2, reason: expect.stringMatching(/empty segment/) }] });
  });

  it('counts every row, lists at most maxErrors, and writes in batches', async () => {
    const { store, written, batches } = fakeStore();
    const lines = ['recipientId,n'];
    for (let i = 0; i < 25; i++) lines.push(i % 5 === 0 ? `bad id ${i},1` : `ok-${i},${i}`);
    const report = await bulkUpsertProfiles(store, body(lines.join('\n')), { format: 'csv', batchSize: 4, maxErrors: 2 });
    expect(report).toEqual({ total: 25, valid: 20, invalid: 5, errors: [{ line: 2, reason: expect.any(String) }, { line: 7, reason: expect.any(String) }], errorsOmitted: 3 });
    expect(written).toHaveLength(20);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('JSON Lines: a row over the size bound is invalid, the rows after it still count', async () => {
    const { store, written } = fakeStore(64);
    const text = [JSON.stringify({ recipientId: 'a', big: 'x'.repeat(100) }), JSON.stringify({ recipientId: 'b', v: [1, { w: true }] })].join('\n');
    const report = await bulkUpsertProfiles(store, body(text), { format: 'jsonl' });
    expect(report).toMatchObject({ total: 2, valid: 1, invalid: 1, errors: [{ line: 1, reason: expect.stringMatching(/RECIPIENT_PROFILE_MAX_BYTES|at most 64/) }] });
    expect(written).toEqual([{ recipientId: 'b', json: '{"v":[1,{"w":true}]}' }]);
  });
});
