import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/errors/index.js';
import { createRecordSplitter, readCsvRows, readJsonlRows, type SplitRecord, type UploadEntry } from '../../../src/uploads/index.js';
import { createCaseCounter, fuzzParameters } from '../../helpers/fuzz.js';
import { modelSplit, type ModelResult } from '../../helpers/reference-splitter.js';
import { chunked, cuts, damage, damaged, wellFormedCsv } from '../../helpers/upload-arbitraries.js';

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
