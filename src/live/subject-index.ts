import type { Redis } from 'ioredis';
import { isKey, sha256Hex } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import { existsEach, recordSubjectItems, redisKeys, runScript } from '../redis/index.js';
import { STORED_PROPS_ID_PATTERN } from './live-token.schema.js';

/** A subject set outlives what it points to; callers pass longer TTLs when needed. */
export const DEFAULT_SUBJECT_TTL_S = 400 * 86_400;

/** What may belong to a recipient. Render keys are also job ids. */
export interface SubjectItems {
  renderKeys?: readonly string[];
  deliverableKeys?: readonly string[];
  storedPropsIds?: readonly string[];
  /** Ids of jobs that are not keyed by a render/deliverable key. */
  jobIds?: readonly string[];
}

/** Who to look up: the recipient id, or its hash when only that is at hand. */
export type SubjectRef = { recipientId: string } | { subjectHash: string };

const MEMBER_TAGS = { renderKeys: 'r', deliverableKeys: 'd', storedPropsIds: 'p', jobIds: 'j' } as const;
const JOB_ID_PATTERN = /^[A-Za-z0-9:_.-]{1,128}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * sha256(recipientId), hex: the only form in which a recipient id is used in
 * Redis key names and the audit log. It is a pseudonym, not an anonymisation:
 * a guessable id (an e-mail address) can be confirmed by hashing it.
 */
export function subjectHash(recipientId: string): string {
  if (typeof recipientId !== 'string' || recipientId.length === 0 || recipientId.length > 256) {
    throw new AppError('INVALID_ARGUMENT', 'A recipient id is 1 to 256 characters');
  }
  return sha256Hex(recipientId);
}

/** The subject hash of a reference (validated when given as a hash). */
export function resolveSubjectHash(ref: SubjectRef): string {
  if ('recipientId' in ref) return subjectHash(ref.recipientId);
  if (!HASH_PATTERN.test(ref.subjectHash)) throw new AppError('INVALID_ARGUMENT', 'A subject hash is 64 hex characters');
  return ref.subjectHash;
}

/** Turns items into tagged set members (`r:<key>`), validating each. */
export function subjectMembers(items: SubjectItems): string[] {
  const members: string[] = [];
  for (const [field, tag] of Object.entries(MEMBER_TAGS) as [keyof SubjectItems, string][]) {
    for (const value of items[field] ?? []) {
      const ok =
        field === 'storedPropsIds' ? STORED_PROPS_ID_PATTERN.test(value) : field === 'jobIds' ? JOB_ID_PATTERN.test(value) : isKey(value);
      if (!ok) throw new AppError('INVALID_ARGUMENT', `Invalid subject item in ${field}`, { details: { field } });
      members.push(`${tag}:${value}`);
    }
  }
  return members;
}

/** Parses tagged members back into items. Unknown tags are ignored. */
export function parseSubjectMembers(members: readonly string[]): Required<SubjectItems> {
  const items = { renderKeys: [] as string[], deliverableKeys: [] as string[], storedPropsIds: [] as string[], jobIds: [] as string[] };
  for (const member of members) {
    const value = member.slice(2);
    const field = (Object.keys(MEMBER_TAGS) as (keyof SubjectItems)[]).find((f) => member.startsWith(`${MEMBER_TAGS[f]}:`));
    if (field) items[field].push(value);
  }
  return items;
}


/**
 * Records what belongs to a recipient, so eraseSubject can find it. Throws
 * AppError('SUBJECT_ERASED') when the recipient was erased: nothing new is
 * made for an erased subject while its tombstone lasts.
 */
export async function recordSubject(
  redis: Redis,
  recipientId: string,
  items: SubjectItems,
  options: { ttlSeconds?: number } = {},
): Promise<void> {
  const hash = subjectHash(recipientId);
  const members = subjectMembers(items);
  if (members.length === 0) return;
  const ttl = options.ttlSeconds ?? DEFAULT_SUBJECT_TTL_S;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new AppError('INVALID_ARGUMENT', 'ttlSeconds must be a positive integer');
  const result = await runScript(redis, recordSubjectItems, [redisKeys.tombstone(hash), redisKeys.subject(hash)], [String(ttl), ...members]);
  if (result === -1) throw new AppError('SUBJECT_ERASED', 'This recipient was erased', { details: { subject: hash } });
}

/**
 * True when the recipient was erased (its tombstone is set). Routes call it
 * before serving or rendering anything a link with a recipient id names.
 */
export async function isErased(redis: Redis, ref: SubjectRef): Promise<boolean> {
  return (await redis.exists(redisKeys.tombstone(resolveSubjectHash(ref)))) === 1;
}

/** The tombstone key of a recipient: other domains check it inside their own scripts (event ingestion). */
export function tombstoneKey(recipientId: string): string {
  return redisKeys.tombstone(subjectHash(recipientId));
}


/** Which of these recipients were erased (same order), in one round trip. */
export async function areErased(redis: Redis, recipientIds: readonly string[]): Promise<boolean[]> {
  if (recipientIds.length === 0) return [];
  const found = (await runScript(redis, existsEach, recipientIds.map(tombstoneKey))) as number[];
  return found.map((value) => value === 1);
}

/**
 * For the render worker, before publishing and once more after (which closes
 * the race with an erase that runs in between): true when `key` was erased
 * at or after `startedAt` (when this render began, in ms on Redis's clock:
 * redisNowMs, the clock the erasure's key tombstone is written on). A render
 * that began after the erase (the same props for someone else) is not
 * affected, however soon after; one that began in the same millisecond is.
 */
export async function wasKeyErasedSince(redis: Redis, key: string, startedAt: number): Promise<boolean> {
  const at = await redis.get(redisKeys.keyTombstone(key));
  return at !== null && Number(at) >= startedAt;
}
