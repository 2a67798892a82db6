import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { SourceEntry } from './source-entry.js';

/**
 * Streams JSON Lines as batches of entries, one input chunk at a time (the
 * next chunk is read only after the consumer handled the batch). Each
 * non-blank line must be one JSON object; a line that is not, or that is
 * longer than `maxLineBytes`, is reported with its line number and skipped,
 * and the lines after it still count.
 */
export async function* readJsonlRows(input: Readable, options: { maxLineBytes: number }): AsyncGenerator<SourceEntry[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  /** The current line outgrew the limit: drop its text until the next newline. */
  let oversized = false;

  const take = (text: string, batch: SourceEntry[]) => {
    lineNo++;
    if (oversized) {
      oversized = false;
      batch.push({ line: lineNo, error: 'line too long' });
      return;
    }
    const line = lineNo === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      batch.push({ line: lineNo, error: 'not valid JSON' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      batch.push({ line: lineNo, error: 'expected a JSON object' });
      return;
    }
    batch.push({ line: lineNo, row: value as Record<string, unknown> });
  };

  for await (const chunk of input) {
    const batch: SourceEntry[] = [];
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl), batch);
      start = nl + 1;
    }
    carry = text.slice(start);
    if (Buffer.byteLength(carry) > options.maxLineBytes) {
      oversized = true;
      carry = '';
    }
    if (batch.length > 0) yield batch;
  }
  const rest = carry + decoder.end();
  const batch: SourceEntry[] = [];
  if (rest.length > 0 || oversized) take(rest, batch);
  if (batch.length > 0) yield batch;
}
