import type { Redis } from 'ioredis';
import type { Readable } from 'node:stream';
import { propsHash } from '../cache/index.js';
import { isAppError } from '../errors/index.js';
import {
  createRenderJobPreparer,
  DELIVERIES_PER_JOB,
  type DeliverablePlan,
  type DeliverableRequests,
  type PreparedRenderJob,
  type PrepareRenderJobDeps,
  type Renders,
} from '../renders/index.js';
import type { ObjectStore } from '../storage/index.js';
import { allCampaignKeys, campaignKeys } from './campaign-keys.js';
import { readCsvRows, readJsonlRows, type UploadEntry } from '../uploads/index.js';
import type { RecipientsFormat } from './campaign.schema.js';
import { type JsonSchemaNode, type RowIssue, createRowParser } from './recipient-row.js';

/** Rows keyed between two event-loop turns while a chunk is being written. */
const YIELD_EVERY = 50;

/** What fan-out needs; the campaign service passes its own deps through. */
export interface FanOutDeps extends PrepareRenderJobDeps {
  redis: Redis;
  /** The render lifecycle (createRenders) the chunks' renders are queued through. */
  renders: Pick<Renders, 'queueNew'>;
  store: Pick<ObjectStore, 'head'>;
  /** When set, each new master's channel deliverables are requested (cut by transcode workers once it is published). */
  deliverables?: DeliverableRequests;
  /** Lazy campaigns: keeps a row's props server side (with its TTL) and returns their id for the row's links. */
  storeProps?: (props: Record<string, unknown>, recipientId: string) => Promise<string>;
  /** Engagement `delivered` events (src/engagement createDeliveryTracker); needs `plan.channels`. */
  deliveries?: FanOutDeliveries;
  /** Which of these recipients were erased (same order): their rows are refused, nothing is made for them. */
  erased?: (recipientIds: readonly string[]) => Promise<boolean[]>;
}

/** One recipient's output on one channel, for `delivered` events. */
interface DeliveryEntry {
  recipientId: string;
  channel: string;
  propsHash: string;
}

/** What fan-out needs from the engagement domain (see src/engagement/create-delivery-tracker.ts). */
export interface FanOutDeliveries {
  awaitRenders(campaignId: string, templateId: string, entries: readonly (DeliveryEntry & { renderKey: string })[]): Promise<void>;
  settleRendered(campaignId: string, templateId: string, entries: readonly (DeliveryEntry & { renderKey: string })[], rendered: ReadonlySet<string>): Promise<void>;
  deliverNow(campaignId: string, templateId: string, entries: readonly DeliveryEntry[]): Promise<void>;
}

export interface FanOutPlan {
  campaignId: string;
  templateId: string;
  /** Distinct variants of the campaign's channels; one render per row and variant. */
  variants: string[];
  /** Per variant (same order), what is cut from its masters; none: masters only. */
  deliverablePlans?: (DeliverablePlan | undefined)[];
  /** lazy: nothing is rendered; each row's props are stored and its manifest line names them (links render on first open). */
  lazy?: boolean;
  jsonSchema: JsonSchemaNode;
  recipients: Readable;
  format: RecipientsFormat;
  /** The campaign's channels and, per channel, the index of its variant in `variants` (for `delivered` events). */
  channels?: { names: readonly string[]; variantIndex: readonly number[] };
}

export interface FanOutLimits {
  /** Rows per chunk; each chunk is one addBulk (and a few pipelined Redis round trips). */
  chunkSize: number;
  /** Largest CSV record / JSON line, in bytes. */
  maxRecordBytes: number;
  /** Reports (invalid rows, warnings) kept in Redis; beyond it they are only counted (`errorsDropped`). */
  maxStoredErrors: number;
  ttlSeconds: number;
}

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

/** One entry of a campaign's report (`GET /v1/campaigns/:id/errors`), in file order. */
export type CampaignReport = InvalidRow | RowWarning;

/** Why a row of an erased recipient is refused. */
const ERASED_REASON = 'recipient erased: nothing is made for this recipient any more';

interface ValidRow {
  line: number;
  endLine?: number;
  recipientId: string;
  keys: string[];
  /** Lazy campaigns only: the validated props, stored when the chunk is written. */
  props?: Record<string, unknown>;
  /** sha256 of the canonical props, when `delivered` events are recorded. */
  propsHash?: string;
}

