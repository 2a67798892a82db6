import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { AppError } from '../errors/index.js';
import { LIVE_KEY_ID_PATTERN, type LiveKeyring } from './live-keyring.js';
import {
  fromLiveTokenWire,
  liveTokenPayloadSchema,
  liveTokenWireSchema,
  toLiveTokenWire,
  type LiveTokenInput,
  type LiveTokenPayload,
} from './live-token.schema.js';

/** The only token version; it is part of the authenticated data. */
export const LIVE_TOKEN_VERSION = 'v1';
/** Default longest token accepted (and produced), in characters. */
export const DEFAULT_LIVE_TOKEN_MAX_LENGTH = 2048;

/** Deterministic tokens expire on a whole hour: every call within the hour gives the same token. */
export const DETERMINISTIC_EXPIRY_STEP_S = 3_600;

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** iv + the shortest JSON object `{}` + tag. */
const MIN_SEALED_BYTES = IV_BYTES + 2 + TAG_BYTES;
const BODY_PATTERN = /^[A-Za-z0-9_-]+$/;

export interface SealLiveTokenOptions {
  /** Lifetime of the link from `now`. */
  ttlSeconds: number;
  /** Milliseconds since the epoch; default Date.now(). */
  now?: number;
  /** Refuse to produce a longer token (PAYLOAD_TOO_LARGE: store the props instead). Default 2048. */
  maxLength?: number;
  /**
   * Same input, same token (send-time minting, which an ESP may call several
   * times per recipient): the expiry is rounded up to the next whole hour and
   * the IV is synthetic, derived from the key and the plaintext, so only
   * identical payloads share an IV. Default false: a random IV.
   */
  deterministic?: boolean;
}

export interface OpenLiveTokenOptions {
  /** Milliseconds since the epoch; default Date.now(). */
  now?: number;
  /** Longer tokens are refused before any decoding. Default 2048. */
  maxLength?: number;
}

/** Key id and version, bound to the ciphertext as AAD: a token cannot be moved to another key or version. */
function header(keyId: string): string {
  return `${LIVE_TOKEN_VERSION}.${keyId}`;
}

// Refusals never carry the token or any part of it: it is a bearer secret
// and its payload is personal data.
function refused(reason: string, keyId?: string): AppError {
  return new AppError('TOKEN_INVALID', `Live token refused: ${reason}`, {
    details: keyId === undefined ? { reason } : { reason, keyId },
  });
}

function positiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new AppError('INVALID_ARGUMENT', `${name} must be a positive integer`, { details: { [name]: value } });
  }
}

/**
 * Seals a Live link token: `v1.<kid>.<base64url(iv || ciphertext || tag)>`,
 * AES-256-GCM under the keyring's active key with a random 96-bit IV (or a
 * synthetic one, see `deterministic`). Nothing
 * of the payload is readable without the key.
 *
 * A random IV per token is safe for about 2^32 tokens per key (the GCM
 * birthday bound); rotate keys long before that.
 */
export function sealLiveToken(keyring: LiveKeyring, input: LiveTokenInput, options: SealLiveTokenOptions): string {
  positiveInteger(options.ttlSeconds, 'ttlSeconds');
  const maxLength = options.maxLength ?? DEFAULT_LIVE_TOKEN_MAX_LENGTH;
  positiveInteger(maxLength, 'maxLength');
  const now = options.now ?? Date.now();
  const exp = Math.floor(now / 1000) + options.ttlSeconds;
  const parsed = liveTokenPayloadSchema.safeParse({
    ...input,
    exp: options.deterministic ? Math.ceil(exp / DETERMINISTIC_EXPIRY_STEP_S) * DETERMINISTIC_EXPIRY_STEP_S : exp,
  });
  if (!parsed.success) {
    // Paths only: the values are personal data.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new AppError('INVALID_ARGUMENT', `Invalid Live link payload: ${fields.join(', ')}`, { details: { fields } });
  }
  const { id, key } = keyring.active;
  const plaintext = Buffer.from(JSON.stringify(toLiveTokenWire(parsed.data)));
  const iv = options.deterministic ? syntheticIv(key, header(id), plaintext) : randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(header(id)));
  const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const token = `${header(id)}.${sealed.toString('base64url')}`;
  if (token.length > maxLength) {
    throw new AppError('PAYLOAD_TOO_LARGE', 'The Live link token would be too long; store the props instead', {
      details: { length: token.length, maxLength },
    });
  }
  return token;
}

const ivKeys = new WeakMap<KeyObject, Buffer>();

/**
 * The IV of a deterministic token: HMAC-SHA256 over the header and the
 * plaintext, under a key derived (HKDF) from the sealing key and used for
 * nothing else, truncated to 96 bits (the SIV construction). Two different
 * payloads get the same IV only by a 96-bit collision, the same bound as
 * random IVs; identical payloads get identical tokens, which is the point:
 * an observer learns only that two tokens are equal.
 */
function syntheticIv(key: KeyObject, aad: string, plaintext: Buffer): Buffer {
  let ivKey = ivKeys.get(key);
  if (!ivKey) {
    ivKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'mastercut live-token synthetic iv v1', 32));
    ivKeys.set(key, ivKey);
  }
  return createHmac('sha256', ivKey).update(aad).update('\0').update(plaintext).digest().subarray(0, IV_BYTES);
}

/**
 * Opens and verifies a token; throws AppError('TOKEN_INVALID') (403) for
 * anything not sealed by a usable key of the keyring, exactly as written, and
 * AppError('TOKEN_EXPIRED') (410) for an authentic token past its expiry.
 *
 * Order matters: length first (no work on oversized input), then the one
 * canonical spelling, then the GCM tag (compared in constant time by
 * OpenSSL), and only then the expiry, so an attacker learns nothing about a
 * forged token's contents.
 */
export function openLiveToken(keyring: LiveKeyring, token: unknown, options: OpenLiveTokenOptions = {}): LiveTokenPayload {
  const maxLength = options.maxLength ?? DEFAULT_LIVE_TOKEN_MAX_LENGTH;
  if (typeof token !== 'string') throw refused('not a string');
  if (token.length > maxLength) throw refused('too long');

  const parts = token.split('.');
  if (parts.length !== 3) throw refused('malformed');
  const [version, keyId, body] = parts as [string, string, string];
  if (version !== LIVE_TOKEN_VERSION) throw refused('unknown version');
  if (!LIVE_KEY_ID_PATTERN.test(keyId)) throw refused('malformed key id');
  if (!BODY_PATTERN.test(body)) throw refused('malformed body');
  const sealed = Buffer.from(body, 'base64url');
  // One spelling per token: Node's decoder ignores padding, stray trailing
  // bits and mixed alphabets, so compare against the re-encoding. The body is
  // not secret (the caller holds it), so a plain comparison is fine here.
  if (sealed.toString('base64url') !== body) throw refused('not canonical');
  if (sealed.length < MIN_SEALED_BYTES) throw refused('truncated');

  const entry = keyring.find(keyId);
  if (!entry) throw refused('unknown or retired key id', keyId);

  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', entry.key, sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(header(keyId)));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    plaintext = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw refused('authentication failed', keyId);
  }

  let wire: unknown;
  try {
    wire = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw refused('payload is not JSON', keyId);
  }
  const parsed = liveTokenWireSchema.safeParse(wire);
  if (!parsed.success) throw refused('payload does not match the schema', keyId);

  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (parsed.data.e <= nowSeconds) {
    throw new AppError('TOKEN_EXPIRED', 'Live token expired', { details: { keyId, expiredAt: parsed.data.e } });
  }
  return fromLiveTokenWire(parsed.data);
}
