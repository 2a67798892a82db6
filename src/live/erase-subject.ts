import type { Redis } from 'ioredis';
import type { OutputIndex, Renders } from '../renders/index.js';
import { AppError } from '../errors/index.js';
import { redisKeys, redisNowMs } from '../redis/index.js';
import type { ObjectStore } from '../storage/index.js';
import type { StoredProps } from './stored-props.js';
import { parseSubjectMembers, subjectHash } from './subject-index.js';

/** How long an erased recipient's links stay refused; longer than any link lives. */
export const DEFAULT_TOMBSTONE_TTL_S = 400 * 86_400;
/** How long an erased key stops in-flight renders from publishing; longer than any render runs. */
export const DEFAULT_KEY_TOMBSTONE_TTL_S = 86_400;
/**
 * How far past the erasure the key tombstones reach when a render of the
 * subject was in flight: a worker reads its render's start just after it
 * takes the job, and one that took it while the jobs were being removed and
 * then stalled (CPU, GC) must still be refused. The price: a render of the
 * same key for someone else that starts this soon after such an erasure is
 * refused too.
 */
export const IN_FLIGHT_MARGIN_MS = 5_000;

export interface EraseSubjectDeps {
  redis: Redis;
  /** The render lifecycle (createRenders with the transcode queue): removes the subject's render and transcode jobs. */
  renders: Pick<Renders, 'removeJobs'>;
  store: ObjectStore;
  outputIndex: OutputIndex;
  storedProps: Pick<StoredProps, 'delete'>;
  /**
   * Tells every API process, right after the tombstone is set, so their
   * in-memory memos drop the subject before anything else happens
   * (ErasureBroadcast.announce: resolves once every process confirmed).
   */
  announce?: (subject: string) => Promise<unknown>;
  /** What other domains hold about the subject (engagement events, aggregates, conversions, click references, webhook deliveries, the recipient profile); counted in the result. */
  eraseElsewhere?: (recipientId: string) => Promise<Partial<Pick<EraseCounts, 'events' | 'aggregateEntries' | 'conversions' | 'clickRefs' | 'webhookEvents' | 'profiles' | 'connectorCopies'>>>;
}

export interface EraseSubjectOptions {
  /** Who asked (an API key id, an operator): recorded in the audit log. */
  actor: string;
  tombstoneTtlSeconds?: number;
  keyTombstoneTtlSeconds?: number;
  /** Store prefixes below which a key's files live (`<prefix><key>...`). Default renders/ and deliverables/. */
  storagePrefixes?: readonly string[];
  /**
   * The audit entry's time (ms since the epoch); default Redis's clock at the
   * start. The key tombstones always take Redis's clock: renders compare them
   * with their start read from it (wasKeyErasedSince).
   */
  now?: number;
}

export interface EraseCounts {
  /** Jobs removed from the queues (waiting, delayed, finished). */
  jobs: number;
  /** Active jobs, which cannot be removed: their key tombstones stop them from publishing. */
  activeJobs: number;
  /** Objects deleted from the store. */
  outputs: number;
  indexEntries: number;
  storedProps: number;
  /** Engagement events (stream entries) that named the subject. */
  events: number;
  /** Engagement aggregate entries keyed by the subject (the counters keep their counts). */
  aggregateEntries: number;
  /** Conversions whose recipient id was removed (their amounts stay in the campaign's totals). */
  conversions: number;
  /** Click references (the conversion pixel's tie to a CTA click) deleted. */
  clickRefs: number;
  /** The subject's events removed from pending, failed and completed webhook and CDP deliveries and dead letters. */
  webhookEvents: number;
  /** Recipient profiles deleted (0 or 1). */
  profiles: number;
  /** Cached CRM connector copies of the recipient deleted (0 or 1). */
  connectorCopies: number;
}

export interface EraseSubjectResult {
  /** sha256 of the recipient id: what the audit log names. */
  subject: string;
  counts: EraseCounts;
}

const ACTOR_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,127}$/;

function ttlOption(value: number | undefined, fallback: number, name: string): number {
  const ttl = value ?? fallback;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new AppError('INVALID_ARGUMENT', `${name} must be a positive integer`);
  return ttl;
}

/**
 * Erases everything recorded for one recipient: pending jobs, outputs and
 * their index entries, stored props, and (through `eraseElsewhere`) their
 * engagement events, aggregate entries, conversions, click references,
 * webhook deliveries and recipient profile. Idempotent (a
 * second call reports zeros) and audited.
 *
 * The tombstone is set first. From then on recordSubject refuses new entries,
 * isErased refuses the recipient's links and event ingestion refuses their
 * events, so what is read next is complete; then every API process is told
 * (`announce`) and has dropped the subject from memory before anything is
 * deleted. Active jobs cannot be removed; each key also gets a tombstone
 * that the render worker checks (wasKeyErasedSince) before and after it
 * publishes, so an in-flight render leaves nothing behind. Its value is a
 * time on Redis's clock (redisNowMs), as is every render's start: a render
 * of the same key that starts after the erasure (someone else's) is not
 * refused, with no margin for hosts' clocks (IN_FLIGHT_MARGIN_MS past it
 * where a render of the subject was in flight).
 */