/**
 * Streams a recipients file into the render queue, one chunk at a time:
 * parse -> validate and key each row -> addBulk the chunk's new renders ->
 * record manifest rows, invalid rows and counters in one MULTI. The source
 * is read at most one chunk ahead of what Redis has stored (backpressure),
 * so memory stays at two chunks whatever the file size: the per-campaign
 * dedupe set lives in Redis, not here.
 */
export async function fanOut(deps: FanOutDeps, plan: FanOutPlan, limits: FanOutLimits): Promise<void> {
  const keys = campaignKeys(plan.campaignId);
  const parseRow = createRowParser(plan.jsonSchema, { fromText: plan.format === 'csv' });
  // Template, variant and bundle are resolved once per variant, not once per row.
  const preparers = await Promise.all(
    plan.variants.map((variant) =>
      createRenderJobPreparer(deps, {
        templateId: plan.templateId,
        variant,
        format: 'mp4',
        priorityClass: 'campaign',
        campaignId: plan.campaignId,
      }),
    ),
  );
  const source =
    plan.format === 'csv'
      ? readCsvRows(plan.recipients, { maxRecordBytes: limits.maxRecordBytes })
      : readJsonlRows(plan.recipients, { maxRecordBytes: limits.maxRecordBytes });
  let valid: ValidRow[] = [];
  let invalid: InvalidRow[] = [];
  let warnings: RowWarning[] = [];
  let jobs = new Map<string, PreparedRenderJob>();
  let storedErrors = 0;
  /** The chunk being written to Redis while the next one is parsed and keyed. */
  let writing: Promise<void> | undefined;

  const tracked = deps.deliveries && plan.channels ? { deliveries: deps.deliveries, channels: plan.channels } : undefined;
  const store = async (chunk: Chunk) => {
    await refuseErased(deps, chunk);
    // Who waits on each master rides in the job's data; the render worker turns it into `delivered` events.
    const waiting = tracked && !plan.lazy ? deliveryEntries(chunk.valid, tracked.channels) : [];
    const carried = attachDeliveries(chunk.jobs, waiting);
    const outcome = await deps.renders.queueNew(keys, chunk.jobs);
    // The rest (a master cached or queued by someone else, a props row repeated in a later chunk, more
    // recipients than a job carries) waits in Redis; then the published ones are delivered now.
    const rest = waiting.filter((e) => !(outcome.addedKeys.has(e.renderKey) && carried.has(e)));
    if (rest.length > 0) {
      await tracked!.deliveries.awaitRenders(plan.campaignId, plan.templateId, rest);
      const distinct = [...new Set(rest.map((e) => e.renderKey))];
      const known = await deps.redis.smismember(keys.rendered, ...distinct);
      const rendered = new Set([...outcome.cached, ...distinct.filter((_, i) => known[i] === 1)]);
      await tracked!.deliveries.settleRendered(plan.campaignId, plan.templateId, rest, rendered);
    }
    await requestDeliverables(deps, plan, outcome.freshJobs);
    if (plan.lazy) {
      // The line names the stored props instead of render keys: links are sealed from it when the manifest is read.
      // A recipient erased since the check above is refused here (SUBJECT_ERASED), one row, never the campaign.
      const refs = await Promise.all(chunk.valid.map((row) => deps.storeProps!(row.props!, row.recipientId).catch(erasedAsUndefined)));
      chunk.valid.forEach((row, i) => (row.keys = refs[i] === undefined ? [] : [refs[i]]));
      moveToInvalid(chunk, chunk.valid.map((row) => row.keys.length === 0));
      // A lazy campaign's links can be issued from now on (its manifest): that is its delivery.
      if (tracked) {
        const entries = chunk.valid.flatMap((row) => tracked.channels.names.map((channel) => ({ recipientId: row.recipientId, channel, propsHash: row.propsHash! })));
        await tracked.deliveries.deliverNow(plan.campaignId, plan.templateId, entries);
      }
    }
    // Invalid rows and warnings in file order, as far as the cap allows.
    const reports = [...chunk.invalid, ...chunk.warnings].sort((a, b) => a.line - b.line);
    const keep = Math.max(0, Math.min(reports.length, limits.maxStoredErrors - storedErrors));
    storedErrors += keep;
    const tx = deps.redis.multi();
    if (chunk.valid.length > 0) tx.rpush(keys.manifest, ...chunk.valid.map((row) => `${row.recipientId} ${row.keys.join(' ')}`));
    if (keep > 0) tx.rpush(keys.errors, ...reports.slice(0, keep).map((row) => JSON.stringify(row)));
    if (outcome.cached.length > 0) tx.sadd(keys.rendered, ...outcome.cached);
    if (outcome.joined.length > 0) tx.sadd(keys.foreign, ...outcome.joined);
    tx.hincrby(keys.meta, 'total', chunk.valid.length + chunk.invalid.length);
    tx.hincrby(keys.meta, 'valid', chunk.valid.length);
    tx.hincrby(keys.meta, 'invalid', chunk.invalid.length);
    tx.hincrby(keys.meta, 'warnings', chunk.warnings.length);
    tx.hincrby(keys.meta, 'errorsDropped', reports.length - keep);
    tx.hincrby(keys.meta, 'renders', outcome.fresh);
    tx.hincrby(keys.meta, 'queued', outcome.added + outcome.joined.length);
    tx.hincrby(keys.meta, 'cached', outcome.cached.length);
    tx.hincrby(keys.meta, 'rendered', outcome.cached.length);
    for (const key of allCampaignKeys(plan.campaignId)) tx.expire(key, limits.ttlSeconds);
    await tx.exec();
  };

  // Backpressure with one chunk of overlap: chunk N is written to Redis while
  // chunk N+1 is parsed and keyed (Redis and Node work on different cores),
  // and reading stops until chunk N is stored. Chunks are stored strictly in
  // order, so the manifest keeps the file order and the cross-chunk dedupe
  // (SADD) sees every earlier key.
  const flush = async () => {
    if (valid.length === 0 && invalid.length === 0 && warnings.length === 0) return;
    const chunk = { valid, invalid, warnings, jobs };
    valid = [];
    invalid = [];
    warnings = [];
    jobs = new Map();
    await writing;
    writing = store(chunk);
    writing.catch(() => undefined); // Rethrown by the next await; this only avoids an unhandled rejection meanwhile.
  };

  try {
    let sinceYield = 0;
    for await (const batch of readSource(source, flush)) {
      for (const entry of batch) {
        if (entry.kind === 'warning') {
          warnings.push({ line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}), warning: entry.warning });
          continue;
        }
        // Keying is synchronous and never lets I/O in: yield
        // now and then so the chunk in flight moves on to its next Redis step
        // (claim -> addBulk -> MULTI) while this one is keyed.
        if (writing && ++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
        const row = keyRow(preparers, parseRow, entry);
        const hash = tracked && !('reason' in row) ? propsHash(row.jobs[0]!.data.props) : undefined;
        const at = { line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}) };
        if ('reason' in row) invalid.push(row);
        else if (plan.lazy) {
          valid.push({ ...at, recipientId: row.recipientId, keys: [], props: row.jobs[0]!.data.props, ...(hash ? { propsHash: hash } : {}) });
        } else {
          valid.push({ ...at, recipientId: row.recipientId, keys: row.jobs.map((job) => job.renderKey), ...(hash ? { propsHash: hash } : {}) });
          for (const job of row.jobs) jobs.set(job.renderKey, job);
        }
        if (valid.length + invalid.length >= limits.chunkSize) await flush();
      }
    }
    await flush();
  } finally {
    // Whatever happened to the source, the chunk in flight is finished (or its error surfaces) before returning.
    await writing;
  }
}

