import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { redisKeys, restoreOutputRecord, runScript, updateOutputRecord, type RedisKeys } from '../redis/index.js';
import { isKey } from '../cache/index.js';
import { outputRecordSchema, type OutputRecord } from './output-record.schema.js';

export interface OutputIndexOptions {
  /** The key registry (tests pass one under a base of their own). Default: the farm's. */
  keys?: RedisKeys;
  /** Expire records this many seconds after their last set/update; none by default. */
  ttlSeconds?: number;
  /**
   * Expire a record this many seconds after it turned `done` (0 or absent:
   * never). Its bytes are in the object store, which is the durable index: a
   * reader that misses the record finds the object at the storage key it
   * derives from the render key (findStoredOutput) and re-creates the record.
   * What keeps Redis flat in campaign size (docs/capacity.md section 3).
   */
  doneTtlSeconds?: number;
}

/** How a `restore` ended: re-created, left alone (a record exists), or refused (the key was erased). */
export type RestoreOutcome = 'restored' | 'exists' | 'erased';

/** A change to a record: `undefined` removes an optional field (e.g. a stale `error`). */
export type OutputRecordPatch = Partial<Omit<OutputRecord, 'key' | 'updatedAt'>>;

/** The output index: what is known about each render key's output. */
export interface OutputIndex {
  get(key: string): Promise<OutputRecord | undefined>;
  /** Several records in one round trip, in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<(OutputRecord | undefined)[]>;
  /** Replaces the whole record (fields it lacks are removed). */
  set(record: OutputRecord): Promise<void>;
  /** Merges a patch into an existing record and refreshes updatedAt; false when there is none. */
  update(key: string, patch: OutputRecordPatch): Promise<boolean>;
  /** True when a record was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Re-creates a `done` record (with the done retention) for an output found
   * in the store after its record expired; never over an existing record,
   * never for a key whose erasure tombstone is set.
   */
  restore(record: OutputRecord): Promise<RestoreOutcome>;
}

const patchSchema = outputRecordSchema.omit({ key: true, updatedAt: true }).partial();

/** Record fields stored as numbers: a Redis hash holds strings only, so these are restored on read. */
const NUMERIC_FIELDS = new Set(
  Object.entries(outputRecordSchema.shape)
    .filter(([, field]) => (field instanceof z.ZodOptional ? field.unwrap() : field) instanceof z.ZodNumber)
    .map(([name]) => name),
);

/** Fields a patch may clear: only optional ones, or the record would stop parsing. */
const OPTIONAL_FIELDS = new Set(
  Object.entries(outputRecordSchema.shape)
    .filter(([, field]) => field instanceof z.ZodOptional)
    .map(([name]) => name),
);


function assertKey(key: string): void {
  if (!isKey(key)) throw new AppError('INVALID_KEY', 'Output index keys are 64 hex characters', { details: { reason: 'not a key' } });
}

function invalidRecord(what: string, error: z.ZodError): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return new AppError('INVALID_ARGUMENT', `Invalid output ${what}`, { details: { issues } });
}

/**
 * Hash field of a storage key stored relative to the record's own key (`*`
 * in its place). A master's `renders/<key>.mp4` or a deliverable's
 * `deliverables/<key>/<name>` is longer than Redis' hash-max-listpack-value
 * (64 bytes), which turns the whole hash into a hashtable: ~1 KB a record
 * instead of ~360 B, for every render of every campaign. The record's `key`
 * is not stored either: it is in the Redis key already.
 */
const RELATIVE_STORAGE_KEY = 'sk';
const KEY_MARK = '*';

/** The hash fields of a record or patch (without `key`, storage key relative when it can be). */
function toFields(key: string, values: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || name === 'key') continue;
    const text = String(value);
    // Only a storage key holding the key once and no mark of its own is rewritten, so decoding is exact.
    if (name === 'storageKey' && !text.includes(KEY_MARK) && text.split(key).length === 2) {
      fields[RELATIVE_STORAGE_KEY] = text.replace(key, KEY_MARK);
    } else fields[name] = text;
  }
  return fields;
}

