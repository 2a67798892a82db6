import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import { markCampaignDone, runScript } from '../redis/index.js';
import { renderOutputKey, restoreFromStore, type RenderOutputIndex } from '../renders/index.js';
import type { ObjectStore } from '../storage/index.js';
import { countOutcome } from './campaign-hooks.js';
import { campaignKeys } from './campaign-keys.js';
import type { CampaignCounts, CampaignState, CampaignStatus } from './campaign.schema.js';

/** Foreign keys checked per status call: bounds the cost of one call, the rest is settled by the next ones. */
const SETTLE_BATCH = 200;
/** Store lookups per call for keys without a record (an expired done record, or not started yet): each is a HEAD. */
const STORE_LOOKUPS = 20;

const COUNT_FIELDS = ['total', 'valid', 'invalid', 'warnings', 'renders', 'queued', 'cached', 'rendered', 'failed'] as const;

/** The campaign's stored hash, or NOT_FOUND. */
export async function readCampaignMeta(redis: Redis, id: string): Promise<Record<string, string>> {
  const meta = await redis.hgetall(campaignKeys(id).meta);
  if (!meta.templateId) throw new AppError('NOT_FOUND', `no campaign ${id}`, { details: { campaignId: id } });
  return meta;
}

/**
 * Settles keys whose job another producer owns: their hooks count nothing
 * here, so their outcome is read from the output index (done / failed) and
 * counted through the same idempotent script the hooks use, in the key hash
 * of the chunk that claimed them (members are `<chunk> <key>`). Bounded per call.
 * A key without a record may be done with its record expired (the done-record
 * retention): a few per call are looked up in the store (campaign masters are
 * `renders/<key>.mp4`), or a campaign nobody polled within the retention
 * would wait for them for ever.
 */
export async function settleForeignKeys(redis: Redis, outputs: { index: Pick<RenderOutputIndex, 'get' | 'restore'>; store: Pick<ObjectStore, 'head'> }, id: string): Promise<number> {
  const foreignKey = campaignKeys(id).foreign;
  const members = await redis.srandmember(foreignKey, SETTLE_BATCH);
  let settled = 0;
  let lookups = 0;
  for (const member of members) {
    const [chunk = '', key = ''] = member.split(' ');
    // A member without a chunk was written by an older version: it cannot be counted any more.
    if (!/^\d+$/.test(chunk) || !key) {
      await redis.srem(foreignKey, member);
      continue;
    }
    const record = await outputs.index.get(key);
    let state = record?.state;
    if (!record && lookups++ < STORE_LOOKUPS && (await restoreFromStore(outputs, key, renderOutputKey(key, 'mp4')))) state = 'done';
    if (state === 'done' || state === 'failed') {
      if ((await countOutcome(redis, id, Number(chunk), key, state === 'done' ? 'rendered' : 'failed')) > 0) settled++;
    }
  }
  return settled;
}

/** Marks the campaign done when complete (the hooks do the same); true when it turned done now. */
export async function markDoneIfComplete(redis: Redis, id: string, now = Date.now()): Promise<boolean> {
  return (await runScript(redis, markCampaignDone, [campaignKeys(id).meta], [String(now)])) === 1;
}

/**
 * Builds the public status from the stored hash. The ETA assumes the renders
 * left finish at the rate the worker-made ones (rendered + failed - cached)
 * have finished since creation.
 */
export function toCampaignStatus(id: string, meta: Record<string, string>, now = Date.now()): CampaignStatus {
  const counts = Object.fromEntries(COUNT_FIELDS.map((f) => [f, Number(meta[f] ?? 0)])) as unknown as CampaignCounts;
  // The fan-out's checkpoint, as a count (the hash field is the resume position).
  counts.fannedOut = Number(meta.fanOutEntries ?? 0);
  const state = (meta.state ?? 'ingesting') as CampaignState;
  const finished = counts.rendered + counts.failed;
  const progress = state === 'done' ? 1 : counts.renders > 0 ? Math.min(1, finished / counts.renders) : 0;
  const createdAt = Number(meta.createdAt);
  const workerDone = finished - counts.cached;
  const elapsedSeconds = (now - createdAt) / 1000;
  const remaining = Math.max(0, counts.renders - finished);
  const status: CampaignStatus = {
    id,
    templateId: meta.templateId ?? '',
    templateVersion: meta.templateVersion ?? '',
    mode: meta.mode ?? 'prerender',
    channels: (meta.channels ?? '').split(',').filter(Boolean),
    channelVariants: (meta.channelVariants ?? '').split(',').filter(Boolean),
    links: meta.links || 'sealed',
    ...(meta.refresh ? { refresh: meta.refresh } : {}),
    state,
    counts,
    progress,
    createdAt: new Date(createdAt).toISOString(),
    errorsDropped: Number(meta.errorsDropped ?? 0),
  };
  if (meta.deliverables === '1') {
    status.deliverables = Object.fromEntries(
      status.channels.map((c) => [c, { queued: Number(meta[`dl:${c}:wanted`] ?? 0), cut: Number(meta[`dl:${c}:cut`] ?? 0), failed: Number(meta[`dl:${c}:failed`] ?? 0) }]),
    );
  }
  if (state === 'done') status.etaSeconds = 0;
  else if (workerDone > 0 && elapsedSeconds > 0) status.etaSeconds = Math.round(remaining / (workerDone / elapsedSeconds));
  if (meta.ingestedAt) status.ingestedAt = new Date(Number(meta.ingestedAt)).toISOString();
  if (meta.finishedAt) status.finishedAt = new Date(Number(meta.finishedAt)).toISOString();
  if (meta.error) status.error = meta.error;
  if (meta.errorMessage) status.errorMessage = meta.errorMessage;
  return status;
}
