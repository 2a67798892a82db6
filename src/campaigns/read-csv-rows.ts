import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { SourceEntry } from './source-entry.js';

/** Reasons for records csv-parse refuses; fixed text, because its own messages quote the values. */
const CSV_REASONS: Record<string, string> = {
  CSV_RECORD_INCONSISTENT_COLUMNS: 'malformed CSV row: wrong number of columns',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'malformed CSV row: wrong number of columns',
  CSV_QUOTE_NOT_CLOSED: 'malformed CSV: a quote opened here is never closed (the rest of the file is one broken record)',
  INVALID_OPENING_QUOTE: 'malformed CSV row: a quote inside an unquoted field',
  CSV_INVALID_CLOSING_QUOTE: 'malformed CSV row: text after a closing quote',
  CSV_MAX_RECORD_SIZE: 'malformed CSV row: record too large',
};

/**
 * Streams CSV records (first line = header) as batches of entries, in file
 * order, one input chunk at a time. Records and refused rows are collected
 * synchronously from csv-parse's `on_record`/`on_skip` hooks while a chunk is
 * written, so they keep their order, and the next chunk is only read once the
 * consumer has handled the batch: the upload is never read ahead of the
 * queue. Line numbers are 1-based file lines where the record starts.
 */
export async function* readCsvRows(input: Readable, options: { maxRecordBytes: number }): AsyncGenerator<SourceEntry[]> {
  let batch: SourceEntry[] = [];
  let failure: Error | undefined;
  // Where the previous record ended, and how many empty lines had been
  // skipped then: a record starts on the next line that is not empty. (The
  // `raw` option would say it too, at the cost of a string per record.)
  let lastEnd = 1;
  let lastEmpty = 0;
  const startOf = (endLine: number, emptyLines: number) => {
    const start = Math.min(endLine, lastEnd + 1 + (emptyLines - lastEmpty));
    lastEnd = endLine;
    lastEmpty = emptyLines;
    return start;
  };
  const parser = parse({
    columns: true,
    bom: true,
    // No `trim`: it costs a third of the parse; coercion trims cells.
    skip_empty_lines: true,
    // A row with the wrong column count is reported, never fatal, never padded.
    relax_column_count: false,
    skip_records_with_error: true,
    max_record_size: options.maxRecordBytes,
    on_record: (record: Record<string, string>, context) => {
      batch.push({ line: startOf(context.lines, context.empty_lines), row: record });
      return null; // Collected above; nothing goes down the stream.
    },
    on_skip: (err: CsvError | undefined) => {
      const end = typeof err?.lines === 'number' ? err.lines : lastEnd + 1;
      const line = startOf(end, typeof err?.empty_lines === 'number' ? err.empty_lines : lastEmpty);
      batch.push({
        line,
        endLine: end > line ? end : undefined,
        error: CSV_REASONS[err?.code ?? ''] ?? 'malformed CSV row',
      });
    },
  });
  parser.on('error', (err) => (failure = err));
  const ended = new Promise<void>((resolve) => parser.once('end', resolve).once('error', () => resolve()));
  parser.resume();
  try {
    for await (const chunk of input) {
      parser.write(chunk as Buffer);
      if (failure) throw failure;
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        yield out;
      }
    }
    parser.end();
    await ended;
    if (failure) throw failure;
    if (batch.length > 0) yield batch;
  } finally {
    parser.destroy();
  }
}
