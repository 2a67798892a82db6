import { AppError } from '../errors/index.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { encodeHeaderPart, parseEnvelope, ZK_ENVELOPE_MAX_LENGTH, ZK_IV_BYTES, ZK_TAG_BYTES, type ZeroKnowledgeHeader } from './zk-envelope.js';

/** AES-256: the key in the fragment is 32 random bytes, one per link. */
export const ZK_KEY_BYTES = 32;
/** Largest props JSON sealed into a link (UTF-8 bytes): the link must fit a URL that mail and SMS keep whole. */
export const ZK_PROPS_MAX_BYTES = 4096;

export interface SealedProps {
  /** `zk1.<header>.<sealed>`: the link's last path segment. */
  envelope: string;
  /** base64url of the AES-256 key: goes in the fragment (`#k=`), never to the server. */
  key: string;
}

/** What the opener expects the link to be for; a link made for another template is refused. */
export interface OpenExpectations {
  templateId?: string;
  templateVersion?: string;
}

/**
 * WebCrypto: `globalThis.crypto` in Node 20 and in browsers, where pages get
 * `subtle` only in a secure context (https, or http on localhost/127.0.0.1).
 */
function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api) throw new AppError('ZK_OPEN_FAILED', 'WebCrypto is not available here (a page needs https, or http on localhost)');
  return api;
}

/**
 * Seals `props` for one link with a fresh random key: AES-256-GCM, a random
 * 96-bit iv, and the header (`zk1.<header>`, template, version, channel,
 * pseudonymous id, campaign) as additional data, so none of it can be
 * changed or moved to another ciphertext without the tag failing. Props are
 * not validated here: mintZeroKnowledgeLink() does that against the
 * template schema.
 */
export async function sealZeroKnowledgeProps(header: ZeroKnowledgeHeader, props: unknown): Promise<SealedProps> {
  const plain = new TextEncoder().encode(JSON.stringify(props));
  if (plain.length > ZK_PROPS_MAX_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `zero-knowledge link: the props are ${plain.length} bytes of JSON; at most ${ZK_PROPS_MAX_BYTES}`);
  }
  const headerPart = encodeHeaderPart(header);
  const rawKey = crypto.getRandomValues(new Uint8Array(ZK_KEY_BYTES));
  const iv = crypto.getRandomValues(new Uint8Array(ZK_IV_BYTES));
  const key = await subtle().importKey('raw', rawKey, 'AES-GCM', false, ['encrypt']);
  const additionalData = new TextEncoder().encode(headerPart);
  const cipher = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData, tagLength: ZK_TAG_BYTES * 8 }, key, plain));
  const sealed = new Uint8Array(iv.length + cipher.length);
  sealed.set(iv);
  sealed.set(cipher, iv.length);
  const envelope = `${headerPart}.${toBase64Url(sealed)}`;
  if (envelope.length > ZK_ENVELOPE_MAX_LENGTH) throw new AppError('PAYLOAD_TOO_LARGE', `zero-knowledge link: the envelope would be longer than ${ZK_ENVELOPE_MAX_LENGTH} characters`);
  return { envelope, key: toBase64Url(rawKey) };
}

/**
 * Opens an envelope with its key (the browser does this; the farm never
 * has the key). Refuses a malformed envelope or one for another template
 * or version (ZK_LINK_INVALID), and a wrong key or any changed byte of
 * header or ciphertext (ZK_OPEN_FAILED). Never says more than that: the
 * error holds no value.
 */
export async function openZeroKnowledgeProps(
  envelope: string,
  key: string,
  expected: OpenExpectations = {},
): Promise<{ header: ZeroKnowledgeHeader; props: Record<string, unknown> }> {
  const { header, headerPart, sealed } = parseEnvelope(envelope);
  if (expected.templateId !== undefined && header.templateId !== expected.templateId) {
    throw new AppError('ZK_LINK_INVALID', 'zero-knowledge link: made for another template');
  }
  if (expected.templateVersion !== undefined && header.templateVersion !== expected.templateVersion) {
    throw new AppError('ZK_LINK_INVALID', 'zero-knowledge link: made for another template version');
  }
  const rawKey = fromBase64Url(key);
  if (!rawKey || rawKey.length !== ZK_KEY_BYTES) throw new AppError('ZK_OPEN_FAILED', 'zero-knowledge link: the key is missing or not 32 bytes of base64url');
  let plain: ArrayBuffer;
  try {
    const cryptoKey = await subtle().importKey('raw', rawKey, 'AES-GCM', false, ['decrypt']);
    plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, ZK_IV_BYTES), additionalData: new TextEncoder().encode(headerPart), tagLength: ZK_TAG_BYTES * 8 },
      cryptoKey,
      sealed.subarray(ZK_IV_BYTES),
    );
  } catch (cause) {
    throw new AppError('ZK_OPEN_FAILED', 'zero-knowledge link: wrong key, or the link was changed', { cause });
  }
  let props: unknown;
  try {
    props = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch {
    props = undefined;
  }
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new AppError('ZK_OPEN_FAILED', 'zero-knowledge link: the sealed props are not a JSON object');
  return { header, props: props as Record<string, unknown> };
}
