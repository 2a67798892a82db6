/**
 * Streamed bulk uploads (CSV, JSON Lines): one record splitter that
 * accounts for every record exactly once, and readers that turn records
 * into rows. Campaign recipients use it; so can any other bulk upload.
 */
export { createRecordSplitter, type RecordSplitter, type RecordSplitterOptions, type SplitMode, type SplitRecord } from './record-splitter.js';
export { readCsvRows } from './read-csv-rows.js';
export { readJsonlRows } from './read-jsonl-rows.js';
export { recordSpan, type UploadEntry, type UploadFormat } from './upload-entry.js';
