import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Readable } from 'node:stream';
import { isAppError } from '../errors/index.js';
import { prepareRenderJob, type PreparedRenderJob, type PrepareRenderJobDeps } from '../queue/prepare-render-job.js';
import type { RenderJobData } from '../queue/render-job.schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { allCampaignKeys, campaignKeys } from './campaign-keys.js';
import { readCsvRows } from './read-csv-rows.js';
import { readJsonlRows } from './read-jsonl-rows.js';
import type { JsonSchemaNode, RowIssue } from './recipient-row.js';
import { createRowParser } from './recipient-row.js';
import type { RecipientsFormat, SourceEntry } from './source-entry.js';

/** What fan-out needs; the campaign service passes its own deps through. */
export interface FanOutDeps extends PrepareRenderJobDeps {
  redis: Redis;
  queue: Queue<RenderJobData>;
  store: Pick<ObjectStore, 'head'>;
  /**
   * Redis key prefix of the output index hashes (`<prefix><renderKey>`, field
   * `state`), read inside the claim script; engineer A's default.
   */
  indexPrefix: string;
}

export interface FanOutPlan {
  campaignId: string;
  templateId: string;
  /** Distinct variants of the campaign's channels; one render per row and variant. */
  variants: string[];
  jsonSchema: JsonSchemaNode;
  recipients: Readable;
  format: RecipientsFormat;
}

export interface FanOutLimits {
  /** Rows per chunk; each chunk is one addBulk (and a few pipelined Redis round trips). */
  chunkSize: number;
  /** Largest CSV record / JSON line, in bytes. */
  maxRecordBytes: number;
  /** Invalid-row reports kept in Redis; beyond it they are only counted (`errorsDropped`). */
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

interface ValidRow {
  recipientId: string;
  keys: string[];
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
  const source =
    plan.format === 'csv'
      ? readCsvRows(plan.recipients, { maxRecordBytes: limits.maxRecordBytes })
      : readJsonlRows(plan.recipients, { maxLineBytes: limits.maxRecordBytes });
  let valid: ValidRow[] = [];
  let invalid: InvalidRow[] = [];
  let jobs = new Map<string, PreparedRenderJob>();
  let storedErrors = 0;
  /** The chunk being written to Redis while the next one is parsed and keyed. */
  let writing: Promise<void> | undefined;

  const store = async (chunk: { valid: ValidRow[]; invalid: InvalidRow[]; jobs: Map<string, PreparedRenderJob> }) => {
    const outcome = await queueNewRenders(deps, keys, chunk.jobs);
    const keep = Math.max(0, Math.min(chunk.invalid.length, limits.maxStoredErrors - storedErrors));
    storedErrors += keep;
    const tx = deps.redis.multi();
    if (chunk.valid.length > 0) tx.rpush(keys.manifest, ...chunk.valid.map((row) => `${row.recipientId} ${row.keys.join(' ')}`));
    if (keep > 0) tx.rpush(keys.errors, ...chunk.invalid.slice(0, keep).map((row) => JSON.stringify(row)));
    if (outcome.cached.length > 0) tx.sadd(keys.rendered, ...outcome.cached);
    if (outcome.joined.length > 0) tx.sadd(keys.foreign, ...outcome.joined);
    tx.hincrby(keys.meta, 'total', chunk.valid.length + chunk.invalid.length);
    tx.hincrby(keys.meta, 'valid', chunk.valid.length);
    tx.hincrby(keys.meta, 'invalid', chunk.invalid.length);
    tx.hincrby(keys.meta, 'errorsDropped', chunk.invalid.length - keep);
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
    if (valid.length === 0 && invalid.length === 0) return;
    const chunk = { valid, invalid, jobs };
    valid = [];
    invalid = [];
    jobs = new Map();
    await writing;
    writing = store(chunk);
    writing.catch(() => undefined); // Rethrown by the next await; this only avoids an unhandled rejection meanwhile.
  };

