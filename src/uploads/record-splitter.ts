import { AppError } from '../errors/index.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const NUL = 0x00;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** The warnings of nearly every record: one shared empty list, not one per record. */
const NO_WARNINGS: readonly string[] = Object.freeze([]);

// Where the scanner is inside a record (csv mode; lines mode stays in UNQUOTED).
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: the next byte says whether it was `""` or the closing quote. */
const QUOTE_IN_QUOTED = 3;

/** `csv`: RFC 4180 records and fields. `lines`: one record per line, no quoting (JSON Lines). */
export type SplitMode = 'csv' | 'lines';

/** One record as the splitter delimits it. */
export interface SplitRecord {
  /** 1-based line the record starts on. */
  line: number;
  /** Line of its last byte (after `line` when a quoted field holds line breaks). */
  endLine: number;
  /** The fields (lines mode: one, the whole line); absent when `error` is set. */
  fields?: string[];
  /** Why the record cannot be used (fixed text, never the record's content). */
  error?: string;
  /** Accepted, but worth telling: NUL bytes, invalid UTF-8. */
  warnings: readonly string[];
}

export interface RecordSplitterOptions {
  mode: SplitMode;
  /** Largest record kept, in bytes (line breaks inside quoted fields included, the terminator not). */
  maxRecordBytes: number;
}

export type RecordSplitter = ReturnType<typeof createRecordSplitter>;

/**
 * The one record splitter of bulk uploads: a byte-level streaming state
 * machine, so a record is found the same way whatever the chunking, and
 * every record is accounted for exactly once. The rules:
 *
 * - A record ends at CR, LF or CRLF outside quotes, each counting as one
 *   line break (so mixed endings never merge rows). A UTF-8 BOM at the start
 *   is skipped. The last record needs no terminator (a truncated last line
 *   is a record).
 * - Blank lines (nothing, or only spaces and tabs) are not records.
 * - csv mode, RFC 4180: a field that starts with `"` is quoted and may hold
 *   commas, `""` and line breaks; the record then ends at the first line
 *   break after the closing quote, and is reported once with its first and
 *   last line. A quote inside an unquoted field, or text after a closing
 *   quote, makes the record invalid (it is still delimited by the rules
 *   above: such a quote opens nothing).
 * - A record over `maxRecordBytes` is one invalid record: its bytes are
 *   dropped as they come, the scan goes on to its end, and the next record
 *   starts after it (resynchronisation at the next record boundary).
 * - A quote still open at the end of the input means no record from its
 *   line on can be delimited: `end()` throws INVALID_ARGUMENT naming the
 *   line, rather than report the rest of the file as one record.
 *
 * Fields are split on bytes (`,` `"` CR LF are ASCII and never occur inside
 * a multi-byte UTF-8 sequence), then decoded; invalid UTF-8 becomes U+FFFD
 * and a warning.
 */