function fromFields(key: string, fields: Record<string, string>): OutputRecord {
  // Records written before the compact layout carry `key` and a literal `storageKey`: both still read.
  const raw: Record<string, unknown> = { key };
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'key') continue;
    if (name === RELATIVE_STORAGE_KEY) raw['storageKey'] = value.replace(KEY_MARK, key);
    else raw[name] = NUMERIC_FIELDS.has(name) ? Number(value) : value;
  }
  const parsed = outputRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('INTERNAL', `Output index record ${key} is corrupt`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * The output index in Redis: one hash per key (`keys.output(key)`) whose fields
 * are the OutputRecord's fields, so a worker can patch `state` without
 * rewriting the rest and ops can read it with HGETALL. Two exceptions keep
 * the hash in Redis' compact listpack encoding: `key` is the Redis key's
 * suffix, and the storage key is in `sk` with `*` for the key.
 */
export function createOutputIndex(redis: Redis, options: OutputIndexOptions = {}): OutputIndex {
  const keys = options.keys ?? redisKeys;
  const ttl = options.ttlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) {
    throw new AppError('INVALID_ARGUMENT', 'ttlSeconds must be a positive integer', { details: { ttlSeconds: ttl } });
  }
  const doneTtl = options.doneTtlSeconds || undefined;
  if (doneTtl !== undefined && (!Number.isInteger(doneTtl) || doneTtl < 0)) {
    throw new AppError('INVALID_ARGUMENT', 'doneTtlSeconds must be a non-negative integer', { details: { doneTtlSeconds: doneTtl } });
  }
  const redisKey = keys.output;
  /** The expiry a write in `state` sets: done records get the retention, the others the general TTL (or none). */
  const ttlFor = (state: OutputRecord['state']) => (state === 'done' ? doneTtl ?? ttl : ttl);

  return {
    async get(key) {
      assertKey(key);
      const fields = await redis.hgetall(redisKey(key));
      return Object.keys(fields).length === 0 ? undefined : fromFields(key, fields);
    },

    async getMany(wanted) {
      if (wanted.length === 0) return [];
      wanted.forEach(assertKey);
      const pipeline = redis.pipeline();
      for (const key of wanted) pipeline.hgetall(redisKey(key));
      const results = (await pipeline.exec()) ?? [];
      return wanted.map((key, i) => {
        const [err, fields] = results[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        const hash = fields as Record<string, string>;
        return Object.keys(hash).length === 0 ? undefined : fromFields(key, hash);
      });
    },

    async set(record) {
      const parsed = outputRecordSchema.safeParse(record);
      if (!parsed.success) throw invalidRecord('record', parsed.error);
      assertKey(parsed.data.key);
      const target = redisKey(parsed.data.key);
      // DEL + HSET in one transaction: readers never see a mix of old and new fields.
      const tx = redis.multi().del(target).hset(target, toFields(parsed.data.key, parsed.data));
      const expiry = ttlFor(parsed.data.state);
      if (expiry !== undefined) tx.expire(target, expiry);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new AppError('INTERNAL', 'Output index transaction aborted');
    },

    async update(key, patch) {
      assertKey(key);
      const parsed = patchSchema.safeParse(patch);
      if (!parsed.success) throw invalidRecord('patch', parsed.error);
      // Optional fields given as undefined are cleared; zod drops them, so read them from the input.
      const cleared = Object.entries(patch)
        .filter(([name, value]) => value === undefined && OPTIONAL_FIELDS.has(name))
        .map(([name]) => name);
      const fields = toFields(key, { ...parsed.data, updatedAt: Date.now() });
      // A storage key lives in one of two fields: writing or clearing it clears the other form.
      if (cleared.includes('storageKey')) cleared.push(RELATIVE_STORAGE_KEY);
      else if (fields[RELATIVE_STORAGE_KEY] !== undefined) cleared.push('storageKey');
      else if (fields['storageKey'] !== undefined) cleared.push(RELATIVE_STORAGE_KEY);
      // A state change sets that state's expiry; leaving `done` drops the retention (a re-render must not expire mid-way).
      const state = parsed.data.state;
      const expiry = state === undefined ? ttl : ttlFor(state) ?? (doneTtl === undefined ? undefined : 'persist');
      const args = [expiry === undefined ? '' : String(expiry), String(cleared.length), ...cleared, ...Object.entries(fields).flat()];
      return (await runScript(redis, updateOutputRecord, [redisKey(key)], args)) === 1;
    },

    async delete(key) {
      assertKey(key);
      return (await redis.del(redisKey(key))) > 0;
    },

    async restore(record) {
      const parsed = outputRecordSchema.safeParse(record);
      if (!parsed.success) throw invalidRecord('record', parsed.error);
      assertKey(parsed.data.key);
      if (parsed.data.state !== 'done') throw new AppError('INVALID_ARGUMENT', 'only a done record is restored');
      const expiry = ttlFor('done');
      const fields = Object.entries(toFields(parsed.data.key, parsed.data)).flat();
      const keysOf = [redisKey(parsed.data.key), keys.keyTombstone(parsed.data.key)];
      const result = await runScript(redis, restoreOutputRecord, keysOf, [expiry === undefined ? '' : String(expiry), ...fields]);
      return result === 1 ? 'restored' : result === 0 ? 'exists' : 'erased';
    },
  };
}
