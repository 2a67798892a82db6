import type { Readable } from 'node:stream';
import { createRecordSplitter, type SplitRecord } from './record-splitter.js';
import { recordSpan, type UploadEntry } from './upload-entry.js';

/**
 * Streams JSON Lines as batches of entries, one input chunk at a time (the
 * next chunk is read only after the consumer handled the batch). Each
 * non-blank line is one record and must be one JSON object; a line that is
 * not, or that is longer than `maxRecordBytes`, is an `invalid` entry with
 * its line number, and the lines after it still count. Lines end at LF,
 * CRLF or a bare CR (a raw CR cannot occur inside a JSON string), the same
 * line numbering as CSV uploads.
 */
export async function* readJsonlRows(input: Readable, options: { maxRecordBytes: number }): AsyncGenerator<UploadEntry[]> {
  const splitter = createRecordSplitter({ mode: 'lines', maxRecordBytes: options.maxRecordBytes });

  const toEntries = (records: SplitRecord[]): UploadEntry[] => {
    const batch: UploadEntry[] = [];
    for (const record of records) {
      const span = recordSpan(record);
      for (const warning of record.warnings) batch.push({ kind: 'warning', ...span, warning });
      if (!record.fields) {
        batch.push({ kind: 'invalid', ...span, reason: record.error! });
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(record.fields[0]!);
      } catch {
        batch.push({ kind: 'invalid', ...span, reason: 'not valid JSON' });
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) batch.push({ kind: 'invalid', ...span, reason: 'expected a JSON object' });
      else batch.push({ kind: 'row', ...span, row: value as Record<string, unknown> });
    }
    return batch;
  };

  for await (const chunk of input) {
    const batch = toEntries(splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)));
    if (batch.length > 0) yield batch;
  }
  const last = toEntries(splitter.end());
  if (last.length > 0) yield last;
}
