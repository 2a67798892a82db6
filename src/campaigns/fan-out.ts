import type { Redis } from 'ioredis';
import type { Readable } from 'node:stream';
import { deliverableKey } from '../cache/index.js';
import type { DeliverableSpec } from '../encode/index.js';
import { commitFanOutChunk, redisKeys, runScript } from '../redis/index.js';
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
import { allCampaignKeys, campaignKeys, chunkKeys } from './campaign-keys.js';
import type { RecipientsFormat } from './campaign.schema.js';
import { type JsonSchemaNode, createRowParser, createStickyRowParser } from './recipient-row.js';
import { attachDeliveries, deliveryEntries, type DeliveryEntry } from './fan-out-deliveries.js';
import { writeChunkManifest } from './manifest-parts.js';
import { readAhead } from './read-ahead.js';
import { erasedAsUndefined, keepUploadVerdicts, refuse, refuseErased, type FanOutChunk } from './refused-rows.js';
import { scanChunks, type InvalidRow, type RowWarning, type StickyRowProps } from './scan-chunks.js';

export type { InvalidRow, RowWarning };

/** What fan-out needs; the campaign service passes its own deps through. */
export interface FanOutDeps extends PrepareRenderJobDeps {
  redis: Redis;
  /** The render lifecycle (createRenders) the chunks' renders are queued through. */
  renders: Pick<Renders, 'queueNew'>;
  /** Outputs are checked here (head); each chunk's manifest part is written here (put) before its commit. */
  store: Pick<ObjectStore, 'head' | 'put'>;
  /** When set, each new master's channel deliverables are requested (cut by transcode workers once it is published). */
  deliverables?: DeliverableRequests;
  /** Lazy campaigns: keeps a row's props server side (with its TTL) and returns their id for the row's links. */
  storeProps?: (props: Record<string, unknown>, recipientId: string) => Promise<string>;
  /** Engagement `delivered` events (src/engagement createDeliveryTracker); needs `plan.channels`. */
  deliveries?: FanOutDeliveries;
  /** Which of these recipients were erased (same order): their rows are refused, nothing is made for them. */
  erased?: (recipientIds: readonly string[]) => Promise<boolean[]>;
  /** Sticky campaigns: each recipient's props from their current profile (same order), or why not. */
  stickyProps?: (recipientIds: readonly string[]) => Promise<StickyRowProps[]>;
  /** Sticky `on-update` campaigns: records the recipients' links so that a profile change re-renders them (src/live). */
  rememberOnUpdate?: (recipientIds: readonly string[]) => Promise<void>;
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
  /** Per channel (same order as `channels`), the deliverables cut for it: the campaign waits for each. */
  channelSpecs?: readonly (readonly DeliverableSpec[])[];
  /** Sticky links: rows name recipients, whose current profiles give the props (deps.stickyProps); nothing is stored for a link. */
  sticky?: { onUpdate: boolean };
}

export interface FanOutLimits {
  /** Records per chunk; each chunk is one claim, one addBulk and one commit. */
  chunkSize: number;
  /** Largest CSV record / JSON line, in bytes. */
  maxRecordBytes: number;
  /** Reports (invalid rows, warnings) kept in Redis; beyond it they are only counted (`errorsDropped`). */
  maxStoredErrors: number;
  ttlSeconds: number;
}

/**
 * The bounded window: the fan-out queues a chunk only while fewer than
 * `size` of the campaign's renders are unsettled (renders - rendered -
 * failed), so a campaign holds at most `size` + one chunk of render jobs in
 * Redis whatever its file's length. While it waits, the file is not read on.
 */
export interface FanOutWindow {
  size: number;
  /** How often the counters are read again while the window is full. */
  pollMs: number;
  /** Called while waiting: settles renders other producers own (their hooks count nothing here). */
  settle?: () => Promise<void>;
}

/** One entry of a campaign's report (`GET /v1/campaigns/:id/errors`), in file order. */
export type CampaignReport = InvalidRow | RowWarning;

