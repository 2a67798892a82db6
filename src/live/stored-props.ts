import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { canonicalJson } from '../cache/index.js';
import { AppError } from '../errors/index.js';
import { redisKeys, type RedisKeys } from '../redis/index.js';
import { STORED_PROPS_ID_PATTERN } from './live-token.schema.js';
import { recordSubject } from './subject-index.js';

export interface StoredPropsOptions {
  /** The key registry (tests pass one under a base of their own). Default: the farm's. */
  keys?: RedisKeys;
  /** Lifetime of stored props, unless a put says otherwise. */
  ttlSeconds: number;
  /** Largest JSON accepted, in bytes. Default 256 KiB. */
  maxBytes?: number;
}

export interface PutStoredPropsOptions {
  /** Records the id under this recipient, so an erasure removes it. */
  recipientId?: string;
  ttlSeconds?: number;
  /**
   * The id is derived from the recipient and the props instead of drawn at
   * random, and the write is SET NX: putting the same props for the same
   * recipient again gives the same id and stores nothing new (send-time
   * minting is called again and again with the same inputs). The recipient
   * is part of the id so that erasing one recipient never removes props
   * another recipient's link points to.
   */
  contentAddressed?: boolean;
}

/**
 * Props kept server side so a Live link carries a 22-character reference
 * instead of the props themselves. The id is 128 random bits: it cannot be
 * guessed, and the token that carries it is sealed anyway.
 */
export interface StoredProps {
  /** Stores props; returns their id. SUBJECT_ERASED for an erased recipient. */
  put(props: Record<string, unknown>, options?: PutStoredPropsOptions): Promise<string>;
  /** The props, or undefined when unknown, expired or erased. */
  get(id: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Content-addressed props of this recipient only: undefined unless `id` is
   * the content id of what it holds for `recipientId`, so a link's holder
   * cannot read another recipient's props by naming their id.
   */
  getOwned(id: string, recipientId: string): Promise<Record<string, unknown> | undefined>;
  /** True when something was deleted. */
  delete(id: string): Promise<boolean>;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new AppError('INVALID_ARGUMENT', `${name} must be a positive integer`, { details: { [name]: value } });
  }
  return value;
}

/** 128 bits of sha256(recipient, canonical props), in the random ids' alphabet and length. */
function contentId(recipientId: string | undefined, props: Record<string, unknown>): string {
  const input = `mastercut stored props v1\n${JSON.stringify([recipientId ?? null, canonicalJson(props)])}`;
  return createHash('sha256').update(input).digest().subarray(0, 16).toString('base64url');
}

/** Stored props in Redis: one string key per id holding the props' JSON, with a TTL. */
export function createStoredProps(redis: Redis, options: StoredPropsOptions): StoredProps {
  const propsKey = (options.keys ?? redisKeys).storedProps;
  const defaultTtl = positiveInteger(options.ttlSeconds, 'ttlSeconds');
  const maxBytes = positiveInteger(options.maxBytes ?? 256 * 1024, 'maxBytes');

  const get = async (id: string): Promise<Record<string, unknown> | undefined> => {
    if (typeof id !== 'string' || !STORED_PROPS_ID_PATTERN.test(id)) return undefined;
    const json = await redis.get(propsKey(id));
    if (json === null) return undefined;
    try {
      return JSON.parse(json) as Record<string, unknown>;
    } catch {
      // No cause: a JSON SyntaxError quotes the text, which is personal data.
      throw new AppError('INTERNAL', 'Stored props are corrupt');
    }
  };

  return {
    async put(props, putOptions = {}) {
      if (props === null || typeof props !== 'object' || Array.isArray(props)) {
        throw new AppError('INVALID_ARGUMENT', 'Stored props must be an object');
      }
      const ttl = positiveInteger(putOptions.ttlSeconds ?? defaultTtl, 'ttlSeconds');
      const json = JSON.stringify(props);
      const bytes = Buffer.byteLength(json);
      if (bytes > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'Stored props are too large', { details: { bytes, maxBytes } });
      const id = putOptions.contentAddressed ? contentId(putOptions.recipientId, props) : randomBytes(16).toString('base64url');
      // Index first: props that exist are always findable by an erasure, and
      // an erased recipient gets SUBJECT_ERASED before anything is written.
      if (putOptions.recipientId !== undefined) {
        await recordSubject(redis, putOptions.recipientId, { storedPropsIds: [id] }, { ttlSeconds: ttl });
      }
      if (!putOptions.contentAddressed) {
        await redis.set(propsKey(id), json, 'EX', ttl);
        return id;
      }
      // Already there: only lengthen its life (GT never shortens it), so a later link's expiry is covered.
      const created = await redis.set(propsKey(id), json, 'EX', ttl, 'NX');
      if (created === null) await redis.expire(propsKey(id), ttl, 'GT');
      return id;
    },

    get,

    async getOwned(id, recipientId) {
      const props = await get(id);
      return props !== undefined && contentId(recipientId, props) === id ? props : undefined;
    },

    async delete(id) {
      if (typeof id !== 'string' || !STORED_PROPS_ID_PATTERN.test(id)) return false;
      return (await redis.del(propsKey(id))) > 0;
    },
  };
}
