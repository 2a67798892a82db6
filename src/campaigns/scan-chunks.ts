import type { Readable } from 'node:stream';
import { propsHash } from '../cache/index.js';
import { isAppError } from '../errors/index.js';
import type { PreparedRenderJob } from '../renders/index.js';
import { readCsvRows, readJsonlRows, type UploadEntry } from '../uploads/index.js';
import type { RecipientsFormat } from './campaign.schema.js';
import type { createRowParser, RowIssue } from './recipient-row.js';

/** An invalid row as stored: where and why, never the values. */
export interface InvalidRow {
  line: number;
  endLine?: number;
  reason: string;
  issues?: RowIssue[];
}

/** Something accepted that the uploader should hear about (NUL bytes, invalid UTF-8, duplicate columns); not a row. */
export interface RowWarning {
  line: number;
  endLine?: number;
  warning: string;
}

export interface ValidRow {
  line: number;
  endLine?: number;
  recipientId: string;
  keys: string[];
  /** Lazy campaigns only: the validated props, stored when the chunk is written. */
  props?: Record<string, unknown>;
  /** sha256 of the canonical props, when `delivered` events are recorded. */
  propsHash?: string;
}

/** A sticky row's props from its recipient's profile, or why it cannot render (a fixed reason and field paths, never values). */
export type StickyRowProps = { ok: true; props: Record<string, unknown> } | { ok: false; reason: string; issues?: RowIssue[] };

/** One chunk of a recipients file, parsed and keyed. */
export interface Chunk {
  valid: ValidRow[];
  invalid: InvalidRow[];
  warnings: RowWarning[];
  /** The chunk's distinct renders, by render key. */
  jobs: Map<string, PreparedRenderJob>;
  /** Records read (valid + invalid): the unit of the fan-out checkpoint. */
  entries: number;
  /** Sticky campaigns: the lines (of `invalid`) whose recipient had no usable profile in this pass. */
  unprofiled: number[];
}

export interface ScanOptions {
  format: RecipientsFormat;
  parseRow: ReturnType<typeof createRowParser>;
  /** One preparer per variant of the campaign. */
  preparers: ((props: unknown) => PreparedRenderJob)[];
  /** Lazy campaigns keep a row's props instead of keying it. */
  lazy: boolean;
  /** Keep each valid row's props hash (for `delivered` events). */
  hashProps: boolean;
  chunkSize: number;
  maxRecordBytes: number;
  /**
   * Sticky campaigns: each parsed row's props are read from its recipient's
   * current profile, a chunk at a time (same order as the ids); a row whose
   * recipient has no usable profile is invalid with the reason given here.
   */
  stickyProps?: (recipientIds: readonly string[]) => Promise<StickyRowProps[]>;
  /** Records (valid + invalid) to pass over unkeyed first: what a resumed fan-out already committed. */
  skipEntries?: number;
}

/**
 * The recipients file as chunks of `chunkSize` records, each row parsed,
 * validated and keyed. The upload pass and the fan-out pass read the same
 * bytes through this one function, so they agree on every row and on where
 * each chunk starts (the fan-out checkpoint counts records). When the source
 * fails part way, the rows read before the failure come out first, then the
 * error.
 */
export async function* scanChunks(source: Readable, options: ScanOptions): AsyncGenerator<Chunk> {
  const rows =
    options.format === 'csv'
      ? readCsvRows(source, { maxRecordBytes: options.maxRecordBytes })
      : readJsonlRows(source, { maxRecordBytes: options.maxRecordBytes });
  let skip = options.skipEntries ?? 0;
  let chunk = emptyChunk();
  let pending: PendingSticky[] = [];
  const finish = async (done: Chunk): Promise<Chunk> => {
    const rows = pending;
    pending = [];
    await keyStickyRows(done, options, rows);
    return done;
  };
  try {
    for await (const batch of rows) {
      for (const entry of batch) {
        if (skip > 0) {
          if (entry.kind !== 'warning') skip--;
          continue;
        }
        if (entry.kind === 'warning') {
          chunk.warnings.push({ line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}), warning: entry.warning });
          continue;
        }
        // Cut before a record, not after it: an invalid record (which `continue`s) ends a chunk too.
        if (chunk.entries >= options.chunkSize) {
          yield await finish(chunk);
          chunk = emptyChunk();
        }
        chunk.entries++;
        if (options.stickyProps) {
          const at = { line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}) };
          if (entry.kind === 'invalid') chunk.invalid.push({ ...at, reason: entry.reason });
          else {
            const parsed = options.parseRow(entry.row);
            if (parsed.ok) pending.push({ at, recipientId: parsed.recipientId });
            else chunk.invalid.push({ ...at, reason: 'invalid fields', issues: parsed.issues });
          }
          continue;
        }
        addRow(chunk, options, entry, keyRow(options.preparers, options.parseRow, entry));
      }
    }
  } catch (err) {
    if (chunk.entries > 0 || chunk.warnings.length > 0) yield await finish(chunk);
    throw err;
  }
  if (chunk.entries > 0 || chunk.warnings.length > 0) yield await finish(chunk);
}

