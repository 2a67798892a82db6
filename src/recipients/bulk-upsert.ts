import type { Readable } from 'node:stream';
import { isAppError } from '../errors/index.js';
import { readCsvRows, readJsonlRows, type UploadFormat } from '../uploads/index.js';
import { isJsonObject } from './merge-patch.js';
import { canonicalFields } from './profile-fields.js';
import type { ProfileStore } from './profile-store.js';
import { RECIPIENT_ID_PATTERN } from './recipient-id.js';

/** A bulk upsert's answer: every record is valid or invalid (with its line). */
export interface BulkUpsertReport {
  total: number;
  valid: number;
  invalid: number;
  /** At most `maxErrors` of the invalid rows, in file order; reasons never hold the row's values. */
  errors: { line: number; reason: string }[];
  /** Invalid rows beyond `errors` (counted, not listed). */
  errorsOmitted: number;
}

export interface BulkUpsertOptions {
  format: UploadFormat;
  /** Rows written per pipeline. Default 500. */
  batchSize?: number;
  /** Invalid rows listed in the answer. Default 1000. */
  maxErrors?: number;
}

/**
 * Streams a CSV (header: `recipientId` and field columns, dotted names make
 * nested fields, an empty cell leaves the field out, cells stay strings) or
 * JSON Lines (one object a line: `recipientId` and the fields) upload into
 * profiles, each row a PUT. Records come from the uploads splitter, so rows
 * are counted exactly as campaign recipients are; rows are written in
 * pipelined batches while the next chunk waits.
 */
export async function bulkUpsertProfiles(store: ProfileStore, input: Readable, options: BulkUpsertOptions): Promise<BulkUpsertReport> {
  const batchSize = options.batchSize ?? 500;
  const maxErrors = options.maxErrors ?? 1000;
  // A record holds one profile plus its id and CSV quoting: twice the profile bound is ample.
  const maxRecordBytes = store.maxBytes * 2 + 1024;
  const entries = options.format === 'csv' ? readCsvRows(input, { maxRecordBytes }) : readJsonlRows(input, { maxRecordBytes });
  const report: BulkUpsertReport = { total: 0, valid: 0, invalid: 0, errors: [], errorsOmitted: 0 };
  const reject = (line: number, reason: string) => {
    report.invalid++;
    if (report.errors.length < maxErrors) report.errors.push({ line, reason });
    else report.errorsOmitted++;
  };
  let pending: { recipientId: string; json: string; hash: string }[] = [];

  for await (const batch of entries) {
    for (const entry of batch) {
      if (entry.kind === 'warning') continue;
      report.total++;
      if (entry.kind === 'invalid') {
        reject(entry.line, entry.reason);
        continue;
      }
      const parsed = options.format === 'csv' ? fromCsvRow(entry.row) : fromJsonRow(entry.row);
      if ('reason' in parsed) {
        reject(entry.line, parsed.reason);
        continue;
      }
      try {
        const canonical = canonicalFields(parsed.fields, store.maxBytes);
        pending.push({ recipientId: parsed.recipientId, json: canonical.json, hash: canonical.hash });
        report.valid++;
      } catch (err) {
        if (!isAppError(err)) throw err;
        reject(entry.line, err.message);
      }
    }
    if (pending.length >= batchSize) {
      await store.putMany(pending);
      pending = [];
    }
  }
  await store.putMany(pending);
  return report;
}

type ParsedProfileRow = { recipientId: string; fields: Record<string, unknown> } | { reason: string };

function recipientIdOf(value: unknown): string | undefined {
  const id = typeof value === 'string' ? value.trim() : undefined;
  return id !== undefined && RECIPIENT_ID_PATTERN.test(id) ? id : undefined;
}

function fromJsonRow(row: Record<string, unknown>): ParsedProfileRow {
  if (!isJsonObject(row)) return { reason: 'expected a JSON object' };
  const recipientId = recipientIdOf(row.recipientId);
  if (!recipientId) return { reason: 'recipientId missing or not 1 to 64 of A-Z a-z 0-9 _ -' };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (key !== 'recipientId') Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  return { recipientId, fields };
}

function fromCsvRow(row: Record<string, unknown>): ParsedProfileRow {
  const recipientId = recipientIdOf(row.recipientId);
  if (!recipientId) return { reason: 'recipientId missing or not 1 to 64 of A-Z a-z 0-9 _ -' };
  const fields: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'recipientId' || value === '') continue;
    const path = column.split('.');
    if (path.some((segment) => segment === '')) return { reason: `column "${column}": empty segment in a dotted name` };
    let node = fields;
    for (const segment of path.slice(0, -1)) {
      const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (next !== undefined && !isJsonObject(next)) return { reason: `column "${column}": ${segment} is both a value and an object` };
      if (next === undefined) Object.defineProperty(node, segment, { value: {}, enumerable: true, writable: true, configurable: true });
      node = node[segment] as Record<string, unknown>;
    }
    const leaf = path[path.length - 1]!;
    if (Object.hasOwn(node, leaf)) return { reason: `column "${column}": ${leaf} is both a value and an object` };
    Object.defineProperty(node, leaf, { value, enumerable: true, writable: true, configurable: true });
  }
  return { recipientId, fields };
}