export function createRecordSplitter(options: RecordSplitterOptions) {
  const csv = options.mode === 'csv';
  const max = options.maxRecordBytes;
  let line = 1;
  let prevCR = false;
  /** The first bytes, held until they show whether the input starts with a BOM; undefined once decided. */
  let head: Buffer | undefined = Buffer.alloc(0);

  // The record being read.
  let open = false;
  let startLine = 0;
  const parts: Buffer[] = [];
  /** Bytes of the record in earlier chunks. */
  let base = 0;
  /** Index in the current chunk where the record's bytes (still to be kept) begin. */
  let segStart = 0;
  let oversized = false;
  let error: string | undefined;
  let nul = false;
  let blank = true;
  let state = FIELD_START;
  let quoteLine = 0;
  let fieldStart = 0;
  let fieldQuoted = false;
  const fields: number[] = []; // flat triples: start, end, quoted (0/1)

  const begin = (i: number) => {
    open = true;
    startLine = line;
    // Both arrays are reused from record to record: they are read only when the record ends, before the next begins.
    parts.length = 0;
    base = 0;
    segStart = i;
    oversized = false;
    error = undefined;
    nul = false;
    blank = true;
    state = FIELD_START;
    fieldStart = 0;
    fieldQuoted = false;
    fields.length = 0;
  };

  const endField = (offset: number) => {
    fields.push(fieldStart, offset, fieldQuoted ? 1 : 0);
    fieldStart = offset + 1;
    fieldQuoted = false;
    state = FIELD_START;
  };

  /** Ends the open record before index `i` of `chunk` (or at the end of input, chunk undefined). */
  const endRecord = (chunk: Buffer | undefined, i: number, out: SplitRecord[]) => {
    const size = base + (chunk ? i - segStart : 0);
    if (size > max) oversized = true;
    if (chunk && !oversized) parts.push(chunk.subarray(segStart, i));
    open = false;
    if (blank) return;
    endField(size);
    const record: SplitRecord = { line: startLine, endLine: line, warnings: NO_WARNINGS };
    if (oversized) record.error = `record too large (over ${max} bytes)`;
    else if (error) record.error = error;
    else record.fields = decodeFields(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), fields);
    if (record.fields) {
      const replaced = record.fields.some((f) => f.includes('\uFFFD'));
      if (nul || replaced) {
        const warnings: string[] = [];
        if (nul) warnings.push('NUL bytes in this record (kept as they are)');
        if (replaced) warnings.push('invalid UTF-8 or U+FFFD replacement characters in this record (is the file UTF-8?)');
        record.warnings = warnings;
      }
    }
    out.push(record);
  };

  const scan = (chunk: Buffer, out: SplitRecord[]) => {
    segStart = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i]!;
      const lfOfCrlf = prevCR && b === LF;
      prevCR = b === CR;
      if (state === QUOTED && open) {
        if (b === NUL) nul = true;
        if (b === QUOTE) state = QUOTE_IN_QUOTED;
        else if (b === CR || (b === LF && !lfOfCrlf)) line++;
        continue;
      }
      if (b === CR || b === LF) {
        if (lfOfCrlf) continue; // the LF of a CRLF whose CR ended the line already
        if (open) endRecord(chunk, i, out);
        line++;
        continue;
      }
      if (!open) begin(i);
      if (b === NUL) nul = true;
      if (b !== SPACE && b !== TAB) blank = false;
      if (!csv) continue;
      const offset = base + (i - segStart);
      if (state === QUOTE_IN_QUOTED) {
        if (b === QUOTE) {
          state = QUOTED; // `""`: an escaped quote
          continue;
        }
        // The quote closed the field: only a comma (or a line break, above) may follow.
        if (b === COMMA) endField(offset);
        else {
          error ??= 'malformed CSV row: text after a closing quote';
          state = UNQUOTED;
        }
      } else if (b === COMMA) endField(offset);
      else if (b === QUOTE) {
        if (state === FIELD_START) {
          state = QUOTED;
          fieldQuoted = true;
          quoteLine = line;
        } else error ??= 'malformed CSV row: a quote inside an unquoted field';
      } else if (state === FIELD_START) state = UNQUOTED;
    }
    if (!open) return;
    base += n - segStart;
    if (base > max) oversized = true;
    if (oversized) parts.length = 0;
    else parts.push(chunk.subarray(segStart));
  };

  return {
    /** Feeds the next bytes; returns the records they complete, in order. */
    push(chunk: Buffer): SplitRecord[] {
      const out: SplitRecord[] = [];
      if (head !== undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) return out;
        chunk = head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
        head = undefined;
      }
      scan(chunk, out);
      return out;
    },
    /** Ends the input: returns the last record, or throws INVALID_ARGUMENT when a quote is still open. */
    end(): SplitRecord[] {
      const out: SplitRecord[] = [];
      if (head !== undefined) {
        const rest = head;
        head = undefined;
        scan(rest, out);
      }
      if (!open) return out;
      if (state === QUOTED) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `line ${quoteLine}: a quote opened on this line is never closed, so the records from line ${startLine} on cannot be told apart; nothing from line ${startLine} on was read`,
          { details: { line: quoteLine, fromLine: startLine, issues: [{ path: `line ${quoteLine}`, message: 'a quote is never closed' }] } },
        );
      }
      endRecord(undefined, 0, out);
      return out;
    },
  };
}

function decodeFields(bytes: Buffer, fields: readonly number[]): string[] {
  const out: string[] = [];
  for (let f = 0; f < fields.length; f += 3) {
    const start = fields[f]!;
    const end = fields[f + 1]!;
    // A quoted field that got here is exactly `"..."`: the scanner marks anything else as an error.
    out.push(fields[f + 2] === 1 ? bytes.toString('utf8', start + 1, end - 1).replaceAll('""', '"') : bytes.toString('utf8', start, end));
  }
  return out;
}
