import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import { isKey } from './render-key.js';
import { outputRecordSchema, type OutputRecord } from './output-record.schema.js';

export interface OutputIndexOptions {
  /** Redis key prefix; the `{mastercut}` hash tag keeps it Cluster safe. */
  prefix?: string;
  /** Expire records this many seconds after their last set/update; none by default. */
  ttlSeconds?: number;
}

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

/**
 * HSET only when the hash exists, atomically, so an update never leaves a
 * half record (no templateId, no state) behind for a key that was deleted.
 * ARGV: ttl ('' for none), count of fields to delete, those fields, then field/value pairs.
 */
const UPDATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ndel = tonumber(ARGV[2])
for i = 3, 2 + ndel do redis.call('HDEL', KEYS[1], ARGV[i]) end
local kv = {}
for i = 3 + ndel, #ARGV do kv[#kv + 1] = ARGV[i] end
if #kv > 0 then redis.call('HSET', KEYS[1], unpack(kv)) end
if ARGV[1] ~= '' then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return 1
`;

function assertKey(key: string): void {
  if (!isKey(key)) throw new AppError('INVALID_KEY', 'Output index keys are 64 hex characters', { details: { reason: 'not a key' } });
}

function invalidRecord(what: string, error: z.ZodError): AppError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  return new AppError('INVALID_ARGUMENT', `Invalid output ${what}`, { details: { issues } });
}

function toFields(values: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value !== undefined) fields[name] = String(value);
  return fields;
}

function fromFields(key: string, fields: Record<string, string>): OutputRecord {
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) raw[name] = NUMERIC_FIELDS.has(name) ? Number(value) : value;
  const parsed = outputRecordSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('INTERNAL', `Output index record ${key} is corrupt`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * The output index in Redis: one hash per key (`<prefix><key>`) whose fields
 * are the OutputRecord's fields, so a worker can patch `state` without
 * rewriting the rest and ops can read it with HGETALL.
 */
export function createOutputIndex(redis: Redis, options: OutputIndexOptions = {}): OutputIndex {
  const prefix = options.prefix ?? '{mastercut}:out:';
  const ttl = options.ttlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) {
    throw new AppError('INVALID_ARGUMENT', 'ttlSeconds must be a positive integer', { details: { ttlSeconds: ttl } });
  }
  const redisKey = (key: string) => `${prefix}${key}`;

  return {
    async get(key) {
      assertKey(key);
      const fields = await redis.hgetall(redisKey(key));
      return Object.keys(fields).length === 0 ? undefined : fromFields(key, fields);
    },

    async getMany(keys) {
      if (keys.length === 0) return [];
      keys.forEach(assertKey);
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hgetall(redisKey(key));
      const results = (await pipeline.exec()) ?? [];
      return keys.map((key, i) => {
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
      const tx = redis.multi().del(target).hset(target, toFields(parsed.data));
      if (ttl !== undefined) tx.expire(target, ttl);
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
      const fields = toFields({ ...parsed.data, updatedAt: Date.now() });
      const args = [ttl === undefined ? '' : String(ttl), String(cleared.length), ...cleared, ...Object.entries(fields).flat()];
      return (await redis.eval(UPDATE_SCRIPT, 1, redisKey(key), ...args)) === 1;
    },

    async delete(key) {
      assertKey(key);
      return (await redis.del(redisKey(key))) > 0;
    },
  };
}