async function preparersOf(deps: FanOutDeps, plan: FanOutPlan) {
  // Template, variant and bundle are resolved once per variant, not once per row.
  const request = { templateId: plan.templateId, format: 'mp4', priorityClass: 'campaign', campaignId: plan.campaignId } as const;
  return Promise.all(plan.variants.map((variant) => createRenderJobPreparer(deps, { ...request, variant })));
}

/** How rows become props: their own columns, or (sticky) their recipient's profile. */
function rowsOf(deps: FanOutDeps, plan: FanOutPlan) {
  if (!plan.sticky) return { parseRow: createRowParser(plan.jsonSchema, { fromText: plan.format === 'csv' }) };
  return { parseRow: createStickyRowParser(plan.jsonSchema), stickyProps: deps.stickyProps! };
}

/**
 * The upload pass: every record of the file counted valid or invalid (each
 * invalid one with its line and field paths), warnings kept, chunk by chunk
 * as the bytes arrive, so an uploader sees its errors before the file is
 * fanned out. Nothing is queued here. When the source fails part way, the
 * rows read before are counted, then the error goes on up.
 */
export async function recordUpload(deps: FanOutDeps, plan: FanOutPlan, limits: FanOutLimits): Promise<void> {
  const keys = campaignKeys(plan.campaignId);
  const scan = scanChunks(plan.recipients, {
    format: plan.format,
    ...rowsOf(deps, plan),
    preparers: await preparersOf(deps, plan),
    lazy: Boolean(plan.lazy),
    hashProps: false,
    ...limits,
  });
  let storedErrors = 0;
  for await (const chunk of scan) {
    const reports = [...chunk.invalid, ...chunk.warnings].sort((a, b) => a.line - b.line);
    const keep = Math.max(0, Math.min(reports.length, limits.maxStoredErrors - storedErrors));
    storedErrors += keep;
    const tx = deps.redis.multi();
    if (keep > 0) tx.rpush(keys.errors, ...reports.slice(0, keep).map((row) => JSON.stringify(row)));
    tx.hincrby(keys.meta, 'total', chunk.entries);
    tx.hincrby(keys.meta, 'valid', chunk.valid.length);
    tx.hincrby(keys.meta, 'invalid', chunk.invalid.length);
    tx.hincrby(keys.meta, 'warnings', chunk.warnings.length);
    tx.hincrby(keys.meta, 'errorsDropped', reports.length - keep);
    tx.expire(keys.errors, limits.ttlSeconds);
    if (chunk.unprofiled.length > 0) tx.sadd(keys.unprofiled, ...chunk.unprofiled).expire(keys.unprofiled, limits.ttlSeconds);
    await tx.exec();
  }
}

/** Where a fan-out resumes: chunks committed and records they held (the campaign's checkpoint). */
export interface FanOutCheckpoint {
  chunk: number;
  entries: number;
}

/**
 * The fan-out pass over the stored recipients file, resumable: it passes
 * over the records the checkpoint says were committed, then per chunk
 * refuses erased recipients, claims the chunk's render keys in its own key
 * hash (deleted once they are all settled), adds the new jobs with one addBulk (job id = render key), requests
 * their deliverables, writes the chunk's manifest part to the object store,
 * and commits the part's name, counters and the new checkpoint in one script
 * (commitFanOutChunk). A kill at any point leaves
 * either the chunk committed or nothing of it counted; the re-run finds its
 * jobs already there. Chunks overlap three at a time (PIPELINE_DEPTH): while
 * chunk k-1's addBulk runs in Redis, chunk k is claimed, and its addBulk is
 * held until chunk k+1's claim has been sent, so that claim is not queued
 * behind it in Redis. Commits stay in file order, so the manifest keeps the
 * file's order, and Redis holds at most three uncommitted chunks per campaign.
 */