export async function eraseSubject(deps: EraseSubjectDeps, recipientId: string, options: EraseSubjectOptions): Promise<EraseSubjectResult> {
  if (typeof options.actor !== 'string' || !ACTOR_PATTERN.test(options.actor)) {
    throw new AppError('INVALID_ARGUMENT', 'actor must be 1 to 128 printable ASCII characters');
  }
  const tombTtl = ttlOption(options.tombstoneTtlSeconds, DEFAULT_TOMBSTONE_TTL_S, 'tombstoneTtlSeconds');
  const keyTombTtl = ttlOption(options.keyTombstoneTtlSeconds, DEFAULT_KEY_TOMBSTONE_TTL_S, 'keyTombstoneTtlSeconds');
  const prefixes = options.storagePrefixes ?? ['renders/', 'deliverables/'];
  const startedAt = await redisNowMs(deps.redis);
  const now = options.now ?? startedAt;
  const subject = subjectHash(recipientId);
  const { redis } = deps;

  await redis.set(redisKeys.tombstone(subject), String(now), 'EX', tombTtl);
  await deps.announce?.(subject);
  const items = parseSubjectMembers(await redis.smembers(redisKeys.subject(subject)));
  const keys = [...new Set([...items.renderKeys, ...items.deliverableKeys])];
  const jobIds = [...new Set([...keys, ...items.jobIds])];
  const counts: EraseCounts = { jobs: 0, activeJobs: 0, outputs: 0, indexEntries: 0, storedProps: 0, events: 0, aggregateEntries: 0, conversions: 0, clickRefs: 0, webhookEvents: 0, profiles: 0, connectorCopies: 0 };

  // Set before the jobs are removed, so renders in flight stop at once.
  await markKeys(redis, jobIds, startedAt, keyTombTtl);

  // Active jobs (locked) stay; their key tombstones, set above, stop them from publishing.
  const removed = await deps.renders.removeJobs(jobIds);
  counts.jobs += removed.removed;
  counts.activeJobs += removed.active;
  // A worker may have taken one of these jobs while they were being removed,
  // so its render started after `startedAt`: moved past now (IN_FLIGHT_MARGIN_MS),
  // the tombstones cover it. With nothing in flight no render of the subject's
  // can start from here on (its jobs are gone), so a later one of the same key
  // (someone else's) is not refused, however soon.
  if (removed.active > 0) await markKeys(redis, jobIds, (await redisNowMs(redis)) + IN_FLIGHT_MARGIN_MS, keyTombTtl);

  for (const key of keys) {
    const record = await deps.outputIndex.get(key);
    if (record?.storageKey && (await deps.store.delete(record.storageKey))) counts.outputs++;
    for (const prefix of prefixes) counts.outputs += await deps.store.deletePrefix(`${prefix}${key}`);
    if (await deps.outputIndex.delete(key)) counts.indexEntries++;
    // A live render's streamed bytes (the whole video) wait in Redis for late readers.
    await redis.del(redisKeys.renderStream(key));
  }

  for (const id of items.storedPropsIds) {
    if (await deps.storedProps.delete(id)) counts.storedProps++;
  }
  Object.assign(counts, await deps.eraseElsewhere?.(recipientId));

  // The set goes last, with the audit entry, in one transaction: a failure
  // before this point leaves the set for a retry to finish the job.
  const done = await redis
    .multi()
    .del(redisKeys.subject(subject))
    // The audit log of erasures: a Redis stream of entries without personal data.
    .xadd(redisKeys.audit, '*', 'at', new Date(now).toISOString(), 'actor', options.actor, 'action', 'erase', 'subject', subject, 'counts', JSON.stringify(counts))
    .exec();
  const failed = done?.find(([err]) => err);
  if (!done || failed) throw failed?.[0] ?? new AppError('INTERNAL', 'Erasure audit transaction aborted');
  return { subject, counts };
}

/** Sets the key tombstones of `ids` to `at` (ms, Redis's clock). */
async function markKeys(redis: Redis, ids: readonly string[], at: number, ttl: number): Promise<void> {
  if (ids.length === 0) return;
  const marks = redis.pipeline();
  for (const id of ids) marks.set(redisKeys.keyTombstone(id), String(at), 'EX', ttl);
  const results = (await marks.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
}