  try {
    for await (const batch of source) {
      for (const entry of batch) {
        const row = await keyRow(deps, plan, parseRow, entry);
        if ('reason' in row) invalid.push(row);
        else {
          valid.push({ recipientId: row.recipientId, keys: row.jobs.map((job) => job.renderKey) });
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

async function keyRow(
  deps: FanOutDeps,
  plan: FanOutPlan,
  parseRow: ReturnType<typeof createRowParser>,
  entry: SourceEntry,
): Promise<InvalidRow | { recipientId: string; jobs: PreparedRenderJob[] }> {
  if (entry.error !== undefined) return { line: entry.line, ...(entry.endLine ? { endLine: entry.endLine } : {}), reason: entry.error };
  const parsed = parseRow(entry.row);
  if (!parsed.ok) return { line: entry.line, reason: 'invalid fields', issues: parsed.issues };
  const jobs: PreparedRenderJob[] = [];
  try {
    for (const variant of plan.variants) {
      jobs.push(
        await prepareRenderJob(deps, {
          templateId: plan.templateId,
          variant,
          props: parsed.props,
          format: 'mp4',
          priorityClass: 'campaign',
          campaignId: plan.campaignId,
        }),
      );
    }
  } catch (err) {
    // Only the row's own props can be wrong here: the template and variants were checked at creation.
    if (!isAppError(err, 'INVALID_PROPS')) throw err;
    const issues = Array.isArray(err.details.issues) ? (err.details.issues as RowIssue[]) : [];
    return { line: entry.line, reason: 'invalid fields', issues: issues.map(({ path, message }) => ({ path, message })) };
  }
  return { recipientId: parsed.recipientId, jobs };
}

interface QueueOutcome {
  /** Keys new to this campaign. */
  fresh: number;
  /** Jobs this campaign added. */
  added: number;
  /** Keys already done before the campaign: counted rendered at once. */
  cached: string[];
  /** Keys whose job another producer already queued: settled later from the output index. */
  joined: string[];
}

/**
 * Per key, in one script call: SADD to the campaign's key set, whether a job
 * exists under it, and whether the output index says done. Returns a bit set
 * per key: 1 new to this campaign, 2 a job exists, 4 indexed as done. KEYS:
 * the set, then each key's job hash and index hash; ARGV: the render keys.
 * One call per chunk instead of three commands per key: fan-out is measured
 * against a bare addBulk loop.
 */
const CLAIM_KEYS = `
local out = {}
for i = 1, #ARGV do
  local code = 0
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    code = 1
    if redis.call('EXISTS', KEYS[2 * i]) == 1 then code = code + 2 end
    if redis.call('HGET', KEYS[2 * i + 1], 'state') == 'done' then code = code + 4 end
  end
  out[i] = code
end
return out
`;
const NEW = 1;
const JOB_EXISTS = 2;
const INDEXED_DONE = 4;

/**
 * Adds the renders of one chunk that neither this campaign (dedupe set) nor
 * anyone else (output index + store, existing job) has made or queued: one
 * claim script, a store check for the few already done, then one addBulk.
 */
async function queueNewRenders(deps: FanOutDeps, keys: ReturnType<typeof campaignKeys>, jobs: Map<string, PreparedRenderJob>): Promise<QueueOutcome> {
  const outcome: QueueOutcome = { fresh: 0, added: 0, cached: [], joined: [] };
  if (jobs.size === 0) return outcome;
  const all = [...jobs.values()];
  const scriptKeys = [keys.keys];
  for (const job of all) scriptKeys.push(deps.queue.toKey(job.renderKey), `${deps.indexPrefix}${job.renderKey}`);
  const claims = (await deps.redis.eval(CLAIM_KEYS, scriptKeys.length, ...scriptKeys, ...all.map((job) => job.renderKey))) as number[];
  const toAdd: PreparedRenderJob[] = [];
  await Promise.all(
    all.map(async (job, i) => {
      const code = claims[i] ?? 0;
      if (!(code & NEW)) return;
      outcome.fresh++;
      // The index is the fast check, the store the truth (a deleted output is rendered again).
      if (code & INDEXED_DONE && (await deps.store.head(job.storageKey))) outcome.cached.push(job.renderKey);
      else if (code & JOB_EXISTS && (await takeOverFinishedJob(deps.queue, job.renderKey)) === 'running') outcome.joined.push(job.renderKey);
      else toAdd.push(job);
    }),
  );
  if (toAdd.length > 0) await deps.queue.addBulk(toAdd.map((job) => ({ name: job.name, data: job.data, opts: job.opts })));
  outcome.added = toAdd.length;
  return outcome;
}

/**
 * A job already exists under the key. A finished one (failed, or completed
 * while its output is gone) would swallow our add, so it is removed and the
 * key re-queued by this campaign; a waiting or active one is joined.
 */
async function takeOverFinishedJob(queue: Queue<RenderJobData>, renderKey: string): Promise<'running' | 'removed'> {
  const state = await queue.getJobState(renderKey);
  if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return 'running';
  if (state === 'unknown') return 'removed';
  // 0 or a throw: locked or re-queued by someone else in between; join it.
  const removed = await queue.remove(renderKey).catch(() => 0);
  return removed === 1 ? 'removed' : 'running';
}