export async function fanOut(
  deps: FanOutDeps,
  plan: FanOutPlan,
  limits: FanOutLimits,
  from: FanOutCheckpoint = { chunk: 0, entries: 0 },
  window?: FanOutWindow,
  /** Aborted (a process shutting down): the fan-out stops between chunks; the checkpoint says where to resume. */
  signal?: AbortSignal,
): Promise<void> {
  const keys = campaignKeys(plan.campaignId);
  const tracked = deps.deliveries && plan.channels ? { deliveries: deps.deliveries, channels: plan.channels } : undefined;
  const scan = scanChunks(plan.recipients, {
    format: plan.format,
    ...rowsOf(deps, plan),
    preparers: await preparersOf(deps, plan),
    lazy: Boolean(plan.lazy),
    hashProps: Boolean(tracked),
    skipEntries: from.entries,
    ...limits,
  });
  let storedErrors = await deps.redis.llen(keys.errors);
  let seq = from.chunk;
  // Chunks claimed whose commit has not landed yet, oldest first (at most PIPELINE_DEPTH).
  const inFlight: InFlightChunk[] = [];
  let lastCommit: Promise<void> = Promise.resolve();
  // Every chunk claimed is added before this run waits on anything its commit may need (and before it ends).
  const sendAll = () => inFlight.forEach((c) => c.send());
  const drain = () => {
    sendAll();
    return Promise.all(inFlight.map((c) => c.committed)).then(() => undefined);
  };
  try {
    // Chunk k+1 is parsed and keyed while chunk k is in Redis (readAhead). Its claim goes to Redis
    // before chunk k's addBulk (held until then), so this process builds chunk k's addBulk while Redis
    // answers that claim, and builds chunk k+1's while Redis runs chunk k's. Commits stay one at a
    // time, in file order.
    for await (const scanned of readAhead(scan)) {
      signal?.throwIfAborted();
      while (inFlight.length >= PIPELINE_DEPTH) {
        inFlight[0]!.send();
        await inFlight[0]!.committed;
      }
      const chunk: FanOutChunk = { ...scanned, refused: [] };
      // Sticky campaigns first settle which rows still have the profile they had at upload (it may move rows out of `valid`).
      if (plan.sticky) await keepUploadVerdicts(deps.redis, keys.unprofiled, chunk);
      // The erasure check goes to Redis with the window check (one round trip, not two); it is asked
      // again when the window made the chunk wait, so an erase meanwhile is never missed.
      const lookup = lookupErased(deps, chunk);
      lookup.catch(() => undefined);
      const reserved = inFlight.reduce((n, c) => n + c.fresh, 0);
      const waited = window && chunk.jobs.size > 0 ? await waitForRoom(deps.redis, keys.meta, window, { reserved, drain, sendAll }, signal) : false;
      refuseErased(chunk, waited ? await lookupErased(deps, chunk) : await lookup);
      // The rows of a campaign that renders are final now: their manifest part is written while the renders are queued.
      const part = plan.lazy ? undefined : writeChunkManifest(deps.store, plan.campaignId, seq, chunk.valid);
      part?.catch(() => undefined);
      // Who waits on each master rides in the job's data; the render worker turns it into `delivered` events.
      const waiting = tracked && !plan.lazy ? deliveryEntries(chunk.valid, tracked.channels) : [];
      // A key of a chunk whose addBulk may still be running is that chunk's: the claim could not see its job yet.
      for (const earlier of inFlight) if (!earlier.added) for (const key of earlier.keys) chunk.jobs.delete(key);
      const carried = attachDeliveries(chunk.jobs, waiting);
      const claimedIn = chunkKeys(plan.campaignId, seq);
      // The claim is on its way (queueNew sends it before its first await); then the chunks held go.
      const claiming = deps.renders.queueNew({ campaignId: plan.campaignId, chunk: seq, keys: claimedIn, meta: keys.meta }, chunk.jobs);
      sendAll();
      const outcome = await claiming;
      let send!: () => void;
      const inRedis = new Promise<void>((resolve, reject) => (send = () => void outcome.add().then(resolve, reject)));
      inRedis.catch(() => undefined);
      const entry: InFlightChunk = { fresh: outcome.fresh, keys: [...chunk.jobs.keys()], added: false, send, committed: Promise.resolve() };
      void inRedis.then(() => (entry.added = true), () => undefined);
      const at = seq++;
      const commit = async () => {
        await inRedis;
        // The rest (a master cached or queued by someone else, a props row repeated in a later chunk, more
        // recipients than a job carries) waits in Redis; then the published ones are delivered now.
        const rest = waiting.filter((e) => !(outcome.addedKeys.has(e.renderKey) && carried.has(e)));
        if (rest.length > 0) {
          await tracked!.deliveries.awaitRenders(plan.campaignId, plan.templateId, rest);
          const distinct = [...new Set(rest.map((e) => e.renderKey))];
          // Published already (cached, or rendered for an earlier chunk): the output index says done. It is
          // read after the waiters were recorded, and the worker writes it before it reads them: one of the two delivers.
          const read = deps.redis.pipeline();
          for (const key of distinct) read.hget(redisKeys.output(key), 'state');
          const states = (await read.exec()) ?? [];
          const rendered = new Set([...outcome.cached, ...distinct.filter((_, i) => states[i]?.[1] === 'done')]);
          await tracked!.deliveries.settleRendered(plan.campaignId, plan.templateId, rest, rendered);
        }
        await requestDeliverables(deps, plan, outcome.freshJobs);
        if (plan.sticky?.onUpdate && chunk.valid.length > 0) await deps.rememberOnUpdate!(chunk.valid.map((row) => row.recipientId));
        if (plan.lazy) {
          // The line names the stored props instead of render keys: links are sealed from it when the manifest is read.
          // A recipient erased since the check above is refused here (SUBJECT_ERASED), one row, never the campaign.
          // Sticky links name the recipient instead: nothing is stored, the line names the recipient only.
          if (!plan.sticky) {
            const refs = await Promise.all(chunk.valid.map((row) => deps.storeProps!(row.props!, row.recipientId).catch(erasedAsUndefined)));
            chunk.valid.forEach((row, i) => (row.keys = refs[i] === undefined ? [] : [refs[i]]));
            refuse(chunk, chunk.valid.map((row) => row.keys.length === 0));
          }
          // A lazy campaign's links can be issued from now on (its manifest): that is its delivery.
          if (tracked) {
            const entries = chunk.valid.flatMap((row) => tracked.channels.names.map((channel) => ({ recipientId: row.recipientId, channel, propsHash: row.propsHash! })));
            await tracked.deliveries.deliverNow(plan.campaignId, plan.templateId, entries);
          }
        }
        // Rows refused here were counted valid by the upload pass: they move to invalid, with their report.
        const keep = Math.max(0, Math.min(chunk.refused.length, limits.maxStoredErrors - storedErrors));
        storedErrors += keep;
        const counters = {
          valid: -chunk.refused.length,
          invalid: chunk.refused.length,
          errorsDropped: chunk.refused.length - keep,
          renders: outcome.fresh,
          queued: outcome.added + outcome.joined.length,
        };
        // The rows go to the object store; the commit names the part (a re-run writes and names its own).
        const manifest = await (part ?? writeChunkManifest(deps.store, plan.campaignId, at, chunk.valid));
        const reports = chunk.refused.slice(0, keep).map((row) => JSON.stringify(row));
        const added = [...outcome.addedKeys];
        const wanted = wantedDeliverables(plan, outcome.freshJobs);
        const committed = await runScript(
          deps.redis,
          commitFanOutChunk,
          [
            ...[keys.meta, keys.manifestParts, keys.errors, claimedIn, keys.foreign],
            ...added.map((key) => outcome.jobKey(key)),
            ...wanted.flatMap((d) => [redisKeys.output(d.key), redisKeys.deliverableWaiters(d.key)]),
          ],
          [
            ...[at, chunk.entries, JSON.stringify(counters), plan.campaignId],
            ...[manifest.length, reports.length, outcome.cached.length, added.length, outcome.joined.length, wanted.length, outcome.jobKey('').length],
            ...[...manifest, ...reports, ...outcome.cached, ...outcome.joined, ...wanted.map((d) => d.channel)],
          ],
        );
        // Another runner committed this chunk (BullMQ gave a stalled fan-out to another process): it goes on, this one stops.
        if (committed !== 1) throw new Error(`fan-out of ${plan.campaignId} superseded at chunk ${at}`);
      };
      // In file order: each commit starts once the one before it landed (a failed one fails those after it).
      entry.committed = lastCommit = lastCommit.then(commit).finally(() => inFlight.splice(inFlight.indexOf(entry), 1));
      entry.committed.catch(() => undefined);
      inFlight.push(entry);
    }
    sendAll();
    await lastCommit;
  } finally {
    sendAll();
    // Nothing of this run lands after it returns or throws (a runner resuming after it reads a settled checkpoint).
    await Promise.allSettled(inFlight.map((c) => c.committed));
  }
  const tx = deps.redis.multi();
  for (const key of allCampaignKeys(plan.campaignId, seq)) tx.expire(key, limits.ttlSeconds);
  await tx.exec();
}

