import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { createRecordSplitter, readCsvRows, readJsonlRows, type SplitRecord, type UploadEntry } from '../../../src/uploads/index.js';
import { createCaseCounter, fuzzParameters } from '../../helpers/fuzz.js';
import { modelSplit, type ModelResult } from './reference-splitter.js';

/**
 * The row invariant of issue 13, as properties: every record of an upload
 * is accounted for exactly once, whatever the file holds and however it is
 * chunked. Checked against (1) what the generator wrote, for well-formed
 * files, and (2) an independent regex model of the rules (reference-splitter.ts),
 * for damaged ones: oversized records, mixed and bare CR endings, BOM, NUL
 * bytes, invalid UTF-8, stray and unbalanced quotes, a truncated last line.
 */

const cases = createCaseCounter();
afterAll(() => console.log(`record splitter properties: ${cases.total()} cases (${cases.summary()})`));

const ENDINGS = ['\n', '\r\n', '\r'] as const;

/** A field's bytes: letters, spaces, commas, quotes, line breaks, NUL, multi-byte and invalid UTF-8. */
const fieldBytes = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'Z', '1', '-', 'é', '€', '😀', ' ') },
      { weight: 2, arbitrary: fc.constantFrom(',', '"', '\n', '\r', '\r\n', '\t') },
      { weight: 1, arbitrary: fc.constantFrom('\0', '\uFFFD', '\xff') },
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts.map((p) => (p === '\xff' ? Buffer.from([0xff]) : Buffer.from(p)))));

const needsQuotes = (b: Buffer) => b.some((x) => x === 0x2c || x === 0x22 || x === 0x0a || x === 0x0d) || b.length === 0;
const quote = (b: Buffer) => Buffer.concat([Buffer.from('"'), Buffer.from(b.toString('latin1').replaceAll('"', '""'), 'latin1'), Buffer.from('"')]);

/** A well-formed CSV file and what it holds. */
const wellFormedCsv = fc
  .record({
    bom: fc.boolean(),
    width: fc.integer({ min: 1, max: 5 }),
    rows: fc.array(fc.array(fieldBytes, { minLength: 5, maxLength: 5 }), { maxLength: 12 }),
    endings: fc.array(fc.constantFrom(...ENDINGS), { minLength: 13, maxLength: 13 }),
    blankAfter: fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
    trailing: fc.boolean(),
  })
  .map(({ bom, width, rows, endings, blankAfter, trailing }) => {
    const records = rows.map((row) => row.slice(0, width));
    const parts: Buffer[] = bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
    records.forEach((record, r) => {
      // Quote what must be quoted (and, for an all-blank single field, always: it would read as a blank line).
      const encoded = record.map((f) => (needsQuotes(f) || (record.length === 1 && /^[ \t]*$/.test(f.toString('latin1'))) ? quote(f) : f));
      parts.push(Buffer.concat(encoded.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(','), f]))));
      if (r < records.length - 1 || trailing) parts.push(Buffer.from(endings[r]!));
      if (blankAfter[r] && (r < records.length - 1 || trailing)) parts.push(Buffer.from(`  ${endings[r]}`));
    });
    return { bytes: Buffer.concat(parts), records };
  });

/** Damage applied to bytes: a stray quote, a cut, an oversized run, a NUL, an invalid byte. */
const damage = fc.array(
  fc.record({
    kind: fc.constantFrom('quote', 'cut', 'big', 'nul', 'invalid', 'cr'),
    at: fc.nat(),
    size: fc.integer({ min: 1, max: 300 }),
  }),
  { maxLength: 3 },
);

function damaged(bytes: Buffer, edits: { kind: string; at: number; size: number }[]): Buffer {
  let out = bytes;
  for (const { kind, at, size } of edits) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    const insert = (b: Buffer) => (out = Buffer.concat([out.subarray(0, i), b, out.subarray(i)]));
    if (kind === 'cut') out = out.subarray(0, i);
    else if (kind === 'quote') insert(Buffer.from('"'));
    else if (kind === 'big') insert(Buffer.alloc(size, 0x78));
    else if (kind === 'nul') insert(Buffer.from([0]));
    else if (kind === 'invalid') insert(Buffer.from([0xc3]));
    else insert(Buffer.from('\r'));
  }
  return out;
}

