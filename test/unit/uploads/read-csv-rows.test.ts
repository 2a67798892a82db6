import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvRows, type UploadEntry } from '../../../src/uploads/index.js';

async function entriesOf(csv: string): Promise<UploadEntry[]> {
  const out: UploadEntry[] = [];
  for await (const batch of readCsvRows(Readable.from([Buffer.from(csv)]), { maxRecordBytes: 1024 })) out.push(...batch);
  return out;
}

describe('readCsvRows', () => {
  it('keeps a column named like a prototype key as an own field, never as the row object\'s prototype', async () => {
    const [entry] = await entriesOf('recipientId,__proto__,constructor,name\nm1,{},x,Ada\n');
    expect(entry).toMatchObject({ kind: 'row', line: 2 });
    const row = (entry as Extract<UploadEntry, { kind: 'row' }>).row;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['recipientId', '__proto__', 'constructor', 'name']);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('{}');
    expect(row.constructor).toBe('x');
  });

  it('gives a record over several lines its end line, and one on one line none', async () => {
    const entries = await entriesOf('recipientId,note\nm1,"two\nlines"\nm2,one\n');
    expect(entries).toEqual([
      { kind: 'row', line: 2, endLine: 3, row: { recipientId: 'm1', note: 'two\nlines' } },
      { kind: 'row', line: 4, row: { recipientId: 'm2', note: 'one' } },
    ]);
  });
});
