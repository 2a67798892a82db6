/**
 * An independent model of the upload record rules, for the property tests:
 * the whole file at once, on a byte-per-character string, with regular
 * expressions instead of the production code's streaming state machine.
 * It shares no code with src/uploads.
 */

export type ModelRecord =
  | { line: number; endLine: number; fields: string[]; warnings: string[] }
  | { line: number; endLine: number; error: 'quote' | 'size' };

/** `fatalLine`: a quote opened there is never closed; `fatalFrom`: where that record starts. */
export type ModelResult = { records: ModelRecord[]; fatalLine?: number; fatalFrom?: number };

const LINE_BREAK = /\r\n|\r|\n/g;
const breaks = (text: string) => (text.match(LINE_BREAK) ?? []).length;
/** A quoted field, atomically (a lookahead and a back-reference: no backtracking into `""`). */
const QUOTED = /"(?=((?:[^"]|"")*))\1"/y;
const UNQUOTED = /[^,\r\n]*/y;
const BLANK = /[ \t]*(?=\r|\n|$)/y;
const TERMINATOR = /\r\n|\r|\n/y;
const LINE = /[^\r\n]*/y;

export function modelSplit(bytes: Buffer, mode: 'csv' | 'lines', maxRecordBytes: number): ModelResult {
  let s = bytes.toString('latin1');
  if (s.startsWith('\xef\xbb\xbf')) s = s.slice(3);
  const records: ModelRecord[] = [];
  let p = 0;
  let line = 1;
  while (p < s.length) {
    TERMINATOR.lastIndex = p;
    const end = TERMINATOR.exec(s);
    if (end) {
      p += end[0].length;
      line++;
      continue;
    }
    BLANK.lastIndex = p;
    const blank = BLANK.exec(s);
    if (blank) {
      // A blank line (only spaces and tabs up to its end) is not a record.
      p += blank[0].length;
      continue;
    }
    const start = p;
    const startLine = line;
    const fields: string[] = [];
    let bad = false;
    if (mode === 'lines') {
      // Lines mode: quotes and commas are data; everything to the line end.
      LINE.lastIndex = p;
      const text = LINE.exec(s)![0];
      fields.push(text);
      p += text.length;
    } else {
      for (;;) {
        if (s[p] === '"') {
          QUOTED.lastIndex = p;
          const m = QUOTED.exec(s);
          if (!m) return { records, fatalLine: line, fatalFrom: startLine };
          fields.push(m[1]!.replaceAll('""', '"'));
          line += breaks(m[0]);
          p += m[0].length;
          if (p < s.length && s[p] !== ',' && s[p] !== '\r' && s[p] !== '\n') {
            bad = true;
            UNQUOTED.lastIndex = p;
            p += UNQUOTED.exec(s)![0].length;
          }
        } else {
          UNQUOTED.lastIndex = p;
          const text = UNQUOTED.exec(s)![0];
          if (text.includes('"')) bad = true;
          fields.push(text);
          p += text.length;
        }
        if (s[p] === ',') {
          p++;
          continue;
        }
        break;
      }
    }
    const size = p - start;
    if (size > maxRecordBytes) records.push({ line: startLine, endLine: line, error: 'size' });
    else if (bad) records.push({ line: startLine, endLine: line, error: 'quote' });
    else {
      const decoded = fields.map((f) => Buffer.from(f, 'latin1').toString('utf8'));
      const warnings: string[] = [];
      if (s.slice(start, p).includes('\0')) warnings.push('nul');
      if (decoded.some((f) => f.includes('\uFFFD'))) warnings.push('utf8');
      records.push({ line: startLine, endLine: line, fields: decoded, warnings });
    }
  }
  return { records };
}