/**
 * Resolves once fewer than `window.size` of the campaign's renders are
 * unsettled: true when it had to wait. The chunks in flight count too
 * (`reserved`, their new renders, not yet in the campaign's counters); when
 * they make the window full, their commits are awaited (`drain`) and the
 * counters read again, so the bound stays the window and one chunk.
 */
async function waitForRoom(
  redis: Redis,
  metaKey: string,
  window: FanOutWindow,
  inFlight: { reserved: number; drain: () => Promise<void>; sendAll: () => void },
  signal?: AbortSignal,
): Promise<boolean> {
  let reserved = inFlight.reserved;
  for (let waited = false; ; waited = true) {
    signal?.throwIfAborted();
    const [renders, rendered, failed] = (await redis.hmget(metaKey, 'renders', 'rendered', 'failed')).map(Number);
    if (renders! - rendered! - failed! + reserved < window.size) return waited;
    if (reserved > 0) {
      await inFlight.drain();
      reserved = 0;
      continue;
    }
    // Nothing held back waits for the renders to settle (a chunk of cached keys still has a commit to make).
    inFlight.sendAll();
    await window.settle?.();
    await new Promise((resolve) => setTimeout(resolve, window.pollMs));
  }
}

/** Which of the chunk's valid rows (same order) belong to erased recipients; none without an erasure check. */
async function lookupErased(deps: FanOutDeps, chunk: FanOutChunk): Promise<boolean[]> {
  if (!deps.erased || chunk.valid.length === 0) return [];
  return deps.erased(chunk.valid.map((row) => row.recipientId));
}