/** One chunk of rows on its way to Redis. */
interface Chunk {
  valid: ValidRow[];
  invalid: InvalidRow[];
  warnings: RowWarning[];
  jobs: Map<string, PreparedRenderJob>;
}

/**
 * The source's batches; when it fails (a record that cannot be delimited,
 * a cut upload), the rows read before the failure are stored first, so
 * what was accounted for stays accounted for, and the failure goes on up.
 */
async function* readSource(source: AsyncGenerator<UploadEntry[]>, flush: () => Promise<void>): AsyncGenerator<UploadEntry[]> {
  try {
    yield* source;
  } catch (err) {
    await flush();
    throw err;
  }
}

/**
 * Rows of erased recipients become invalid rows, and the renders only they
 * needed leave the chunk: nothing is re-created for an erased subject.
 */
async function refuseErased(deps: FanOutDeps, chunk: Chunk): Promise<void> {
  if (!deps.erased || chunk.valid.length === 0) return;
  const erased = await deps.erased(chunk.valid.map((row) => row.recipientId));
  if (!moveToInvalid(chunk, erased)) return;
  const needed = new Set(chunk.valid.flatMap((row) => row.keys));
  for (const key of [...chunk.jobs.keys()]) if (!needed.has(key)) chunk.jobs.delete(key);
}

