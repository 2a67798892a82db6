/**
 * One entry of a streamed bulk upload (CSV or JSON Lines), in file order:
 * - `row`: a record that parsed, with its fields;
 * - `invalid`: a record that did not (a fixed reason, never its text);
 * - `warning`: something the reader accepted but the uploader should hear
 *   about (NUL bytes, invalid UTF-8, duplicate columns). Not a record: it
 *   never counts in valid + invalid.
 *
 * `line` is the 1-based physical line a record starts on; `endLine` is set
 * when it ends on a later line (a quoted field with line breaks).
 */
export type UploadEntry =
  | { kind: 'row'; line: number; endLine?: number; row: Record<string, unknown> }
  | { kind: 'invalid'; line: number; endLine?: number; reason: string }
  | { kind: 'warning'; line: number; endLine?: number; warning: string };

/** Bulk upload formats. */
export type UploadFormat = 'csv' | 'jsonl';

/** Where a record sits, with `endLine` only when it differs from `line`. */
export function recordSpan(record: { line: number; endLine: number }): { line: number; endLine?: number } {
  return record.endLine > record.line ? { line: record.line, endLine: record.endLine } : { line: record.line };
}