/**
 * How many chunks may be claimed before the oldest one's commit lands. Three:
 * chunk k-1's addBulk runs in Redis, chunk k's is held until chunk k+1's
 * claim has gone. One chunk at a time, the fan-out sat idle 43% of its time
 * waiting on Redis. Each chunk in flight is a few hundred jobs.
 */
const PIPELINE_DEPTH = 3;

/** A chunk between its claim and its commit. */
interface InFlightChunk {
  /** Its renders new to the campaign, not yet in the counters the window reads. */
  fresh: number;
  /** Its render keys. */
  keys: string[];
  /** Its addBulk is in Redis: a later claim sees its jobs. */
  added: boolean;
  /** Sends its addBulk, held from its claim until the next chunk's claim is sent (a second call does nothing). */
  send: () => void;
  committed: Promise<void>;
}

/** Each new master's channel deliverables, once per channel that wants it (the campaign counts them per channel). */
function wantedDeliverables(plan: FanOutPlan, jobs: readonly PreparedRenderJob[]): { key: string; channel: string }[] {
  if (!plan.channelSpecs || !plan.channels) return [];
  const { names, variantIndex } = plan.channels;
  return jobs.flatMap((job) => {
    const v = plan.variants.indexOf(job.data.variant);
    return names.flatMap((channel, c) => (variantIndex[c] === v ? plan.channelSpecs![c]!.map((spec) => ({ key: deliverableKey(job.renderKey, spec), channel })) : []));
  });
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
