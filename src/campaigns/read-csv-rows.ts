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
  const parser = parse({
    columns: true,
    bom: true,
    // No `trim`: it costs a third of the parse; coercion trims what it reads as numbers or ids.
    skip_empty_lines: true,
    // A row with the wrong column count is reported, never fatal, never padded.
    relax_column_count: false,
    skip_records_with_error: true,
    max_record_size: options.maxRecordBytes,
    raw: true,
    on_record: (value: { record: Record<string, string>; raw: string }, context) => {
      batch.push({ line: startLine(context.lines, value.raw), row: value.record });
      return null; // Collected above; nothing goes down the stream.
    },
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const lines = typeof err?.lines === 'number' ? err.lines : 0;
      const line = startLine(lines, raw);
      batch.push({
        line,
        endLine: lines > line ? lines : undefined,
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

/** Line where a record starts: its end line less the line breaks inside it (empty lines before it excluded). */
function startLine(endLine: number, raw: string | undefined): number {
  if (!raw) return endLine;
  const body = raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
  let breaks = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) breaks++;
  return Math.max(1, endLine - breaks);
}
