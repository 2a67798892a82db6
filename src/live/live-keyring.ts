import { createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AppError } from '../errors/index.js';

/** Key ids are public (they travel in every token): short and URL safe. */
export const LIVE_KEY_ID_PATTERN = /^[a-zA-Z0-9_-]{1,16}$/;
/** AES-256 needs exactly 32 bytes of key. */
export const LIVE_KEY_BYTES = 32;

/** One sealing key. `key` is a KeyObject: util.inspect and JSON never show its bytes. */
export interface LiveKey {
  readonly id: string;
  readonly key: KeyObject;
}

/**
 * The keys of Live links. The active key seals new tokens; every listed key
 * that is not retired still opens tokens, so a key can rotate out gradually.
 */
export interface LiveKeyring {
  readonly active: LiveKey;
  /** The key for a token's key id; undefined for an unknown or retired id. */
  find(id: string): LiveKey | undefined;
  /** Ids that open tokens, active first. */
  readonly ids: readonly string[];
  /** Ids refused even when still listed. */
  readonly retiredIds: readonly string[];
}

/** The raw configuration, as the environment gives it. */
export interface LiveKeyringConfig {
  /** `LIVE_KEYS`: `id:base64key,id:base64key`, the first being the active one. */
  keys: string;
  /** `LIVE_RETIRED_KEY_IDS`: comma-separated ids refused even when listed. */
  retiredIds?: string;
}

// Messages name entry positions and, once validated, key ids; never key
// bytes: a mistyped entry may hold a key where the id should be.
function invalid(message: string): AppError {
  return new AppError('CONFIG_INVALID', message);
}

function splitList(value: string): string[] {
  return value.split(',').map((part) => part.trim());
}

/**
 * Decodes a key written in standard base64 or base64url, padded or not, and
 * refuses anything that is not exactly one of those spellings (stray
 * characters, non-zero trailing bits), which Buffer.from would ignore.
 */
function decodeKey(text: string, where: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw invalid(`${where}: the key is not base64`);
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const canonical = [bytes.toString('base64'), bytes.toString('base64url')];
  const unpadded = text.replace(/=+$/, '');
  if (!canonical.some((c) => c === text || c.replace(/=+$/, '') === unpadded)) {
    throw invalid(`${where}: the key is not canonical base64`);
  }
  if (bytes.length !== LIVE_KEY_BYTES) {
    throw invalid(`${where}: the key must be ${LIVE_KEY_BYTES} bytes (got ${bytes.length})`);
  }
  // A key of one repeated byte is a placeholder left in a config file.
  if (bytes.every((b) => b === bytes[0])) throw invalid(`${where}: the key is a placeholder (one repeated byte)`);
  return bytes;
}

/**
 * Builds a keyring from decoded keys. Refuses duplicate ids, the same key
 * bytes under two ids, and an active key that is retired.
 */
export function createLiveKeyring(entries: readonly { id: string; key: Buffer }[], retiredIds: readonly string[] = []): LiveKeyring {
  if (entries.length === 0) throw invalid('LIVE_KEYS: at least one key is needed');
  for (const id of retiredIds) {
    if (!LIVE_KEY_ID_PATTERN.test(id)) throw invalid('LIVE_RETIRED_KEY_IDS: an id is not [a-zA-Z0-9_-]{1,16}');
  }
  const retired = new Set(retiredIds);
  const keys = new Map<string, LiveKey>();
  entries.forEach((entry, i) => {
    const where = `LIVE_KEYS entry ${i + 1}`;
    if (!LIVE_KEY_ID_PATTERN.test(entry.id)) throw invalid(`${where}: the id is not [a-zA-Z0-9_-]{1,16}`);
    if (entry.key.length !== LIVE_KEY_BYTES) throw invalid(`${where}: the key must be ${LIVE_KEY_BYTES} bytes`);
    if (keys.has(entry.id)) throw invalid(`${where}: duplicate key id ${entry.id}`);
    // timingSafeEqual: key bytes are secret, even when compared at start-up.
    const twin = entries.slice(0, i).find((other) => timingSafeEqual(other.key, entry.key));
    if (twin) throw invalid(`${where}: key ${entry.id} has the same bytes as key ${twin.id}`);
    keys.set(entry.id, Object.freeze({ id: entry.id, key: createSecretKey(Buffer.from(entry.key)) }));
  });
  const active = keys.get(entries[0]!.id)!;
  if (retired.has(active.id)) throw invalid(`LIVE_KEYS: the active (first) key ${active.id} is retired`);
  const usable = [...keys.values()].filter((k) => !retired.has(k.id));
  const byId = new Map(usable.map((k) => [k.id, k]));

  return Object.freeze({
    active,
    find: (id: string) => byId.get(id),
    ids: Object.freeze(usable.map((k) => k.id)),
    retiredIds: Object.freeze([...retired]),
  });
}

/**
 * Parses `LIVE_KEYS` and `LIVE_RETIRED_KEY_IDS`. Throws
 * AppError('CONFIG_INVALID') whose message never contains key material.
 */
export function parseLiveKeyring(config: LiveKeyringConfig): LiveKeyring {
  const text = config.keys.trim();
  if (text === '') throw invalid('LIVE_KEYS is empty');
  const entries = splitList(text).map((part, i) => {
    const where = `LIVE_KEYS entry ${i + 1}`;
    const colon = part.indexOf(':');
    if (colon <= 0) throw invalid(`${where}: expected id:base64key`);
    const id = part.slice(0, colon).trim();
    if (!LIVE_KEY_ID_PATTERN.test(id)) throw invalid(`${where}: the id is not [a-zA-Z0-9_-]{1,16}`);
    return { id, key: decodeKey(part.slice(colon + 1).trim(), `${where} (${id})`) };
  });
  const retiredText = config.retiredIds?.trim() ?? '';
  const retired = retiredText === '' ? [] : splitList(retiredText);
  if (retired.some((id) => id === '')) throw invalid('LIVE_RETIRED_KEY_IDS has an empty entry');
  return createLiveKeyring(entries, retired);
}

/**
 * A keyring with one random key for this process only, for development
 * without LIVE_KEYS. Its links stop opening when the process restarts and
 * other processes cannot open them: the caller logs `warning`.
 */
export function devKeyring(): { keyring: LiveKeyring; warning: string } {
  return {
    keyring: createLiveKeyring([{ id: 'dev', key: randomBytes(LIVE_KEY_BYTES) }]),
    warning:
      'LIVE_KEYS is not set: Live links are sealed with a random per-process key; ' +
      'they stop working on restart and other processes cannot open them.',
  };
}

/**
 * The keyring the configuration asks for: parsed LIVE_KEYS when set, the
 * development keyring (with its warning) in development, CONFIG_INVALID
 * otherwise: production must never fall back to a throwaway key.
 */
export function resolveLiveKeyring(
  config: Partial<LiveKeyringConfig>,
  environment: 'development' | 'test' | 'production',
): { keyring: LiveKeyring; warning?: string } {
  if (config.keys !== undefined && config.keys.trim() !== '') {
    return { keyring: parseLiveKeyring({ keys: config.keys, retiredIds: config.retiredIds }) };
  }
  if (environment === 'production') throw invalid('LIVE_KEYS must be set in production');
  return devKeyring();
}