/** A keyed row (or its report) into the chunk. */
function addRow(chunk: Chunk, options: ScanOptions, at: { line: number; endLine?: number }, row: InvalidRow | { recipientId: string; jobs: PreparedRenderJob[] }): void {
  if ('reason' in row) {
    chunk.invalid.push(row);
    return;
  }
  // Runs for every row of a file: objects built once, in one shape, and the props serialised once (by the preparer).
  const valid: ValidRow = { line: at.line, recipientId: row.recipientId, keys: [] };
  if (at.endLine) valid.endLine = at.endLine;
  const first = row.jobs[0]!;
  if (options.hashProps) valid.propsHash = propsHash(first.data.props, first.canonicalProps);
  if (options.lazy) valid.props = first.data.props;
  else {
    for (const job of row.jobs) {
      valid.keys.push(job.renderKey);
      chunk.jobs.set(job.renderKey, job);
    }
  }
  chunk.valid.push(valid);
}

/** Sticky rows: one profile read per chunk (in the chunk's order), then each row keyed from its recipient's props. */
async function keyStickyRows(chunk: Chunk, options: ScanOptions, pending: readonly PendingSticky[]): Promise<void> {
  if (pending.length === 0) return;
  const props = await options.stickyProps!(pending.map((row) => row.recipientId));
  pending.forEach((row, i) => {
    const got = props[i]!;
    if (!got.ok) {
      chunk.invalid.push({ ...row.at, reason: got.reason, ...(got.issues ? { issues: got.issues } : {}) });
      chunk.unprofiled.push(row.at.line);
    }
    else addRow(chunk, options, row.at, keyProps(options.preparers, row.at, row.recipientId, got.props));
  });
  // Reports are kept in file order.
  chunk.invalid.sort((a, b) => a.line - b.line);
}

function emptyChunk(): Chunk {
  return { valid: [], invalid: [], warnings: [], jobs: new Map(), entries: 0, unprofiled: [] };
}

function keyRow(
  preparers: ((props: unknown) => PreparedRenderJob)[],
  parseRow: ReturnType<typeof createRowParser>,
  entry: Exclude<UploadEntry, { kind: 'warning' }>,
): InvalidRow | { recipientId: string; jobs: PreparedRenderJob[] } {
  if (entry.kind === 'invalid') return { ...spanOf(entry), reason: entry.reason };
  const parsed = parseRow(entry.row);
  if (!parsed.ok) return { ...spanOf(entry), reason: 'invalid fields', issues: parsed.issues };
  return keyProps(preparers, entry, parsed.recipientId, parsed.props);
}

/** A row's render jobs, one per variant; props the template refuses make it invalid (paths, never values). */
function keyProps(
  preparers: ((props: unknown) => PreparedRenderJob)[],
  at: { line: number; endLine?: number },
  recipientId: string,
  props: Record<string, unknown>,
): InvalidRow | { recipientId: string; jobs: PreparedRenderJob[] } {
  const jobs: PreparedRenderJob[] = [];
  try {
    for (const prepare of preparers) jobs.push(prepare(props));
  } catch (err) {
    // Only the row's own props can be wrong here: the template and variants were checked at creation.
    if (!isAppError(err, 'INVALID_PROPS')) throw err;
    const issues = Array.isArray(err.details.issues) ? (err.details.issues as RowIssue[]) : [];
    return { ...spanOf(at), reason: 'invalid fields', issues: issues.map(({ path, message }) => ({ path, message })) };
  }
  return { recipientId, jobs };
}

/** Where a row sits, for its report (built only for rows that get one: a valid row keeps its entry's). */
function spanOf(at: { line: number; endLine?: number }): { line: number; endLine?: number } {
  return at.endLine ? { line: at.line, endLine: at.endLine } : { line: at.line };
}

/** A sticky row waiting for its chunk's profile read. */
interface PendingSticky {
  at: { line: number; endLine?: number };
  recipientId: string;
}