/** Splits bytes at random points (1-byte chunks included) to prove chunking changes nothing. */
const cuts = fc.array(fc.nat(), { maxLength: 8 });
function chunked(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => (bytes.length === 0 ? 0 : p % bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function runSplitter(chunks: Buffer[], mode: 'csv' | 'lines', max: number): { records: SplitRecord[]; fatalLine?: number; fatalFrom?: number } {
  const splitter = createRecordSplitter({ mode, maxRecordBytes: max });
  const records: SplitRecord[] = [];
  for (const chunk of chunks) records.push(...splitter.push(chunk));
  try {
    records.push(...splitter.end());
  } catch (err) {
    if (!isAppError(err, 'INVALID_ARGUMENT')) throw err;
    return { records, fatalLine: err.details.line as number, fatalFrom: err.details.fromLine as number };
  }
  return { records };
}

/** The splitter's output in the model's terms. */
function asModel(result: { records: SplitRecord[]; fatalLine?: number; fatalFrom?: number }): ModelResult {
  const records = result.records.map((r) => {
    if (r.fields) {
      const warnings = [...(r.warnings.some((w) => /NUL/.test(w)) ? ['nul'] : []), ...(r.warnings.some((w) => /UTF-8/.test(w)) ? ['utf8'] : [])];
      return { line: r.line, endLine: r.endLine, fields: r.fields, warnings };
    }
    return { line: r.line, endLine: r.endLine, error: /too large/.test(r.error!) ? ('size' as const) : ('quote' as const) };
  });
  return result.fatalLine === undefined ? { records } : { records, fatalLine: result.fatalLine, fatalFrom: result.fatalFrom! };
}

/** Records never overlap, go forward, and every line no record covers is blank (or the file's end). */
function checkLineCoverage(bytes: Buffer, result: ModelResult): void {
  const lines = bytes.toString('latin1').replace(/^\xef\xbb\xbf/, '').split(/\r\n|\r|\n/);
  let next = 1;
  for (const r of result.records) {
    expect(r.line).toBeGreaterThanOrEqual(next);
    for (let l = next; l < r.line; l++) expect(lines[l - 1]).toMatch(/^[ \t]*$/);
    expect(r.endLine).toBeGreaterThanOrEqual(r.line);
    next = r.endLine + 1;
  }
  const last = result.fatalFrom ?? lines.length + 1;
  for (let l = next; l < last; l++) expect(lines[l - 1]).toMatch(/^[ \t]*$/);
}

const settings = fuzzParameters(300);

describe('record splitter (property)', () => {
  it('a well-formed CSV gives back exactly the records and fields written, whatever the chunking', () => {
    fc.assert(
      fc.property(
        wellFormedCsv,
        cuts,
        cases.count('well-formed csv', ({ bytes, records }, points) => {
          const out = runSplitter(chunked(bytes, points), 'csv', 1 << 20);
          expect(out.fatalLine).toBeUndefined();
          expect(out.records.map((r) => r.fields?.map((f) => Buffer.from(f)))).toEqual(records.map((rec) => rec.map((f) => Buffer.from(f.toString('utf8')))));
        }),
      ),
      settings,
    );
  });

  it('any damage: the same records as the independent model, each line covered once, whatever the chunking', () => {
    fc.assert(
      fc.property(
        wellFormedCsv,
        damage,
        cuts,
        fc.integer({ min: 8, max: 120 }),
        fc.constantFrom('csv', 'lines') as fc.Arbitrary<'csv' | 'lines'>,
        cases.count('damaged', ({ bytes }, edits, points, max, mode) => {
          const file = damaged(bytes, edits);
          const model = modelSplit(file, mode, max);
          const got = asModel(runSplitter(chunked(file, points), mode, max));
          expect(got).toEqual(model);
          checkLineCoverage(file, got);
        }),
      ),
      settings,
    );
  });

  it('readCsvRows and readJsonlRows: valid + invalid = the model\'s records (less the header), or a loud failure naming the model\'s line', async () => {
    await fc.assert(
      fc.asyncProperty(
        wellFormedCsv,
        damage,
        cuts,
        fc.constantFrom('csv', 'jsonl') as fc.Arbitrary<'csv' | 'jsonl'>,
        cases.count('rows', async ({ bytes }, edits, points, format) => {
          const file = damaged(bytes, edits);
          const model = modelSplit(file, format === 'csv' ? 'csv' : 'lines', 100);
          const read = format === 'csv' ? readCsvRows : readJsonlRows;
          const entries: UploadEntry[] = [];
          let failure: unknown;
          try {
            for await (const batch of read(Readable.from(chunked(file, points)), { maxRecordBytes: 100 })) entries.push(...batch);
          } catch (err) {
            failure = err;
          }
          const rows = entries.filter((e) => e.kind !== 'warning');
          const header = format === 'csv' ? 1 : 0;
          if (format === 'csv' && model.records.length > 0 && !('fields' in model.records[0]!)) {
            // A header that cannot be read fails loudly too, naming its line.
            expect(isAppError(failure, 'INVALID_ARGUMENT')).toBe(true);
            expect((failure as Error).message).toContain(`line ${model.records[0]!.line}:`);
            return;
          }
          if (model.fatalLine !== undefined) {
            expect(isAppError(failure, 'INVALID_ARGUMENT')).toBe(true);
            expect((failure as Error).message).toContain(`line ${model.fatalLine}:`);
          } else expect(failure).toBeUndefined();
          const expected = Math.max(0, model.records.length - header);
          expect(rows.length).toBe(expected);
          expect(rows.map((r) => r.line)).toEqual(model.records.slice(header).map((r) => r.line));
        }),
      ),
      settings,
    );
  });
});
