import type { Readable } from 'node:stream';
import { AppError } from '../errors/index.js';
import { createRecordSplitter, type SplitRecord } from './record-splitter.js';
import { recordSpan, type UploadEntry } from './upload-entry.js';

/**
 * Streams a CSV upload (first record = header) as batches of entries, in
 * file order, one input chunk at a time: the next chunk is read only once
 * the consumer has handled the batch, so the upload is never read ahead of
 * what the consumer stored. Every record after the header becomes exactly
 * one `row` or `invalid` entry (see createRecordSplitter for how records
 * are delimited); warnings come before the record they are about.
 *
 * A header that cannot be used (too large, malformed, a quote never closed)
 * throws INVALID_ARGUMENT naming its line: without columns no row can be
 * read. Of two columns with the same name the first is used, with a
 * warning (columns are named by position, never by their text: a file
 * without a header would otherwise put a customer's data in the report).
 */
export async function* readCsvRows(input: Readable, options: { maxRecordBytes: number }): AsyncGenerator<UploadEntry[]> {
  const splitter = createRecordSplitter({ mode: 'csv', maxRecordBytes: options.maxRecordBytes });
  let columns: string[] | undefined;
  /** Field index -> column name; undefined for the later copies of a duplicated name. */
  let used: (string | undefined)[] = [];

  const toEntries = (records: SplitRecord[]): UploadEntry[] => {
    const batch: UploadEntry[] = [];
    for (const record of records) {
      const span = recordSpan(record);
      for (const warning of record.warnings) batch.push({ kind: 'warning', ...span, warning });
      if (!columns) {
        if (!record.fields) {
          throw new AppError('INVALID_ARGUMENT', `line ${record.line}: the header row cannot be read (${record.error}); no row was read`, {
            details: { line: record.line, issues: [{ path: `line ${record.line}`, message: `header: ${record.error}` }] },
          });
        }
        columns = record.fields;
        used = columns.map((name, i) => {
          const first = columns!.indexOf(name);
          if (first === i) return name;
          batch.push({ kind: 'warning', ...span, warning: `duplicate column: columns ${first + 1} and ${i + 1} have the same name; column ${first + 1} is used` });
          return undefined;
        });
        continue;
      }
      if (!record.fields) batch.push({ kind: 'invalid', ...span, reason: record.error! });
      else if (record.fields.length !== columns.length) {
        batch.push({ kind: 'invalid', ...span, reason: `malformed CSV row: wrong number of columns (${record.fields.length}, the header has ${columns.length})` });
      } else {
        // A plain object, as JSON.parse gives for JSON Lines: rows of one file share one shape (V8 keeps
        // them fast; a null-prototype object is a slow dictionary). A column named `__proto__` is defined
        // as an own key, not set (that would be the prototype setter): it is refused later as a column name.
        const row: Record<string, unknown> = {};
        const fields = record.fields;
        for (let i = 0; i < fields.length; i++) {
          const name = used[i];
          if (name === undefined) continue;
          if (name === '__proto__') Object.defineProperty(row, name, { value: fields[i], enumerable: true, writable: true, configurable: true });
          else row[name] = fields[i];
        }
        batch.push(span.endLine === undefined ? { kind: 'row', line: span.line, row } : { kind: 'row', line: span.line, endLine: span.endLine, row });
      }
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