/** Moves the valid rows flagged (same order) to the invalid ones as erased; true when any moved. */
function moveToInvalid(chunk: Chunk, flags: readonly boolean[]): boolean {
  if (!flags.includes(true)) return false;
  const kept: ValidRow[] = [];
  chunk.valid.forEach((row, i) => (flags[i] ? chunk.invalid.push({ line: row.line, ...(row.endLine ? { endLine: row.endLine } : {}), reason: ERASED_REASON }) : kept.push(row)));
  chunk.valid = kept;
  chunk.invalid.sort((a, b) => a.line - b.line);
  return true;
}

function erasedAsUndefined(err: unknown): undefined {
  if (isAppError(err, 'SUBJECT_ERASED')) return undefined;
  throw err;
}

/** Each valid row's (recipient, channel) with the render key of the channel's variant. */
function deliveryEntries(rows: readonly ValidRow[], channels: NonNullable<FanOutPlan['channels']>): (DeliveryEntry & { renderKey: string })[] {
  return rows.flatMap((row) =>
    channels.names.map((channel, c) => ({ recipientId: row.recipientId, channel, propsHash: row.propsHash!, renderKey: row.keys[channels.variantIndex[c]!]! })),
  );
}

/**
 * Puts each waiting (recipient, channels) into its job's data, up to
 * DELIVERIES_PER_JOB recipients a job; returns the entries carried. Only the
 * jobs this chunk adds keep them (an existing job's data does not change).
 */
function attachDeliveries(jobs: Map<string, PreparedRenderJob>, waiting: readonly (DeliveryEntry & { renderKey: string })[]): Set<DeliveryEntry> {
  const carried = new Set<DeliveryEntry>();
  for (const entry of waiting) {
    const data = jobs.get(entry.renderKey)?.data;
    if (!data) continue;
    const list = (data.deliveries ??= []);
    const mine = list.find(([recipientId]) => recipientId === entry.recipientId);
    if (mine) mine[1].push(entry.channel);
    else if (list.length < DELIVERIES_PER_JOB) list.push([entry.recipientId, [entry.channel]]);
    else continue;
    carried.add(entry);
  }
  return carried;
}


/** One request per new master: the deliverables of the channels its variant serves. */
async function requestDeliverables(deps: FanOutDeps, plan: FanOutPlan, jobs: PreparedRenderJob[]): Promise<void> {
  if (!deps.deliverables || !plan.deliverablePlans || jobs.length === 0) return;
  const requests = jobs.flatMap((job) => {
    const deliverables = plan.deliverablePlans![plan.variants.indexOf(job.data.variant)];
    return deliverables ? [{ renderKey: job.renderKey, masterStorageKey: job.storageKey, plan: deliverables }] : [];
  });
  await deps.deliverables.request(requests);
}

function keyRow(
  preparers: ((props: unknown) => PreparedRenderJob)[],
  parseRow: ReturnType<typeof createRowParser>,
  entry: Exclude<UploadEntry, { kind: 'warning' }>,
): InvalidRow | { recipientId: string; jobs: PreparedRenderJob[] } {
  const at = { line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}) };
  if (entry.kind === 'invalid') return { ...at, reason: entry.reason };
  const parsed = parseRow(entry.row);
  if (!parsed.ok) return { ...at, reason: 'invalid fields', issues: parsed.issues };
  const jobs: PreparedRenderJob[] = [];
  try {
    for (const prepare of preparers) jobs.push(prepare(parsed.props));
  } catch (err) {
    // Only the row's own props can be wrong here: the template and variants were checked at creation.
    if (!isAppError(err, 'INVALID_PROPS')) throw err;
    const issues = Array.isArray(err.details.issues) ? (err.details.issues as RowIssue[]) : [];
    return { ...at, reason: 'invalid fields', issues: issues.map(({ path, message }) => ({ path, message })) };
  }
  return { recipientId: parsed.recipientId, jobs };
}
