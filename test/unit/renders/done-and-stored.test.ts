import { describe, expect, it } from 'vitest';
import { lookupOutput, storedOutput, type OutputRecord } from '../../../src/renders/index.js';
import type { ObjectInfo } from '../../../src/storage/index.js';

const INFO: ObjectInfo = { key: 'renders/a.mp4', size: 10, contentType: 'video/mp4', etag: '"e"', modifiedAt: new Date(0) };

/** A store that holds `present` and counts what it was asked. */
function store(present: string[]) {
  const asked: string[] = [];
  return {
    asked,
    head: async (key: string) => {
      asked.push(key);
      return present.includes(key) ? INFO : undefined;
    },
  };
}

describe('done-and-stored', () => {
  it('needs the index to say done before it asks the store', async () => {
    const s = store(['renders/a.mp4']);
    expect(await storedOutput(s, undefined)).toBeUndefined();
    expect(await storedOutput(s, { state: 'rendering', storageKey: 'renders/a.mp4' })).toBeUndefined();
    expect(await storedOutput(s, { state: 'failed', storageKey: 'renders/a.mp4' })).toBeUndefined();
    expect(s.asked).toEqual([]);
  });

  it('needs the store to hold the object: an indexed output that is gone is not there', async () => {
    const s = store([]);
    expect(await storedOutput(s, { state: 'done', storageKey: 'renders/a.mp4' })).toBeUndefined();
    expect(s.asked).toEqual(['renders/a.mp4']);
  });

  it('answers the object when both agree; a producer may name the storage key itself', async () => {
    const s = store(['renders/a.mp4', 'renders/b.gif']);
    expect(await storedOutput(s, { state: 'done', storageKey: 'renders/a.mp4' })).toBe(INFO);
    expect(await storedOutput(s, { state: 'done' }, 'renders/b.gif')).toBe(INFO);
    expect(await storedOutput(s, { state: 'done' })).toBeUndefined();
  });

  it('lookupOutput reads the index once, then the store', async () => {
    const s = store(['renders/a.mp4']);
    const records = new Map<string, OutputRecord>([['k', { state: 'done', storageKey: 'renders/a.mp4' } as OutputRecord]]);
    let reads = 0;
    const index = { get: async (key: string) => (reads++, records.get(key)) };
    expect(await lookupOutput({ index, store: s }, 'k')).toBe(INFO);
    expect(await lookupOutput({ index, store: s }, 'other')).toBeUndefined();
    expect(reads).toBe(2);
  });
});
