/**
 * One row of a recipients file as the sources hand it over: a parsed row, or
 * a row that could not be parsed at all (with a fixed reason, never its text).
 */
export type SourceEntry =
  | { line: number; endLine?: undefined; row: Record<string, unknown>; error?: undefined }
  | { line: number; endLine?: number; row?: undefined; error: string };

/** Recipients file formats. */
export type RecipientsFormat = 'csv' | 'jsonl';
