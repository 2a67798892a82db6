import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import { redisKeys as defaultKeys, runScript, upsertProfile, type RedisKeys } from '../redis/index.js';
import { applyMergePatch } from './merge-patch.js';
import { PROFILE_HISTORY_LENGTH, readProfileHistory, type ProfileHistoryEntry } from './profile-history.js';
import { canonicalFields } from './profile-fields.js';
import { assertRecipientId } from './recipient-id.js';

/** What a write answers. */
export interface ProfileVersion {
  recipientId: string;
  version: number;
  /** propsHash of the fields: sha256 of their canonical JSON. */
  hash: string;
  updatedAt: string;
}

/** A stored profile. */
export interface Profile extends ProfileVersion {
  fields: Record<string, unknown>;
}

export interface ProfileStoreOptions {
  /** Largest profile, in bytes of canonical JSON (RECIPIENT_PROFILE_MAX_BYTES). */
  maxBytes: number;
  /** Key layout; tests pass their own base. */
  keys?: RedisKeys;
  /** How often a PATCH re-reads after losing a race before it gives up (503). Default 100. */
  maxPatchAttempts?: number;
  now?: () => Date;
  /** Called after a PUT or PATCH that changed a profile (a new version); not for bulk rows. Must not throw. */
  onChanged?: (version: ProfileVersion) => void;
}

export type ProfileStore = ReturnType<typeof createProfileStore>;

type ScriptReply = [outcome: 'conflict' | 'unchanged' | 'changed', version: string, hash: string, updatedAt: string];

/**
 * Recipient profiles in Redis: one hash per recipient. Every write goes
 * through one script (upsertProfile) that keeps version and hash in step:
 * a write whose content hash is the stored one changes nothing, any other
 * bumps the version. A PATCH is optimistic: read, merge here (canonical
 * JSON and hashing stay in one place, in TypeScript), write if the version
 * is still the one read, else read again; so concurrent PATCHes all land.
 */
export function createProfileStore(redis: Redis, options: ProfileStoreOptions) {
  const keys = options.keys ?? defaultKeys;
  const now = options.now ?? (() => new Date());
  const maxAttempts = options.maxPatchAttempts ?? 100;

  const profileKeys = (recipientId: string) => [keys.recipientProfile(recipientId), keys.recipientHistory(recipientId)];
  const write = async (recipientId: string, fields: unknown, expected: string): Promise<ScriptReply> => {
    const canonical = canonicalFields(fields, options.maxBytes);
    return (await runScript(redis, upsertProfile, profileKeys(recipientId), [expected, canonical.json, canonical.hash, now().toISOString(), PROFILE_HISTORY_LENGTH])) as ScriptReply;
  };
  const answer = (recipientId: string, reply: ScriptReply): ProfileVersion => {
    const version = { recipientId, version: Number(reply[1]), hash: reply[2], updatedAt: reply[3] };
    if (reply[0] === 'changed') options.onChanged?.(version);
    return version;
  };

  const get = async (recipientId: string): Promise<Profile | undefined> => {
    assertRecipientId(recipientId);
    const [fields, version, hash, updatedAt] = await redis.hmget(keys.recipientProfile(recipientId), 'fields', 'version', 'hash', 'updatedAt');
    if (fields === null || version === null) return undefined;
    return { recipientId, fields: JSON.parse(fields) as Record<string, unknown>, version: Number(version), hash: hash ?? '', updatedAt: updatedAt ?? '' };
  };

  return {
    get,

    /** Replaces the fields (creates the profile). Same content: same version. */
    async put(recipientId: string, fields: unknown): Promise<ProfileVersion> {
      assertRecipientId(recipientId);
      return answer(recipientId, await write(recipientId, fields, ''));
    },

    /** Applies an RFC 7396 merge patch to an existing profile (NOT_FOUND when there is none). */
    async patch(recipientId: string, patch: unknown): Promise<ProfileVersion> {
      assertRecipientId(recipientId);
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw new AppError('INVALID_ARGUMENT', 'a profile patch is a JSON object (RFC 7396 merge patch)', { details: { issues: [{ path: '(root)', message: 'expected an object' }] } });
      }
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const current = await get(recipientId);
        if (!current) throw new AppError('NOT_FOUND', 'no profile for this recipient (PUT creates one)');
        const reply = await write(recipientId, applyMergePatch(current.fields, patch), String(current.version));
        if (reply[0] !== 'conflict') return answer(recipientId, reply);
      }
      throw new AppError('REDIS_UNAVAILABLE', `profile patch lost ${maxAttempts} races in a row; try again`);
    },

    /** A profile's last versions (at most PROFILE_HISTORY_LENGTH), oldest first; empty when there is none. */
    async history(recipientId: string): Promise<ProfileHistoryEntry[]> {
      assertRecipientId(recipientId);
      return readProfileHistory(redis, keys.recipientHistory(recipientId));
    },

    /** Deletes a profile and its history; true when there was one. */
    async delete(recipientId: string): Promise<boolean> {
      assertRecipientId(recipientId);
      const [[, deleted] = [null, 0]] = (await redis.multi().del(keys.recipientProfile(recipientId)).del(keys.recipientHistory(recipientId)).exec()) ?? [];
      return Number(deleted) > 0;
    },

    /** Writes many profiles in one round trip (bulk upsert); each is a PUT. */
    async putMany(profiles: readonly { recipientId: string; json: string; hash: string }[]): Promise<void> {
      if (profiles.length === 0) return;
      const at = now().toISOString();
      const run = () => {
        const pipeline = redis.pipeline();
        for (const p of profiles) pipeline.evalsha(upsertProfile.sha, 2, ...profileKeys(p.recipientId), '', p.json, p.hash, at, PROFILE_HISTORY_LENGTH);
        return pipeline.exec();
      };
      let results = (await run()) ?? [];
      if (results.some(([err]) => err && err.message.startsWith('NOSCRIPT'))) {
        // Loaded once per server, then the whole batch again: every write is idempotent (same hash, same version).
        // Loaded by running the first write (EVAL caches it where the keys live; SCRIPT LOAD names no key, and a Redis Cluster would send it to a random primary).
        const p = profiles[0]!;
        await runScript(redis, upsertProfile, profileKeys(p.recipientId), ['', p.json, p.hash, at, PROFILE_HISTORY_LENGTH]);
        results = (await run()) ?? [];
      }
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    },

    maxBytes: options.maxBytes,
  };
}
